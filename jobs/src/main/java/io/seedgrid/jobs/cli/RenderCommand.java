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

    @Option(names = "--recipe", description = "base (default), dmd2, hybrid, skip-first, blend, cads, interval-cfg:"
            + " a recipe with its literature defaults (README, Recipes)")
    String recipe;

    @Option(names = "--student", description = "the distilled model (DMD2) for --recipe hybrid and blend; it borrows from --model")
    Path student;

    @Option(names = "--steps", description = "sampling steps (default: 20; DMD2's 4 timesteps for dmd2, hybrid, skip-first, blend)")
    Integer steps;

    @Option(names = "--cfg", description = "guidance scale; 1 turns CFG off (default: 5; 1 for blend, off for dmd2)")
    Double cfg;

    @Option(names = "--sampler", description = "euler (default), euler_ancestral, dpmpp_2m, ddim, lcm (blend: lcm)")
    String sampler;

    @Option(names = "--scheduler", description = "normal (default), karras, trailing, sgm_uniform")
    String scheduler;

    @Option(names = "--timesteps", split = ",", description = "explicit timesteps, e.g. 999,749,499,249 (overrides --steps and --scheduler)")
    double[] timesteps;

    @Option(names = "--alpha", description = "blend: W = W_model + alpha (W_student - W_model)")
    Double alpha;

    @Option(names = "--base-steps", description = "hybrid: steps the base model runs before the student (default: 1)")
    Integer baseSteps;

    @Option(names = "--sigma-low", description = "interval-cfg: guide only where sigma > this (default: 0.28)")
    Double sigmaLow;

    @Option(names = "--sigma-high", description = "interval-cfg: guide only where sigma <= this (default: 5.42)")
    Double sigmaHigh;

    @Option(names = "--cads-noise-scale", description = "cads: noise scale s (default: 0.25)")
    Double cadsNoiseScale;

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
        RenderSpec spec = RenderSpec.parse(new RenderSpec.Options(model, base, student, prompt, negative, seed, recipe,
                steps, cfg, sampler, scheduler, timesteps, alpha, baseSteps, sigmaLow, sigmaHigh, cadsNoiseScale, width,
                height, longPrompt, device, out));
        Renderer.Result result = Renderer.render(spec);
        System.out.println(result.summary());
        return result.ok() ? 0 : Main.FAILED;
    }
}
