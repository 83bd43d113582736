package io.seedgrid.jobs.cli;

import io.seedgrid.udf.metrics.LpipsBenchmark;
import io.seedgrid.udf.metrics.SsimBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code seedgrid bench ssim}. */
@Command(name = "ssim", mixinStandardHelpOptions = true,
        description = "Time SSIM + MS-SSIM of all pairs of a group from per-image features (cached once per image)"
                + " against the per-pair computation seedgrid used before, on one thread and a seeded synthetic group,"
                + " and report the time per pair of each, the ratio and the largest difference between the two.")
final class BenchSsimCommand implements Callable<Integer> {

    @Option(names = "--images", defaultValue = "16", description = "images in the group (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--size", defaultValue = "1024", description = "image width and height (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--baseline-pairs", description = "pairs the per-pair computation times, the first ones in order"
            + " (default: all; about 1 s each at 1024x1024)")
    Integer baselinePairs;

    @Option(names = "--repeats", defaultValue = "1", description = "timed runs of each path after a warm-up, the fastest"
            + " counts (default: ${DEFAULT-VALUE})")
    int repeats;

    @Override
    public Integer call() {
        if (images < 2) {
            throw new IllegalArgumentException("--images must be at least 2, got " + images);
        }
        if (size < 11) {
            throw new IllegalArgumentException("--size must be at least 11 (the SSIM window), got " + size);
        }
        long pairs = (long) images * (images - 1) / 2;
        if (baselinePairs != null && (baselinePairs < 1 || baselinePairs > pairs)) {
            throw new IllegalArgumentException("--baseline-pairs must be 1 to " + pairs + " for " + images
                    + " images, got " + baselinePairs);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        SsimBenchmark.Result result = SsimBenchmark.run(LpipsBenchmark.syntheticGroup(images, size, size, 0L),
                baselinePairs == null ? (int) pairs : baselinePairs, repeats);
        System.out.println(result.summary());
        return 0;
    }
}
