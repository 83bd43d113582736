package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.PromptEntry;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.recipe.PhaseSpec;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expands a config into work units — prompt by prompt, recipe by recipe, seeds in batches of
 * {@code batch_size} — leaving out the cells already done, and spreads a chunk's units (see
 * {@link io.seedgrid.jobs.Chunks}) over task slots of about equal cost.
 */
public final class GridPlanner {

    private GridPlanner() {
    }

    /** The work units of the cells not in {@code done}, in grid order: prompt, then recipe, then seed. */
    public static List<WorkUnit> units(RunConfig config, Map<String, ModelIdentity> models, Set<String> done) {
        List<WorkUnit> units = new ArrayList<>();
        String longPrompt = config.longPrompt().name().toLowerCase(java.util.Locale.ROOT);
        for (PromptEntry prompt : config.prompts()) {
            for (RecipeSpec recipe : config.recipes()) {
                List<String> hashes = recipe.modelNames().stream().map(name -> models.get(name).sha256()).toList();
                String recipeJson = recipe.toJsonWithName();
                List<Long> seeds = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (long s = 0; s < config.seeds().size(); s++) {
                    long seed = config.seeds().get(s);
                    String id = CellId.of(prompt.prompt(), prompt.negativePrompt(), seed, recipe, config.width(),
                            config.height(), longPrompt, hashes);
                    if (done.contains(id)) {
                        continue;
                    }
                    seeds.add(seed);
                    ids.add(id);
                    if (seeds.size() == config.batchSize()) {
                        units.add(unit(prompt, recipe, recipeJson, seeds, ids));
                        seeds.clear();
                        ids.clear();
                    }
                }
                if (!seeds.isEmpty()) {
                    units.add(unit(prompt, recipe, recipeJson, seeds, ids));
                }
            }
        }
        return units;
    }

    /**
     * A unit's cost in UNet image-evaluations: per image, each step of each phase once, twice with CFG
     * (negative and positive rows), plus one for text encoding and decoding. Recipes differ by 10x or more
     * (base 20 steps with CFG against DMD2's 4), which is what task slots must balance.
     */
    static long cost(WorkUnit unit, Map<String, RecipeSpec> recipes) {
        RecipeSpec recipe = recipes.get(unit.recipeName());
        long perImage = 1;
        for (PhaseSpec phase : recipe.phases()) {
            perImage += (long) (phase.to() - phase.from()) * (phase.cfg() > 1 ? 2 : 1);
        }
        return perImage * unit.size();
    }

    /**
     * A chunk's units in at most {@code slots} task slots of about equal cost: longest first, each into the
     * slot with the least cost so far (LPT, within 4/3 of the best makespan). Spark's own slicing cuts the
     * grid-ordered list into runs of one recipe, so a slot of base units could hold 10x the work of a slot of
     * DMD2 units and its core would finish alone. Units keep their grid order inside a slot.
     */
    public static List<List<WorkUnit>> slots(List<WorkUnit> chunk, int slots, Map<String, RecipeSpec> recipes) {
        int n = Math.max(1, Math.min(slots, chunk.size()));
        long[] cost = new long[chunk.size()];
        Integer[] longestFirst = new Integer[chunk.size()];
        for (int i = 0; i < cost.length; i++) {
            cost[i] = cost(chunk.get(i), recipes);
            longestFirst[i] = i;
        }
        java.util.Arrays.sort(longestFirst, (a, b) -> Long.compare(cost[b], cost[a]));
        long[] load = new long[n];
        int[] slotOf = new int[chunk.size()];
        for (int i : longestFirst) {
            int least = 0;
            for (int k = 1; k < n; k++) {
                if (load[k] < load[least]) {
                    least = k;
                }
            }
            load[least] += cost[i];
            slotOf[i] = least;
        }
        List<List<WorkUnit>> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < chunk.size(); i++) {
            out.get(slotOf[i]).add(chunk.get(i));   // grid order within a slot
        }
        return out.stream().filter(slot -> !slot.isEmpty()).toList();
    }

    private static WorkUnit unit(PromptEntry prompt, RecipeSpec recipe, String recipeJson, List<Long> seeds, List<String> ids) {
        long[] s = new long[seeds.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = seeds.get(i);
        }
        return new WorkUnit(prompt.id(), prompt.prompt(), prompt.negativePrompt(), recipe.name(), recipeJson, s,
                ids.toArray(new String[0]));
    }
}
