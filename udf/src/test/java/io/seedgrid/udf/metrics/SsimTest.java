package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * SSIM against skimage.metrics.structural_similarity and MS-SSIM against the NumPy port
 * (tools/reference/metrics/ssim_reference.py); the brief asks for 1e-6.
 */
class SsimTest {
    private static final double TOLERANCE = 1e-6;

    @Test
    void matchesReferences() {
        JsonNode pairs = Fixtures.golden("ssim.json").get("pairs");
        int msChecked = 0;
        double worst = 0;
        for (JsonNode p : pairs) {
            RgbImage a = Fixtures.image(p.get("a").asText());
            RgbImage b = Fixtures.image(p.get("b").asText());
            String name = p.get("a").asText() + "/" + p.get("b").asText();
            double ssim = Ssim.compute(a, b);
            assertEquals(p.get("ssim").asDouble(), ssim, TOLERANCE, name);
            worst = Math.max(worst, Math.abs(p.get("ssim").asDouble() - ssim));
            if (p.has("ms_ssim")) {
                MsSsim.Result r = MsSsim.compute(a, b, false);
                assertEquals(MsSsim.Method.MS_SSIM, r.method());
                assertEquals(p.get("ms_ssim").asDouble(), r.value(), TOLERANCE, name);
                worst = Math.max(worst, Math.abs(p.get("ms_ssim").asDouble() - r.value()));
                msChecked++;
            } else {
                MsSsim.Result single = MsSsim.compute(a, b, false);
                assertEquals(MsSsim.Method.SSIM, single.method());
                assertEquals(ssim, single.value(), 0);
                MsSsim.Result up = MsSsim.compute(a, b, true);
                assertEquals(MsSsim.Method.MS_SSIM_UPSAMPLED, up.method());
                assertEquals("ms-ssim-upsampled", up.method().label());
                assertEquals(p.get("ms_ssim_upsampled").asDouble(), up.value(), TOLERANCE, name);
                worst = Math.max(worst, Math.abs(p.get("ms_ssim_upsampled").asDouble() - up.value()));
                msChecked++;
            }
        }
        assertEquals(pairs.size(), msChecked);
        assertTrue(worst < 1e-12, "largest difference to the references: " + worst);
    }

    @Test
    void identicalImagesAndDistance() {
        RgbImage a = Fixtures.image("a");
        assertEquals(1.0, Ssim.compute(a, a), 1e-15);
        MsSsim.Result r = MsSsim.compute(a, Fixtures.image("b"), false);
        assertEquals(1.0 - r.value(), r.distance(), 0);
        assertEquals(1.0 - Ssim.compute(a, Fixtures.image("c")), Ssim.distance(a, Fixtures.image("c")), 0);
    }

    @Test
    void negativeContrastStructureIsClampedToZero() {
        // a and its negative: at coarse scales the mean cs is negative, so the product is 0 (not NaN)
        MsSsim.Result r = MsSsim.compute(Fixtures.image("a"), Fixtures.image("e"), false);
        assertEquals(0.0, r.value(), 0);
        assertEquals(1.0, r.distance(), 0);
    }

    @Test
    void smallestSideForMultiScale() {
        RgbImage a = Fixtures.image("a"); // 201 x 167
        RgbImage b = Fixtures.image("b");
        assertEquals(MsSsim.Method.MS_SSIM, MsSsim.compute(a.crop(0, 0, 161, 161), b.crop(0, 0, 161, 161), false)
                .method());
        assertEquals(MsSsim.Method.SSIM, MsSsim.compute(a.crop(0, 0, 201, 160), b.crop(0, 0, 201, 160), false)
                .method());
    }

    @Test
    void rejectsMismatchedOrTinyImages() {
        RgbImage a = Fixtures.image("a");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ssim.compute(a, Fixtures.image("small_0")));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
        RgbImage tiny = a.crop(0, 0, 10, 10);
        assertThrows(IllegalArgumentException.class, () -> MsSsim.compute(tiny, tiny, true));
    }
}
