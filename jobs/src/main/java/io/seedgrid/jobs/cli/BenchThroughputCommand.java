package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.bench.ThroughputBench;
import io.seedgrid.jobs.render.RenderSpec;
import io.seedgrid.udf.onnx.GpuOptions;
import io.seedgrid.udf.onnx.TensorRtOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid bench throughput}. */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Images per second of one recipe at one batch size on one device (seeds 0..N-1 after one untimed"
                + " batch), each image written as SEED.png; prints one JSON line. tools/gpu-check compares it with ONNX"
                + " Runtime's Python API.")
final class BenchThroughputCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "SDXL model directory")
    Path model;

    @Option(names = "--base", description = "base directory for a UNet-only --model (DMD2)")
    Path base;

    @Option(names = "--recipe", defaultValue = "base", description = "base or dmd2 (default: ${DEFAULT-VALUE})")
    String recipe;

    @Option(names = "--prompt", defaultValue = "a photo of a red fox in the snow", description = "the prompt")
    String prompt;

    @Option(names = "--steps", description = "Euler steps for base (default 20); dmd2 runs its 4 timesteps")
    Integer steps;

    @Option(names = "--cfg", description = "guidance scale for base (default 5)")
    Double cfg;

    @Option(names = "--size", description = "image width and height (default: the model's)")
    Integer size;

    @Option(names = "--images", defaultValue = "8", description = "images timed (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--batch", defaultValue = "1", description = "seeds per UNet call (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--device", defaultValue = "cuda", description = "cpu, cuda[:N], tensorrt[:N], auto (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--conv-algo-search", defaultValue = "heuristic", description = "heuristic, exhaustive or default")
    String convAlgoSearch;

    @Option(names = "--no-tf32", description = "TF32 off")
    boolean noTf32;

    @Option(names = "--out-dir", required = true, description = "folder for the images")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        java.nio.file.Files.createDirectories(outDir);
        RenderSpec spec = RenderSpec.parse(new RenderSpec.Options(model, base, null, prompt, "", "0", recipe, steps, cfg,
                null, null, null, null, null, null, null, null, size, size, "truncate", device, outDir.resolve("unused.png")));
        GpuOptions gpu = new GpuOptions(GpuOptions.ConvAlgoSearch.parse(convAlgoSearch), 0,
                GpuOptions.ArenaExtendStrategy.SAME_AS_REQUESTED, true, !noTf32, false, TensorRtOptions.DEFAULTS);
        System.out.println(ThroughputBench.run(spec, gpu, images, batch, outDir).json());
        return 0;
    }
}
