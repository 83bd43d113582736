package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.render.RenderSpec;
import io.seedgrid.jobs.render.Renderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid render}: one image, no Spark, for trying settings before launching a grid. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Render one image (no Spark) to try settings before launching a grid.")
final class RenderCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "SDXL model directory (Optimum ONNX layout)")
    Path model;

    @Option(names = "--base", description = "base model directory for a UNet-only model (DMD2)")
    Path base;

    @Option(names = "--prompt", required = true, description = "the prompt")
    String prompt;

    @Option(names = "--negative", defaultValue = "", description = "negative prompt (used when --cfg > 1)")
    String negative;

    @Option(names = "--seed", required = true, description = "seed, unsigned 64-bit (as torch.Generator.manual_seed)")
    String seed;

    @Option(names = "--steps", defaultValue = "20", description = "sampling steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--cfg", defaultValue = "5.0", description = "guidance scale; 1 turns CFG off (default: ${DEFAULT-VALUE})")
    double cfg;

    @Option(names = "--sampler", defaultValue = "euler", description = "euler, euler_ancestral, dpmpp_2m, ddim, lcm (default: ${DEFAULT-VALUE})")
    String sampler;

    @Option(names = "--scheduler", defaultValue = "normal", description = "normal, karras, trailing, sgm_uniform (default: ${DEFAULT-VALUE})")
    String scheduler;

    @Option(names = "--timesteps", split = ",", description = "explicit timesteps, e.g. 999,749,499,249 (overrides --steps and --scheduler)")
    double[] timesteps;

    @Option(names = "--width", description = "image width, a multiple of 8 (default: the model's sample size, else 1024)")
    Integer width;

    @Option(names = "--height", description = "image height, a multiple of 8 (default: the model's sample size, else 1024)")
    Integer height;

    @Option(names = "--long-prompt", defaultValue = "truncate", description = "truncate or chunk prompts over 75 tokens (default: ${DEFAULT-VALUE})")
    String longPrompt;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--out", required = true, description = "output PNG file")
    Path out;

    @Override
    public Integer call() throws Exception {
        RenderSpec spec = RenderSpec.parse(model, base, prompt, negative, seed, steps, cfg, sampler, scheduler, timesteps,
                width, height, longPrompt, device, out);
        Renderer.Result result = Renderer.render(spec);
        System.out.println(result.summary());
        return result.ok() ? 0 : Main.FAILED;
    }
}
