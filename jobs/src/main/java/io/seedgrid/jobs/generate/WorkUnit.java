package io.seedgrid.jobs.generate;

import java.io.Serializable;

/**
 * One pipeline call: up to {@code batch_size} seeds of one prompt under one recipe, rendered together
 * (one UNet call per step). Carries everything an executor needs; models travel as paths.
 *
 * @param recipeJson the recipe with its name ({@code RecipeSpec.toJsonWithName})
 * @param seeds      the seeds, unsigned 64-bit in long bits
 * @param cellIds    the cell id of each seed
 */
public record WorkUnit(String promptId, String prompt, String negativePrompt, String recipeName, String recipeJson,
                       long[] seeds, String[] cellIds) implements Serializable {

    public int size() {
        return seeds.length;
    }

    /** The unit of seeds {@code [from, to)} (an out-of-memory retry renders a unit in halves). */
    public WorkUnit slice(int from, int to) {
        return new WorkUnit(promptId, prompt, negativePrompt, recipeName, recipeJson,
                java.util.Arrays.copyOfRange(seeds, from, to), java.util.Arrays.copyOfRange(cellIds, from, to));
    }
}
