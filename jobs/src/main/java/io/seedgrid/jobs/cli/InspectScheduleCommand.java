package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.InputFiles;
import io.seedgrid.jobs.config.Limits;
import io.seedgrid.jobs.inspect.ScheduleReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid inspect schedule}. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "A sampler's timesteps, sigmas and init_noise_sigma as JSON, as diffusers computes them.")
final class InspectScheduleCommand implements Callable<Integer> {

    @Option(names = "--sampler", required = true, description = "euler, euler_ancestral, dpmpp_2m, ddim, lcm (or a diffusers class name)")
    String sampler;

    @Option(names = "--scheduler", defaultValue = "normal", description = "normal, karras, trailing, sgm_uniform (default: ${DEFAULT-VALUE})")
    String scheduler;

    @Option(names = "--steps", description = "number of steps (required unless --timesteps is given)")
    Integer steps;

    @Option(names = "--timesteps", split = ",", description = "explicit timesteps, e.g. 999,749,499,249")
    double[] timesteps;

    @Option(names = "--denoise", defaultValue = "1.0", description = "fraction of the schedule to run, as ComfyUI (default: ${DEFAULT-VALUE})")
    double denoise;

    @Option(names = "--model", description = "read the scheduler config of this model directory (default: SDXL's)")
    Path model;

    @Override
    public Integer call() {
        if (steps == null && timesteps == null) {
            throw new IllegalArgumentException("give --steps N or --timesteps a,b,c");
        }
        if (steps != null && timesteps != null && steps != timesteps.length) {
            throw new IllegalArgumentException("--steps " + steps + " does not match the " + timesteps.length + " --timesteps");
        }
        int count = steps == null ? timesteps.length : steps;
        String tooMany = Limits.DEFAULTS.stepsProblem(denoise > 0 && denoise < 1 ? (long) (count / denoise) : count);
        if (tooMany != null) {
            throw new IllegalArgumentException("--steps: " + tooMany + " (seedgrid's default limit)");
        }
        if (model != null) {
            InputFiles.requireDirectory("--model", model);
        }
        System.out.println(ScheduleReport.json(sampler, scheduler, steps == null ? timesteps.length : steps, timesteps, denoise, model));
        return 0;
    }
}
