package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.generate.OverlapBench;
import io.seedgrid.udf.image.PngFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid bench overlap CONFIG}. */
@Command(name = "overlap", mixinStandardHelpOptions = true,
        description = "The GPU's idle share between UNet calls when one task slot renders a config's grid, without a GPU:"
                + " a stand-in takes each sub-model call's modelled GPU time (no CPU), seedgrid's real code does the"
                + " rest. Compares the overlapped part loop with the sequential one (and the PNG setting before) in one"
                + " run; reports images/s, idle shares and CPU time per image outside ONNX Runtime.")
final class BenchOverlapCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG", description = "run config (YAML), e.g. conf/bench-overlap.yaml; its grid is"
            + " rendered 3 x (rounds + 1) times into a scratch folder")
    Path config;

    @Option(names = "--unet-ms", defaultValue = "25", description = "modelled GPU ms per UNet row (one image; two under"
            + " CFG) (default: ${DEFAULT-VALUE}, generate's own model of 1024x1024 fp16)")
    double unetMs;

    @Option(names = "--vae-ms", defaultValue = "50", description = "modelled GPU ms per VAE decode (default: ${DEFAULT-VALUE})")
    double vaeMs;

    @Option(names = "--text-ms", defaultValue = "3", description = "modelled GPU ms per text encoder call"
            + " (default: ${DEFAULT-VALUE})")
    double textMs;

    @Option(names = "--rounds", defaultValue = "2", description = "timed runs of each set-up (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--png-threads", description = "PNG threads of the overlapped loop (default: cores - 1, at least 1,"
            + " as a task with spark.task.cpus = cores)")
    Integer pngThreads;

    @Option(names = "--image", description = "what the VAE stand-in returns (any image file, repeated over the run's"
            + " size; default: a synthetic photo-like image)")
    Path image;

    @Override
    public Integer call() throws Exception {
        if (!(unetMs > 0) || !(vaeMs >= 0) || !(textMs >= 0)) {
            throw new IllegalArgumentException("--unet-ms must be above 0, --vae-ms and --text-ms 0 or more");
        }
        if (image != null && !Files.isRegularFile(image)) {
            throw new IllegalArgumentException("--image: no such file: " + image);
        }
        RunConfig run = RunConfigParser.parse(config);
        int threads = pngThreads != null ? pngThreads : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        OverlapBench.Options options = new OverlapBench.Options(unetMs, vaeMs, textMs, rounds, threads,
                image == null ? null : PngFile.decode(Files.readAllBytes(image)));
        Path scratch = Files.createTempDirectory("seedgrid-bench-overlap");
        System.out.println(OverlapBench.run(run, options, scratch, System.out).report());
        System.out.println("scratch output (safe to delete): " + scratch);
        return 0;
    }
}
