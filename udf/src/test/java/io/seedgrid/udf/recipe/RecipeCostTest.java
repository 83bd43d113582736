package io.seedgrid.udf.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.udf.pipeline.ConditionAnnealing;
import io.seedgrid.udf.sampler.NoiseSchedule;
import io.seedgrid.udf.sampler.ScheduleSpec;
import io.seedgrid.udf.sampler.SchedulerConfig;
import io.seedgrid.udf.testing.Golden;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecipeCostTest {

    private static final ScheduleSpec DMD2 = ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS);
    private static final NoiseSchedule SDXL = NoiseSchedule.of(SchedulerConfig.parse(
            Golden.json("golden/sampler/sdxl_scheduler_config.json").toString()));

    private static int cost(RecipeSpec recipe) {
        return RecipeCost.unetEvaluationsPerImage(recipe, model -> SDXL);
    }

    @Test
    void eachStepIsOneEvaluationAndTwoWithGuidance() {
        assertEquals(40, cost(Recipes.base("base", "sdxl", "euler", ScheduleSpec.of(20, "normal"), 5.0)));
        assertEquals(20, cost(Recipes.base("cfg1", "sdxl", "euler", ScheduleSpec.of(20, "normal"), 1.0)));
        assertEquals(4, cost(Recipes.dmd2("dmd2", "student", DMD2)));
        assertEquals(3, cost(Recipes.skipFirst("skip", "student", DMD2)));
        assertEquals(2 + 3, cost(Recipes.hybrid("k1", "sdxl", "euler", 5.0, 1, "student", DMD2)));
        assertEquals(2 * 3 + 1, cost(Recipes.hybrid("k3", "sdxl", "euler", 5.0, 3, "student", DMD2)));
        assertEquals(4, cost(Recipes.blend("blend", "sdxl", "student", 0.3, "lcm", DMD2, 1.0)));
        assertEquals(8, cost(Recipes.blend("blend-cfg", "sdxl", "student", 0.3, "lcm", DMD2, 2.0)));
        assertEquals(4, cost(Recipes.cads("cads", "student", "lcm", DMD2, 1.0, ConditionAnnealing.recommended())));
    }

    /** Limited-interval guidance pays double only where diffusers' σ of the step lies in (low, high]. */
    @Test
    void intervalGuidanceCountsTheStepsWhoseSigmaIsInsideTheInterval() {
        double[] sigmas = null;
        for (JsonNode c : Golden.json("golden/sampler/schedules.json").get("cases")) {
            if (c.get("sampler").asText().equals("euler") && c.get("schedule").asText().equals("normal")
                    && c.get("steps").asInt() == 20 && c.get("denoise").asDouble() == 1.0) {
                sigmas = Golden.doubles(c.get("sigmas"));
            }
        }
        int inside = 0;
        for (int i = 0; i < 20; i++) {      // the 21st sigma is the final 0, no step
            inside += sigmas[i] > Recipes.INTERVAL_SIGMA_LOW && sigmas[i] <= Recipes.INTERVAL_SIGMA_HIGH ? 1 : 0;
        }
        RecipeSpec interval = Recipes.intervalCfg("interval", "sdxl", "euler", ScheduleSpec.of(20, "normal"), 5.0,
                Recipes.INTERVAL_SIGMA_LOW, Recipes.INTERVAL_SIGMA_HIGH);
        assertEquals(20 + inside, cost(interval));
        assertEquals(true, inside > 0 && inside < 20, "the interval cuts the schedule: " + inside + " guided steps");
    }
}
