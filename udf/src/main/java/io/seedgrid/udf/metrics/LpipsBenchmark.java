package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;

/**
 * Times all-pairs LPIPS of a group from the feature cache (n network runs, then n(n-1)/2 vector
 * distances) against the naive per-pair evaluation (the network on both images of every pair), and
 * checks that both give the same distances. The target: cached at least 8x faster, difference at
 * most 1e-5.
 */
public final class LpipsBenchmark {
    private LpipsBenchmark() {
    }

    /**
     * @param cachedNanos    wall time of the cached path (features of every image + all pairs), best run
     * @param naiveNanos     wall time of the naive path (every pair through the network), best run
     * @param speedup        naiveNanos / cachedNanos
     * @param maxAbsDifference largest |cached - naive| over all pairs
     */
    public record Result(int images, int pairs, int width, int height, long cachedNanos, long naiveNanos,
                         double speedup, double maxAbsDifference, double meanDistance) {
        public String summary() {
            return String.format(java.util.Locale.ROOT,
                    "LPIPS all pairs of %d images %dx%d (%d pairs): cached %.1f ms, naive %.1f ms, %.1fx faster, "
                            + "max |difference| %.2e, mean distance %.6f",
                    images, width, height, pairs, cachedNanos / 1e6, naiveNanos / 1e6, speedup, maxAbsDifference,
                    meanDistance);
        }
    }

    /** One timed run of each path after a warm-up; see {@link #run(Lpips, List, int)}. */
    public static Result run(Lpips lpips, List<RgbImage> images) throws OrtException {
        return run(lpips, images, 1);
    }

    /**
     * Times both paths on {@code images} (at least 2, same size). A warm-up runs the cached path on
     * the whole group and the naive path on one pair first (first runs allocate, plan and JIT-compile);
     * then each path runs {@code repeats} times and the fastest run of each is reported (the usual
     * estimate on a shared, noisy machine).
     */
    public static Result run(Lpips lpips, List<RgbImage> images, int repeats) throws OrtException {
        if (images.size() < 2) {
            throw new IllegalArgumentException("the LPIPS benchmark needs at least 2 images, got " + images.size());
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("the LPIPS benchmark needs at least 1 repeat, got " + repeats);
        }
        Lpips.allPairs(lpips.features(images));
        lpips.naiveDistance(images.get(0), images.get(1));

        int n = images.size();
        long cachedNanos = Long.MAX_VALUE;
        long naiveNanos = Long.MAX_VALUE;
        PairwiseDistances cached = null;
        double[] naive = new double[n * (n - 1) / 2];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            cached = Lpips.allPairs(lpips.features(images));
            cachedNanos = Math.min(cachedNanos, System.nanoTime() - start);

            start = System.nanoTime();
            for (int i = 0, k = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++, k++) {
                    naive[k] = lpips.naiveDistance(images.get(i), images.get(j));
                }
            }
            naiveNanos = Math.min(naiveNanos, System.nanoTime() - start);
        }

        double maxDiff = 0;
        double[] c = cached.condensed();
        for (int k = 0; k < c.length; k++) {
            maxDiff = Math.max(maxDiff, Math.abs(c[k] - naive[k]));
        }
        return new Result(n, c.length, images.get(0).width(), images.get(0).height(), cachedNanos, naiveNanos,
                (double) naiveNanos / cachedNanos, maxDiff, cached.mean());
    }

    /**
     * A seeded group of smooth random images (low-frequency colour waves plus mild noise), for running
     * the benchmark without real renders.
     */
    public static List<RgbImage> syntheticGroup(int n, int width, int height, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        List<RgbImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[][] wave = new double[3][4];
            for (double[] w : wave) {
                for (int k = 0; k < w.length; k++) {
                    w[k] = uniform(rng);
                }
            }
            byte[] rgb = new byte[width * height * 3];
            for (int y = 0, o = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < 3; c++, o++) {
                        double[] w = wave[c];
                        double v = 128 + 60 * Math.sin(2 * Math.PI * (w[0] * 3 * x / width + w[1] * 3 * y / height
                                + w[2])) + 40 * (w[3] - 0.5) + 8 * (uniform(rng) - 0.5);
                        rgb[o] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                    }
                }
            }
            out.add(RgbImage.wrap(width, height, rgb));
        }
        return out;
    }

    private static double uniform(SplitMix64 rng) {
        return (rng.next() >>> 11) * 0x1.0p-53;
    }
}
