package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the grid is cut into units, chunks and cost-balanced task slots. */
class GridPlannerTest {

    @Test
    void slotsHoldEveryUnitOnceInGridOrderAndBalanceTheirCost(@TempDir Path dir) {
        // base (4 Euler steps with CFG: 1 + 8 per image), dmd2 (4 LCM steps: 1 + 4), hybrid (1 + 2 + 3)
        RunConfig config = TinyRun.config(dir, "plan", "batch_size: 1");
        Map<String, RecipeSpec> recipes = new HashMap<>();
        config.recipes().forEach(r -> recipes.put(r.name(), r));
        List<WorkUnit> units = GridPlanner.units(config, Preflight.check(config), new HashSet<>());
        assertEquals(18, units.size());
        assertEquals(9, GridPlanner.cost(units.get(0), recipes), "base: 1 + 4 steps x 2 rows");
        assertEquals(5, GridPlanner.cost(units.get(3), recipes), "dmd2: 1 + 4 steps");
        assertEquals(6, GridPlanner.cost(units.get(6), recipes), "hybrid: 1 + 1 step x 2 rows + 3 steps");

        for (int n : new int[] {1, 2, 3, 4, 40}) {
            List<List<WorkUnit>> slots = GridPlanner.slots(units, n, recipes);
            assertEquals(Math.min(n, units.size()), slots.size());
            List<WorkUnit> seen = new ArrayList<>();
            long max = 0;
            for (List<WorkUnit> slot : slots) {
                for (int i = 1; i < slot.size(); i++) {
                    assertTrue(units.indexOf(slot.get(i - 1)) < units.indexOf(slot.get(i)), "grid order within a slot");
                }
                seen.addAll(slot);
                max = Math.max(max, slot.stream().mapToLong(u -> GridPlanner.cost(u, recipes)).sum());
            }
            assertEquals(new HashSet<>(units), new HashSet<>(seen));
            assertEquals(units.size(), seen.size());
            long total = units.stream().mapToLong(u -> GridPlanner.cost(u, recipes)).sum();
            long unitMax = units.stream().mapToLong(u -> GridPlanner.cost(u, recipes)).max().orElseThrow();
            // LPT: the busiest slot holds at most the mean load plus one unit
            assertTrue(max <= Math.max(unitMax, (total + n - 1) / n + unitMax), n + " slots: busiest " + max);
        }
        // Spark's contiguous slicing into 2 would put 6 base units (54) against 6 dmd2 + 6 hybrid (66) only by luck of
        // the grid order; the slots are within one unit of even
        List<List<WorkUnit>> two = GridPlanner.slots(units, 2, recipes);
        long a = two.get(0).stream().mapToLong(u -> GridPlanner.cost(u, recipes)).sum();
        long b = two.get(1).stream().mapToLong(u -> GridPlanner.cost(u, recipes)).sum();
        assertTrue(Math.abs(a - b) <= 9, a + " vs " + b);
    }
}
