package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.ModelConfig;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.recipe.RecipeCost;
import io.seedgrid.udf.recipe.RecipeSpec;
import io.seedgrid.udf.sampler.NoiseSchedule;
import io.seedgrid.udf.sampler.SchedulerConfig;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UNet evaluations per image of a config's recipes ({@link RecipeCost}), on the noise schedules of the models'
 * scheduler configs: the cost that {@code seedgrid tune} trades diversity for, and that the report's chart
 * colours recipes by. Reads each model's {@code scheduler/scheduler_config.json}, nothing else.
 */
public final class RecipeCosts {

    private RecipeCosts() {
    }

    /** Recipe name → UNet evaluations per image. */
    public static Map<String, Integer> unetEvaluations(Map<String, ModelConfig> models, List<RecipeSpec> recipes) {
        Map<String, NoiseSchedule> schedules = new HashMap<>();
        Map<String, Integer> out = new LinkedHashMap<>();
        for (RecipeSpec recipe : recipes) {
            out.put(recipe.name(), RecipeCost.unetEvaluationsPerImage(recipe, name -> schedules.computeIfAbsent(name,
                    m -> schedule(models.get(m)))));
        }
        return out;
    }

    private static NoiseSchedule schedule(ModelConfig model) {
        if (model == null) {
            throw new IllegalArgumentException("a recipe names a model the config does not define");
        }
        ModelDirectory dir = ModelDirectory.open(Path.of(model.path()), model.base() == null ? null : Path.of(model.base()));
        return NoiseSchedule.of(dir.schedulerConfig().map(SchedulerConfig::read).orElseGet(SchedulerConfig::sdxl));
    }
}
