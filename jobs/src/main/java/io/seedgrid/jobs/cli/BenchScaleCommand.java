package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.bench.ScaleBench;
import io.seedgrid.jobs.spark.SessionSpec;
import io.seedgrid.jobs.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid bench scale}. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "How busy the run loop keeps many task slots: the real generate job over a grid mixing a 50-step CFG"
                + " recipe with a 4-step one, each unit rendered by sleeping for its modelled GPU time; prints utilisation"
                + " (modelled work / (slots x wall time)) of this run loop and of the wave-1 chunk loop, in one run.")
final class BenchScaleCommand implements Callable<Integer> {

    @Option(names = "--master", defaultValue = "local[64]", description = "Spark master (default: ${DEFAULT-VALUE})")
    String master;

    @Option(names = "--prompts", defaultValue = "2000", description = "prompts (default: ${DEFAULT-VALUE})")
    int prompts;

    @Option(names = "--seeds", defaultValue = "25", description = "seeds per prompt (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--evaluation-ms", defaultValue = "2", description = "modelled ms per UNet image-evaluation"
            + " (default: ${DEFAULT-VALUE})")
    double evaluationMs;

    @Option(names = "--commit-seconds", defaultValue = "60", description = "modelled work per part at most"
            + " (default: ${DEFAULT-VALUE})")
    double commitSeconds;

    @Option(names = "--legacy-seconds", defaultValue = "120", description = "wall time given to the wave-1 loop"
            + " (default: ${DEFAULT-VALUE})")
    double legacySeconds;

    @Option(names = "--conf", description = "a Spark setting KEY=VALUE (repeatable), e.g. spark.executor.extraJavaOptions"
            + " for a standalone cluster's executors")
    java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();

    @Option(names = "--models", defaultValue = "models", description = "folder holding base/ and dmd2/ (only their"
            + " signatures and hashes are read; default: ${DEFAULT-VALUE})")
    Path models;

    @Override
    public Integer call() throws Exception {
        if (prompts < 1 || seeds < 1 || !(evaluationMs > 0) || !(commitSeconds > 0) || !(legacySeconds > 0)) {
            throw new IllegalArgumentException("--prompts, --seeds, --evaluation-ms, --commit-seconds and --legacy-seconds"
                    + " must be positive");
        }
        Path scratch = Files.createTempDirectory("seedgrid-scale");
        var spark = SparkSessions.getOrCreate(SessionSpec.of("seedgrid bench scale").withMaster(master).withUi(false)
                .withConf(conf));
        System.out.println(ScaleBench.run(spark, models.toAbsolutePath(), scratch, new ScaleBench.Options(prompts, seeds,
                evaluationMs, commitSeconds, 64, 4, legacySeconds), System.out).report());
        System.out.println("scratch output (safe to delete): " + scratch);
        return 0;
    }
}
