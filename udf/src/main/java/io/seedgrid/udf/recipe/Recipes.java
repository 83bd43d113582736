package io.seedgrid.udf.recipe;

import io.seedgrid.udf.pipeline.ConditionAnnealing;
import io.seedgrid.udf.sampler.ScheduleSpec;

import java.util.List;

/**
 * The recipe kinds, each sugar for a {@link RecipeSpec}, with the defaults the literature recommends
 * (see the README's recipe table).
 */
public final class Recipes {

    /** DMD2's 4-step timesteps (DMD2 model card); LCM's own default would be [999, 759, 499, 259]. */
    public static final double[] DMD2_TIMESTEPS = {999, 749, 499, 249};
    /** Guidance interval for SD-XL from Kynkäänniemi et al. 2024: σ in (0.28, 5.42]. */
    public static final double INTERVAL_SIGMA_LOW = 0.28;
    public static final double INTERVAL_SIGMA_HIGH = 5.42;

    /** The kinds, as written in configs and {@code --recipe}. */
    public static final List<String> KINDS = List.of("base", "dmd2", "hybrid", "skip-first", "blend", "cads", "interval-cfg");

    private Recipes() {
    }

    /** Plain SDXL: any sampler and schedule, CFG with the prompt's negative prompt. */
    public static RecipeSpec base(String name, String model, String sampler, ScheduleSpec schedule, double cfg) {
        return new RecipeSpec(name, "base", schedule, 0,
                List.of(PhaseSpec.of(new ModelRef.Named(model), 0, schedule.steps(), sampler, cfg, null)));
    }

    /** DMD2: LCM sampling at explicit timesteps ({@link #DMD2_TIMESTEPS} by default), CFG off. */
    public static RecipeSpec dmd2(String name, String model, ScheduleSpec timesteps) {
        return new RecipeSpec(name, "dmd2", timesteps, 0,
                List.of(PhaseSpec.of(new ModelRef.Named(model), 0, timesteps.steps(), "lcm", 1.0, null)));
    }

    /**
     * Hybrid (Gandikota & Bau 2025): the base model runs the first {@code baseSteps} steps of the timeline
     * with its own sampler and CFG, the distilled model finishes with LCM and CFG off.
     */
    public static RecipeSpec hybrid(String name, String base, String baseSampler, double baseCfg, int baseSteps,
                                    String student, ScheduleSpec timesteps) {
        if (baseSteps < 1 || baseSteps >= timesteps.steps()) {
            throw new IllegalArgumentException("hybrid '" + name + "': base_steps must be in [1, " + (timesteps.steps() - 1)
                    + "], got " + baseSteps);
        }
        return new RecipeSpec(name, "hybrid", timesteps, 0, List.of(
                PhaseSpec.of(new ModelRef.Named(base), 0, baseSteps, baseSampler, baseCfg, null),
                PhaseSpec.of(new ModelRef.Named(student), baseSteps, timesteps.steps(), "lcm", 1.0, null)));
    }

    /** Skip-first (the same paper's ablation): the distilled model starts from noise at the second timestep. */
    public static RecipeSpec skipFirst(String name, String model, ScheduleSpec timesteps) {
        if (timesteps.steps() < 2) {
            throw new IllegalArgumentException("skip-first '" + name + "' needs a timeline of at least 2 steps");
        }
        return new RecipeSpec(name, "skip-first", timesteps, 1,
                List.of(PhaseSpec.of(new ModelRef.Named(model), 1, timesteps.steps(), "lcm", 1.0, null)));
    }

    /** Weight blend W = W_a + α·(W_b − W_a), sampled with any sampler. */
    public static RecipeSpec blend(String name, String a, String b, double alpha, String sampler, ScheduleSpec schedule,
                                   double cfg) {
        return new RecipeSpec(name, "blend", schedule, 0,
                List.of(PhaseSpec.of(new ModelRef.Blend(a, b, alpha), 0, schedule.steps(), sampler, cfg, null)));
    }

    /** CADS (Sadat et al. 2024): condition annealing on top of a plain run. */
    public static RecipeSpec cads(String name, String model, String sampler, ScheduleSpec schedule, double cfg, ConditionAnnealing cads) {
        return new RecipeSpec(name, "cads", schedule, 0,
                List.of(PhaseSpec.of(new ModelRef.Named(model), 0, schedule.steps(), sampler, cfg, null).withCads(cads)));
    }

    /** Guidance in a limited interval (Kynkäänniemi et al. 2024): CFG only where σ lies in (low, high]. */
    public static RecipeSpec intervalCfg(String name, String model, String sampler, ScheduleSpec schedule, double cfg,
                                         double sigmaLow, double sigmaHigh) {
        return new RecipeSpec(name, "interval-cfg", schedule, 0, List.of(
                PhaseSpec.of(new ModelRef.Named(model), 0, schedule.steps(), sampler, cfg, null).withInterval(sigmaLow, sigmaHigh)));
    }
}
