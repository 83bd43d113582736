package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.image.ResampleFilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** PilResize against PIL 9.4's Image.resize (tools/reference/metrics/resize_reference.py). */
class PilResizeTest {

    @Test
    void matchesPillowExactly() {
        JsonNode cases = Fixtures.golden("resize.json").get("cases");
        assertEquals(7, cases.size());
        for (JsonNode c : cases) {
            RgbImage src = Fixtures.image(c.get("source").asText());
            RgbImage expected = Fixtures.png(Fixtures.resource("golden/metrics/resize/" + c.get("name").asText()
                    + ".png"));
            RgbImage actual = src.resize(c.get("width").asInt(), c.get("height").asInt(),
                    ResampleFilter.parse(c.get("filter").asText()));
            assertEquals(expected.width(), actual.width());
            assertEquals(expected.height(), actual.height());
            assertEquals(0, maxAbsDifference(expected, actual), c.get("name").asText());
        }
    }

    @Test
    void sameSizeIsIdentityAndConstantStaysConstant() {
        RgbImage a = Fixtures.image("a");
        assertSame(a, a.resize(201, 167, ResampleFilter.BICUBIC));
        byte[] flat = new byte[50 * 30 * 3];
        java.util.Arrays.fill(flat, (byte) 77);
        RgbImage constant = new RgbImage(50, 30, flat);
        for (ResampleFilter f : ResampleFilter.values()) {
            for (int[] size : new int[][] {{7, 5}, {123, 91}, {50, 9}}) {
                byte[] out = constant.resize(size[0], size[1], f).rgb();
                for (byte b : out) {
                    assertEquals(77, b);
                }
            }
        }
    }

    @Test
    void rejectsBadSizesAndFilters() {
        RgbImage a = Fixtures.image("a");
        assertThrows(IllegalArgumentException.class, () -> a.resize(0, 10, ResampleFilter.BILINEAR));
        assertThrows(IllegalArgumentException.class, () -> ResampleFilter.parse("lanczos"));
    }

    static int maxAbsDifference(RgbImage a, RgbImage b) {
        byte[] x = a.rgb();
        byte[] y = b.rgb();
        int max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs((x[i] & 0xFF) - (y[i] & 0xFF)));
        }
        return max;
    }
}
