package io.seedgrid.udf.recipe;

import io.seedgrid.udf.pipeline.Guidance;
import io.seedgrid.udf.pipeline.Phase;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.sampler.Samplers;

import java.util.ArrayList;
import java.util.List;

/** Compiles a recipe into the pipeline's {@link SamplingPlan} for one prompt. */
public final class RecipeCompiler {

    private RecipeCompiler() {
    }

    /**
     * @param promptNegative the prompt's own negative prompt, used by guided phases that name none
     */
    public static SamplingPlan compile(RecipeSpec recipe, String promptNegative, ModelResolver models) {
        List<Phase> phases = new ArrayList<>();
        for (PhaseSpec p : recipe.phases()) {
            String negative = p.negativePrompt() != null ? p.negativePrompt() : promptNegative;
            Guidance guidance = new Guidance(p.cfg(), negative, p.cfgSigmaLow(), p.cfgSigmaHigh());
            phases.add(new Phase(models.resolve(p.model()), p.from(), p.to(), Samplers.byName(p.sampler(), p.eta()),
                    guidance, p.cads()));
        }
        return new SamplingPlan(recipe.timeline(), recipe.startStep(), phases);
    }
}
