package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times SSIM + MS-SSIM of a group's pairs, as {@code measure} records them (SSIM, and MS-SSIM with
 * images under 161 px upsampled), two ways on the calling thread: the per-pair computation that
 * seedgrid used before the cache ({@link SsimBaseline}: every pair filters both images' means and
 * squares at every scale) against the cached path ({@link SsimFeatures} of every image once, then
 * {@link MsSsim#allPairs}). It reports the time per pair of each, wall and the thread's CPU time (the
 * CPU time does not count the time other processes on a shared machine hold the core), their ratios,
 * and the largest absolute difference between their values.
 */
public final class SsimBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SsimBenchmark() {
    }

    /** Wall and thread CPU nanoseconds of one timed section. */
    public record Time(long wallNanos, long cpuNanos) {
        Time fastest(Time other) {
            return new Time(Math.min(wallNanos, other.wallNanos), Math.min(cpuNanos, other.cpuNanos));
        }

        Time plus(Time other) {
            return new Time(wallNanos + other.wallNanos, cpuNanos + other.cpuNanos);
        }
    }

    /**
     * @param baselinePairs    pairs timed on the per-pair path (the first ones in condensed order; its
     *                         cost per pair does not depend on the pair)
     * @param features         cached path: features of every image
     * @param pairsFromCache   cached path: all pairs from the features
     * @param baseline         per-pair path: the baseline pairs
     * @param featureBytes     memory of one image's features
     * @param maxAbsDifference largest |cached - per-pair| over the baseline pairs, SSIM and MS-SSIM
     */
    public record Result(int images, int width, int height, int pairs, int baselinePairs, String method,
                         Time features, Time pairsFromCache, Time baseline, long featureBytes, double maxAbsDifference) {

        /** Cached path per pair, the features' time spread over the pairs (wall, then CPU). */
        public Time cachedPerPair() {
            Time all = features.plus(pairsFromCache);
            return new Time(all.wallNanos() / pairs, all.cpuNanos() / pairs);
        }

        public Time baselinePerPair() {
            return new Time(baseline.wallNanos() / baselinePairs, baseline.cpuNanos() / baselinePairs);
        }

        /** Per-pair wall time of the baseline over that of the cached path, features included. */
        public double speedup() {
            return (double) baseline.wallNanos() / baselinePairs * pairs
                    / (features.wallNanos() + pairsFromCache.wallNanos());
        }

        /** The same ratio of thread CPU times. */
        public double cpuSpeedup() {
            return (double) baseline.cpuNanos() / baselinePairs * pairs
                    / (features.cpuNanos() + pairsFromCache.cpuNanos());
        }

        public String summary() {
            Time base = baselinePerPair();
            Time cached = cachedPerPair();
            return String.format(Locale.ROOT,
                    "SSIM + MS-SSIM (%s), all pairs of %d images %dx%d (%d pairs), one thread, wall (cpu):%n"
                            + "  per-pair (before the cache): %.2f ms (%.2f ms) per pair, %d of %d pairs timed%n"
                            + "  cached: features %.1f ms (%.1f ms) per image, %.1f MiB each; pairs %.2f ms (%.2f ms)"
                            + " each; %.2f ms (%.2f ms) per pair with the features%n"
                            + "  %.1fx faster (cpu %.1fx), max |difference| %.2e",
                    method, images, width, height, pairs, base.wallNanos() / 1e6, base.cpuNanos() / 1e6,
                    baselinePairs, pairs, features.wallNanos() / 1e6 / images, features.cpuNanos() / 1e6 / images,
                    featureBytes / (1024.0 * 1024.0), pairsFromCache.wallNanos() / 1e6 / pairs,
                    pairsFromCache.cpuNanos() / 1e6 / pairs, cached.wallNanos() / 1e6, cached.cpuNanos() / 1e6,
                    speedup(), cpuSpeedup(), maxAbsDifference);
        }
    }

    /**
     * Times both paths on {@code images} (at least 2, one size, sides at least 11 px), after an untimed
     * warm-up of both on a small group (so that the JIT has compiled their loops). Each path runs
     * {@code repeats} times and its fastest run counts.
     *
     * @param baselinePairs how many pairs the per-pair path times (1 to all; all for the largest difference
     *                      over every pair)
     */
    public static Result run(List<RgbImage> images, int baselinePairs, int repeats) {
        int n = images.size();
        if (n < 2) {
            throw new IllegalArgumentException("the SSIM benchmark needs at least 2 images, got " + n);
        }
        int pairs = n * (n - 1) / 2;
        if (baselinePairs < 1 || baselinePairs > pairs) {
            throw new IllegalArgumentException("the per-pair path times 1 to " + pairs + " pairs, got " + baselinePairs);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("the SSIM benchmark needs at least 1 repeat, got " + repeats);
        }
        warmUp();
        int[][] order = new int[pairs][];
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++, k++) {
                order[k] = new int[] {i, j};
            }
        }

        Time featureTime = null;
        Time pairTime = null;
        Time baselineTime = null;
        MsSsim.GroupDistances cached = null;
        List<SsimFeatures> features = null;
        double[] ssim = new double[baselinePairs];
        MsSsim.Result[] ms = new MsSsim.Result[baselinePairs];
        for (int r = 0; r < repeats; r++) {
            features = null; // the previous run's features may be collected while these are built
            Stopwatch watch = new Stopwatch();
            features = new ArrayList<>(n);
            for (RgbImage image : images) {
                features.add(SsimFeatures.of(image));
            }
            Time f = watch.lap();
            cached = MsSsim.allPairs(features, true);
            Time p = watch.lap();
            for (int k = 0; k < baselinePairs; k++) {
                RgbImage a = images.get(order[k][0]);
                RgbImage b = images.get(order[k][1]);
                ssim[k] = SsimBaseline.ssim(a, b);
                ms[k] = SsimBaseline.msSsim(a, b, true);
            }
            Time b = watch.lap();
            featureTime = featureTime == null ? f : featureTime.fastest(f);
            pairTime = pairTime == null ? p : pairTime.fastest(p);
            baselineTime = baselineTime == null ? b : baselineTime.fastest(b);
        }

        double maxDiff = 0;
        for (int k = 0; k < baselinePairs; k++) {
            int i = order[k][0];
            int j = order[k][1];
            if (ms[k].method() != cached.method()) {
                throw new IllegalStateException("the two paths disagree on the method: " + ms[k].method() + " and "
                        + cached.method());
            }
            maxDiff = Math.max(maxDiff, Math.abs(cached.ssim().get(i, j) - (1 - ssim[k])));
            maxDiff = Math.max(maxDiff, Math.abs(cached.msSsim().get(i, j) - ms[k].distance()));
        }
        return new Result(n, images.get(0).width(), images.get(0).height(), pairs, baselinePairs,
                cached.method().label(), featureTime, pairTime, baselineTime, features.get(0).bytes(), maxDiff);
    }

    /** Wall and thread CPU time since the previous lap. */
    private static final class Stopwatch {
        private long wall = System.nanoTime();
        private long cpu = THREADS.getCurrentThreadCpuTime();

        Time lap() {
            long nowWall = System.nanoTime();
            long nowCpu = THREADS.getCurrentThreadCpuTime();
            Time t = new Time(nowWall - wall, nowCpu - cpu);
            wall = nowWall;
            cpu = nowCpu;
            return t;
        }
    }

    private static void warmUp() {
        List<RgbImage> small = LpipsBenchmark.syntheticGroup(3, 200, 190, 1);
        List<SsimFeatures> features = small.stream().map(SsimFeatures::of).toList();
        MsSsim.allPairs(features, true);
        SsimBaseline.ssim(small.get(0), small.get(1));
        SsimBaseline.msSsim(small.get(0), small.get(1), true);
    }
}
