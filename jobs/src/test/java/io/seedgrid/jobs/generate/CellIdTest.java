package io.seedgrid.jobs.generate;

import io.seedgrid.udf.recipe.RecipeSpec;
import io.seedgrid.udf.recipe.Recipes;
import io.seedgrid.udf.sampler.ScheduleSpec;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CellIdTest {

    private static final RecipeSpec RECIPE = Recipes.dmd2("dmd2", "student", ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS));

    private static String id(String prompt, String negative, long seed, RecipeSpec recipe, int w, String mode, String hash) {
        return CellId.of(prompt, negative, seed, recipe, w, 64, mode, List.of(hash));
    }

    @Test
    void everyInputChangesTheIdAndNothingElseDoes() {
        String base = id("a cat", "", 1, RECIPE, 64, "truncate", "h1");
        assertEquals(base, id("a cat", "", 1, RecipeSpec.fromJson(RECIPE.toJsonWithName()), 64, "truncate", "h1"));
        Set<String> ids = new HashSet<>(List.of(base,
                id("a cat.", "", 1, RECIPE, 64, "truncate", "h1"),
                id("a cat", "x", 1, RECIPE, 64, "truncate", "h1"),
                id("a cat", "", 2, RECIPE, 64, "truncate", "h1"),
                id("a cat", "", -1L, RECIPE, 64, "truncate", "h1"),
                id("a cat", "", 1, Recipes.dmd2("other", "student", ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), 64, "truncate", "h1"),
                id("a cat", "", 1, Recipes.dmd2("dmd2", "student", ScheduleSpec.explicit(999, 759, 499, 259)), 64, "truncate", "h1"),
                id("a cat", "", 1, RECIPE, 72, "truncate", "h1"),
                id("a cat", "", 1, RECIPE, 64, "chunk", "h1"),
                id("a cat", "", 1, RECIPE, 64, "truncate", "h2"),
                // field boundaries are length-prefixed: moving text between fields changes the id
                id("a ca", "t", 1, RECIPE, 64, "truncate", "h1")));
        assertEquals(11, ids.size());
    }

    @Test
    void idsAreStableAcrossVersions() {
        // A changed id makes every rerun render its grid again: this value must not change. It was checked
        // independently in Python: SHA-256 over the length-prefixed (4-byte big-endian) UTF-8 fields
        // "seedgrid-cell-v1", prompt, negative, seed, recipe name, canonical recipe JSON, "64x64", mode, hashes.
        assertEquals("05fbc797cb39ff640dc080888f2dab15", id("a cat", "", 1, RECIPE, 64, "truncate", "h1"));
    }
}
