package io.seedgrid.udf.recipe;

import io.seedgrid.udf.pipeline.ConditionAnnealing;
import io.seedgrid.udf.sampler.ScheduleSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecipeSpecTest {

    private static final ScheduleSpec DMD2 = ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS);

    @Test
    void everyKindSurvivesItsJsonFormAndTheCanonicalFormOmitsTheName() {
        List<RecipeSpec> recipes = List.of(
                Recipes.base("base", "sdxl", "dpmpp_2m", ScheduleSpec.of(30, "karras"), 6.5),
                Recipes.dmd2("dmd2", "student", DMD2),
                Recipes.hybrid("hybrid", "sdxl", "euler", 5.0, 1, "student", DMD2),
                Recipes.skipFirst("skip", "student", DMD2),
                Recipes.blend("blend-0.25", "sdxl", "student", 0.25, "lcm", DMD2, 1.0),
                Recipes.cads("cads", "sdxl", "euler", ScheduleSpec.of(25, "normal"), 5.0, ConditionAnnealing.recommended()),
                Recipes.intervalCfg("interval", "sdxl", "euler", new ScheduleSpec(20, "normal", null, 0.6), 5.0, 0.28, 5.42));
        for (RecipeSpec recipe : recipes) {
            RecipeSpec back = RecipeSpec.fromJson(recipe.toJsonWithName());
            assertEquals(recipe.canonicalJson(), back.canonicalJson(), recipe.name());
            assertEquals(recipe, back);
            assertFalse(recipe.canonicalJson().contains("\"name\""));
        }
        RecipeSpec renamed = new RecipeSpec("other", "dmd2", DMD2, 0, Recipes.dmd2("x", "student", DMD2).phases());
        assertEquals(Recipes.dmd2("dmd2", "student", DMD2).canonicalJson(), renamed.canonicalJson());
        assertTrue(recipes.get(4).canonicalJson().contains("{\"blend\":{\"a\":\"sdxl\",\"alpha\":0.25,\"b\":\"student\"}}"),
                recipes.get(4).canonicalJson());
        assertEquals(List.of("sdxl", "student"), List.copyOf(recipes.get(4).modelNames()));
    }

    @Test
    void overlappingGappedOrShortPhasesAreRefused() {
        ModelRef m = new ModelRef.Named("m");
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> new RecipeSpec("r", "hybrid", DMD2, 0,
                List.of(PhaseSpec.of(m, 0, 2, "euler", 5, null), PhaseSpec.of(m, 1, 4, "lcm", 1, null))));
        assertTrue(overlap.getMessage().contains("overlap"), overlap.getMessage());
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> new RecipeSpec("r", "hybrid", DMD2, 0,
                List.of(PhaseSpec.of(m, 0, 1, "euler", 5, null), PhaseSpec.of(m, 2, 4, "lcm", 1, null))));
        assertTrue(gap.getMessage().contains("gap"), gap.getMessage());
        IllegalArgumentException shortOf = assertThrows(IllegalArgumentException.class, () -> new RecipeSpec("r", "hybrid", DMD2, 0,
                List.of(PhaseSpec.of(m, 0, 3, "euler", 5, null))));
        assertTrue(shortOf.getMessage().contains("timeline has 4 steps"), shortOf.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Recipes.hybrid("h", "a", "euler", 5, 4, "b", DMD2));
        assertThrows(IllegalArgumentException.class, () -> new ModelRef.Blend("a", "b", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new RecipeSpec("bad name!", "dmd2", DMD2, 0,
                Recipes.dmd2("x", "m", DMD2).phases()));
        assertThrows(IllegalArgumentException.class, () -> new ConditionAnnealing(0.9, 0.6, 0.25, 1, true));
    }
}
