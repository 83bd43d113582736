package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.measure.MetricModels;
import io.seedgrid.jobs.measure.MetricSuite;
import io.seedgrid.udf.metrics.LpipsBenchmark;
import io.seedgrid.udf.onnx.SessionSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code seedgrid bench lpips}. */
@Command(name = "lpips", mixinStandardHelpOptions = true,
        description = "Time all-pairs LPIPS of a group from the per-image feature cache against the naive per-pair"
                + " evaluation (the network on both images of every pair), on a seeded synthetic group, and report"
                + " the ratio and the largest difference between the two.")
final class BenchLpipsCommand implements Callable<Integer> {

    @Option(names = "--lpips", required = true, paramLabel = "DIR", description = "LPIPS metric model directory")
    Path lpips;

    @Option(names = "--images", defaultValue = "16", description = "images in the group (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--size", defaultValue = "256", description = "image width and height (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--repeats", defaultValue = "3", description = "timed runs of each path after a warm-up, the fastest"
            + " counts (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, 0 = all cores (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (images < 2) {
            throw new IllegalArgumentException("--images must be at least 2, got " + images);
        }
        if (size < 32) {
            throw new IllegalArgumentException("--size must be at least 32 (the LPIPS backbone's deepest layer), got " + size);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        MetricModels models = new MetricModels(lpips.toAbsolutePath().normalize().toString(), List.of(), null, false);
        MetricSuite suite = MetricSuite.get(models, SessionSettings.cpu(threads));
        LpipsBenchmark.Result result = LpipsBenchmark.run(suite.lpips(),
                LpipsBenchmark.syntheticGroup(images, size, size, 0L), repeats);
        System.out.println(result.summary());
        return 0;
    }
}
