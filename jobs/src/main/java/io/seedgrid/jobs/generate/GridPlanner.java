package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.PromptEntry;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expands a config into work units — prompt by prompt, recipe by recipe, seeds in batches of
 * {@code batch_size} — leaving out the cells already done, and groups them into chunks of at most
 * {@code chunk_size} cells (a chunk is committed as a whole).
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
                for (long seed : config.seeds().seeds()) {
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

    /** Consecutive units grouped so that each chunk holds at most {@code chunkSize} cells (and at least one unit). */
    public static List<List<WorkUnit>> chunks(List<WorkUnit> units, int chunkSize) {
        List<List<WorkUnit>> chunks = new ArrayList<>();
        List<WorkUnit> current = new ArrayList<>();
        int cells = 0;
        for (WorkUnit unit : units) {
            if (!current.isEmpty() && cells + unit.size() > chunkSize) {
                chunks.add(current);
                current = new ArrayList<>();
                cells = 0;
            }
            current.add(unit);
            cells += unit.size();
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
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
