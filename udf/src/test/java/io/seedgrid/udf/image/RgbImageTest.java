package io.seedgrid.udf.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class RgbImageTest {

    @Test
    void pngRoundTripIsLossless() throws Exception {
        RgbImage a = fixture("a");
        assertEquals(201, a.width());
        assertEquals(167, a.height());
        assertEquals(a, PngFile.decode(PngEncoder.encode(a, java.util.Map.of())));
    }

    @Test
    void decodesInterleavedRgbInRowMajorOrder() throws Exception {
        byte[] rgb = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (byte) 200};
        RgbImage img = new RgbImage(2, 2, rgb);
        RgbImage back = PngFile.decode(PngEncoder.encode(img, java.util.Map.of()));
        assertArrayEquals(rgb, back.rgb());
        rgb[0] = 99; // the constructor copied
        assertEquals(1, img.rgb()[0]);
    }

    @Test
    void greyPngIsReplicatedWithoutColourConversion() throws Exception {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 60, 200});
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(grey, "png", png);
        RgbImage img = PngFile.decode(png.toByteArray());
        assertArrayEquals(new byte[] {0, 0, 0, 60, 60, 60, (byte) 200, (byte) 200, (byte) 200}, img.rgb());
    }

    @Test
    void channelsFirstConversions() throws Exception {
        RgbImage img = new RgbImage(2, 1, new byte[] {0, (byte) 255, 51, (byte) 128, 1, 2});
        float[] unit = img.toChwUnit();
        assertArrayEquals(new float[] {0f, 128 / 255f, 1f, 1 / 255f, 51 / 255f, 2 / 255f}, unit);
        float[] signed = img.toChwSigned();
        assertEquals(-1f, signed[0]);
        assertEquals(1f, signed[2]);
        assertEquals(128 / 127.5f - 1f, signed[1]);
    }

    @Test
    void cropTakesTheRectangle() throws Exception {
        RgbImage a = fixture("a");
        RgbImage c = a.crop(10, 20, 5, 4);
        byte[] full = a.rgb();
        byte[] part = c.rgb();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(full[((20 + y) * 201 + 10 + x) * 3 + ch], part[(y * 5 + x) * 3 + ch]);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> a.crop(200, 0, 5, 5));
    }

    @Test
    void rejectsBadInput() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PngFile.decode(new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("cannot decode"), e.getMessage());
        assertNotEquals(fixture("a"), fixture("b"));
    }

    private static RgbImage fixture(String name) throws java.io.IOException {
        return PngFile.decode(java.nio.file.Files.readAllBytes(io.seedgrid.udf.testing.Golden.resource("metrics/images/" + name + ".png")));
    }
}
