package io.seedgrid.udf.recipe;

import io.seedgrid.udf.pipeline.Guidance;
import io.seedgrid.udf.sampler.NoiseSchedule;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.Timeline;

import java.util.function.Function;

/**
 * What a recipe costs per image in UNet evaluations, counted as the pipeline runs them: each step of each
 * phase is one evaluation per image, two where classifier-free guidance is active at that step's σ (the
 * unconditional and the conditional row; {@code SdxlPipeline} asks {@link Guidance#activeAt} per step, so
 * limited-interval guidance pays double only inside its interval). Text encoders and the VAE are not counted.
 */
public final class RecipeCost {

    private RecipeCost() {
    }

    /**
     * @param schedules the noise schedule (from its scheduler config) of each model a phase names as its base
     */
    public static int unetEvaluationsPerImage(RecipeSpec recipe, Function<String, NoiseSchedule> schedules) {
        int evaluations = 0;
        for (PhaseSpec phase : recipe.phases()) {
            Guidance guidance = new Guidance(phase.cfg(), "", phase.cfgSigmaLow(), phase.cfgSigmaHigh());
            Timeline timeline = Samplers.byName(phase.sampler(), phase.eta())
                    .timeline(schedules.apply(phase.model().base()), recipe.timeline());
            for (int i = phase.from(); i < phase.to(); i++) {
                evaluations += guidance.activeAt(timeline.sigma(i)) ? 2 : 1;
            }
        }
        return evaluations;
    }
}
