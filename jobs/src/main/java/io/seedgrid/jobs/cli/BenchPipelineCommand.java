package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.bench.PipelineBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid bench pipeline}. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Time the pipeline at one batch size and split it into time inside ONNX Runtime's run and time outside it.")
final class BenchPipelineCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "models/base", description = "model directory (default: ${DEFAULT-VALUE})")
    Path model;

    @Option(names = "--batch", defaultValue = "8", description = "seeds per UNet call (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", defaultValue = "20", description = "Euler steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--cfg", defaultValue = "5.0", description = "guidance scale (default: ${DEFAULT-VALUE})")
    double cfg;

    @Option(names = "--size", description = "image width and height (default: the model's)")
    Integer size;

    @Option(names = "--repeats", defaultValue = "5", description = "timed batches after one warm-up (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads, 0 = all cores"
            + " (default: ${DEFAULT-VALUE}: ONNX Runtime then works on the pipeline's thread, so its CPU time is measurable)")
    int threads;

    @Override
    public Integer call() throws Exception {
        System.out.println(PipelineBench.run(model, batch, steps, cfg, size, repeats, threads).report());
        return 0;
    }
}
