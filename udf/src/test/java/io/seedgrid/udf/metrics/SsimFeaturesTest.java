package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cached path (per-image {@link SsimFeatures}, per-pair covariance only) against the per-pair
 * computation it replaced ({@link SsimBaseline}): equal to 1e-12 on random images of odd sizes,
 * including sizes under 161 px (upsampled MS-SSIM) and the 11 px minimum.
 */
class SsimFeaturesTest {
    private static final double TOLERANCE = 1e-12;

    /** width, height: native MS-SSIM (odd, even, exactly 161), small (upsampled, both orientations), minimum. */
    private static final int[][] SIZES = {{201, 167}, {173, 161}, {161, 203}, {162, 175}, {97, 45}, {45, 97},
            {160, 301}, {11, 13}, {23, 11}};

    @Test
    void cachedEqualsPerPairOnRandomImagesOfOddSizes() {
        SplitMix64 rng = new SplitMix64(11);
        double worst = 0;
        int pairs = 0;
        for (int[] size : SIZES) {
            List<RgbImage> images = group(rng, size[0], size[1]);
            List<SsimFeatures> features = images.stream().map(SsimFeatures::of).toList();
            for (int i = 0; i < images.size(); i++) {
                for (int j = i + 1; j < images.size(); j++, pairs++) {
                    RgbImage a = images.get(i);
                    RgbImage b = images.get(j);
                    String name = size[0] + "x" + size[1] + " pair " + i + "," + j;
                    double ssim = SsimBaseline.ssim(a, b);
                    worst = check(worst, ssim, Ssim.compute(features.get(i), features.get(j)), name);
                    worst = check(worst, 1 - ssim, Ssim.distance(features.get(i), features.get(j)), name);
                    worst = check(worst, ssim, Ssim.compute(a, b), name + " per-pair entry point");
                    for (boolean upsample : new boolean[] {true, false}) {
                        MsSsim.Result expected = SsimBaseline.msSsim(a, b, upsample);
                        MsSsim.Result cached = MsSsim.compute(features.get(i), features.get(j), upsample);
                        assertEquals(expected.method(), cached.method(), name);
                        worst = check(worst, expected.value(), cached.value(), name + " upsample " + upsample);
                        MsSsim.WithSsim both = MsSsim.computeWithSsim(features.get(i), features.get(j), upsample);
                        assertEquals(expected.method(), both.msSsim().method(), name);
                        worst = check(worst, expected.value(), both.msSsim().value(), name);
                        worst = check(worst, ssim, both.ssim(), name);
                        MsSsim.Result perPair = MsSsim.compute(a, b, upsample);
                        assertEquals(expected.method(), perPair.method(), name);
                        worst = check(worst, expected.value(), perPair.value(), name + " per-pair entry point");
                    }
                    assertEquals(MsSsim.compute(features.get(i), features.get(j), true),
                            MsSsim.compute(features.get(i), features.get(j)));
                }
            }
        }
        assertEquals(SIZES.length * 6, pairs);
        // The cached path repeats the per-pair arithmetic in the same order: no difference at all here.
        assertEquals(0.0, worst, "largest difference to the per-pair computation");
    }

    @Test
    void simdLanesAndScalarLoopsGiveTheSameBits() {
        assertTrue(ValidGaussianFilter.LANES, "the test runner adds jdk.incubator.vector, so the lanes are what runs");
        SplitMix64 rng = new SplitMix64(21);
        // widths around the lane counts (4 doubles for AVX2, 8 for AVX-512) and their scalar tails
        for (int[] size : new int[][] {{11, 11}, {18, 13}, {19, 30}, {37, 21}, {201, 167}}) {
            List<RgbImage> images = group(rng, size[0], size[1]);
            SsimFeatures.Level a = SsimFeatures.of(images.get(0)).levels().get(0);
            SsimFeatures.Level b = SsimFeatures.of(images.get(1)).levels().get(0);
            for (int c = 0; c < 3; c++) {
                for (boolean luminance : new boolean[] {true, false}) {
                    Ssim.Means lanes = SsimFeatures.means(a, b, c, luminance, true);
                    Ssim.Means scalar = SsimFeatures.means(a, b, c, luminance, false);
                    assertEquals(Double.doubleToLongBits(scalar.cs()), Double.doubleToLongBits(lanes.cs()));
                    assertEquals(Double.doubleToLongBits(scalar.ssim()), Double.doubleToLongBits(lanes.ssim()));
                }
                float[] plane = a.plane()[c];
                int w = size[0];
                ValidGaussianFilter.RowSource source = (row, out) -> {
                    for (int i = 0; i < w; i++) {
                        out[i] = plane[row * w + i];
                    }
                };
                assertArrayEquals(new ValidGaussianFilter(w, size[1], false).filter(source),
                        new ValidGaussianFilter(w, size[1], true).filter(source));
                assertArrayEquals(a.mean()[c], new ValidGaussianFilter(w, size[1], false).filter(source),
                        "features made with the lanes equal the scalar filter");
            }
        }
    }

    @Test
    void allPairsOfAGroupMatchThePerPairValues() {
        SplitMix64 rng = new SplitMix64(3);
        for (int[] size : new int[][] {{171, 163}, {64, 48}}) {
            List<RgbImage> images = group(rng, size[0], size[1]);
            images.addAll(LpipsBenchmark.syntheticGroup(2, size[0], size[1], 9));
            List<SsimFeatures> features = images.stream().map(SsimFeatures::of).toList();
            MsSsim.GroupDistances all = MsSsim.allPairs(features, true);
            MsSsim.GroupDistances ssimOnly = MsSsim.allPairs(features, false);
            assertNull(ssimOnly.msSsim());
            assertNull(ssimOnly.method());
            int n = images.size();
            assertEquals(n * (n - 1) / 2, all.ssim().pairs());
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    MsSsim.Result expected = SsimBaseline.msSsim(images.get(i), images.get(j), true);
                    double ssim = SsimBaseline.ssim(images.get(i), images.get(j));
                    assertEquals(1 - ssim, all.ssim().get(i, j), TOLERANCE);
                    assertEquals(1 - ssim, ssimOnly.ssim().get(i, j), TOLERANCE);
                    assertEquals(expected.distance(), all.msSsim().get(i, j), TOLERANCE);
                    assertEquals(expected.method(), all.method());
                }
            }
            assertTrue(all.ssim().min() > 0 && all.msSsim().min() > 0, "distinct images are at a distance");
        }
    }

    @Test
    void identicalImagesAreAtDistanceZero() {
        SsimFeatures a = SsimFeatures.of(LpipsBenchmark.syntheticGroup(1, 180, 170, 4).get(0));
        assertEquals(1.0, Ssim.compute(a, a), 1e-15);
        assertEquals(1.0, MsSsim.compute(a, a).value(), 1e-15);
    }

    @Test
    void documentedMemory() {
        // the figures quoted in SsimFeatures' javadoc
        assertEquals(81_923_520L, SsimFeatures.of(image(new SplitMix64(1), 1024, 1024)).bytes());
        assertEquals(20_022_720L, SsimFeatures.of(image(new SplitMix64(1), 512, 512)).bytes());
        assertEquals(1_994_220L, SsimFeatures.of(image(new SplitMix64(1), 64, 64)).bytes());
    }

    @Test
    void rejectsMismatchedTinyOrPartialFeatures() {
        SplitMix64 rng = new SplitMix64(5);
        SsimFeatures a = SsimFeatures.of(image(rng, 201, 167));
        SsimFeatures small = SsimFeatures.of(image(rng, 48, 40));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ssim.compute(a, small));
        assertTrue(e.getMessage().contains("same size, got 201x167 and 48x40"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MsSsim.compute(a, small));
        assertThrows(IllegalArgumentException.class, () -> MsSsim.allPairs(List.of(a, small), true));
        assertThrows(IllegalArgumentException.class, () -> MsSsim.allPairs(List.of(a), true));
        e = assertThrows(IllegalArgumentException.class, () -> SsimFeatures.of(image(rng, 10, 30)));
        assertTrue(e.getMessage().contains("at least 11x11"), e.getMessage());
        SsimFeatures ssimOnly = SsimFeatures.of(image(rng, 201, 167), true, false);
        assertThrows(IllegalArgumentException.class, () -> MsSsim.compute(ssimOnly, ssimOnly));
        SsimFeatures msOnly = SsimFeatures.of(image(rng, 48, 40), false, true);
        assertThrows(IllegalArgumentException.class, () -> Ssim.compute(msOnly, msOnly));
    }

    /** Four images: a random one, a noisy copy of it, its noisier copy and an independent random one. */
    private static List<RgbImage> group(SplitMix64 rng, int w, int h) {
        RgbImage a = image(rng, w, h);
        List<RgbImage> out = new ArrayList<>();
        out.add(a);
        out.add(noisy(rng, a, 20));
        out.add(noisy(rng, a, 90));
        out.add(image(rng, w, h));
        return out;
    }

    private static RgbImage image(SplitMix64 rng, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) rng.next();
        }
        return RgbImage.wrap(w, h, rgb);
    }

    private static RgbImage noisy(SplitMix64 rng, RgbImage image, int amplitude) {
        byte[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i++) {
            int v = (rgb[i] & 0xFF) + rng.nextIndex(2 * amplitude + 1) - amplitude;
            rgb[i] = (byte) Math.max(0, Math.min(255, v));
        }
        return RgbImage.wrap(image.width(), image.height(), rgb);
    }

    private static double check(double worst, double expected, double actual, String name) {
        assertEquals(expected, actual, TOLERANCE, name);
        return Math.max(worst, Math.abs(expected - actual));
    }
}
