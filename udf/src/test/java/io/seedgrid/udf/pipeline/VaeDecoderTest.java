package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VaeDecoderTest {

    /** numpy's definition: round half to even of clamp(x/2 + 0.5, 0, 1) * 255 in float32. */
    private static int reference(float x) {
        float v = Math.max(0f, Math.min(1f, x * 0.5f + 0.5f));
        return (int) Math.rint(v * 255f);
    }

    @Test
    void quantizingIsRintOnEveryFloatOfTheRange() {
        // every y in [0, 255] with 8 bits of fraction covers all ties; random floats cover the rest
        for (int i = 0; i <= 255 * 256; i++) {
            float y = i / 256f;
            assertEquals((int) Math.rint(y), PixelLevels.quantize(y) & 0xff, "y = " + y);
        }
        Random random = new Random(7);
        for (int i = 0; i < 1_000_000; i++) {
            float y = random.nextFloat() * 255f;
            assertEquals((int) Math.rint(y), PixelLevels.quantize(y) & 0xff, "y = " + y);
        }
        assertEquals(2, PixelLevels.quantize(2.5f));
        assertEquals(4, PixelLevels.quantize(3.5f));
        assertEquals((byte) 255, PixelLevels.quantize(255f));
    }

    @Test
    void levelsAreTheClampedRoundedSample() {
        Random random = new Random(3);
        for (int i = 0; i < 1_000_000; i++) {
            float x = random.nextFloat() * 2.2f - 1.1f;
            assertEquals(reference(x), PixelLevels.level(x) & 0xff, "x = " + x);
        }
        assertEquals((byte) 255, PixelLevels.level(1f));
        assertEquals((byte) 255, PixelLevels.level(3f));
        assertEquals((byte) 0, PixelLevels.level(-1f));
        assertEquals((byte) 0, PixelLevels.level(-3f));
    }

    @Test
    void theSimdPathGivesTheScalarPathsBytes() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "the tests run with the module");
        Random random = new Random(11);
        for (int n : new int[] {1, 7, 16, 17, 3 * 64 * 48, 3 * 64 * 64 + 5}) {
            for (int round = 0; round < 20; round++) {
                float[] sample = new float[n];
                for (int i = 0; i < n; i++) {
                    sample[i] = round % 2 == 0 ? (float) random.nextGaussian() * 0.7f
                            : (random.nextInt(600) - 40) / 255f * 2f - 1f + (random.nextBoolean() ? 1f / 510 : 0f);
                }
                byte[] simd = new byte[n];
                byte[] scalar = new byte[n];
                assertTrue(PixelLevels.of(sample, simd));
                assertTrue(PixelLevels.scalar(sample, scalar, 0));
                assertArrayEquals(scalar, simd, "n = " + n);
            }
        }
    }

    @Test
    void aNonFiniteValueAnywhereMeansNoImage() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at : new int[] {0, 15, 16, 3 * 8 * 8 - 1}) {
                float[] sample = new float[3 * 8 * 8];
                sample[at] = bad;
                assertNull(VaeDecoder.toImage(sample, 8, 8), bad + " at " + at);
            }
        }
    }

    @Test
    void planesAreInterleavedAsRgb() {
        float[] sample = new float[3 * 2 * 2];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 4; p++) {
                sample[c * 4 + p] = (c * 4 + p) / 127.5f - 1f;   // level c * 4 + p
            }
        }
        RgbImage image = VaeDecoder.toImage(sample, 2, 2);
        byte[] expected = {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11};
        assertArrayEquals(expected, image.data());
    }
}
