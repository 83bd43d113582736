package io.seedgrid.jobs.tune;

import io.seedgrid.udf.recipe.RecipeSpec;

import java.util.Map;

/**
 * One recipe that {@code seedgrid tune} evaluates: a point of the search space, or a reference recipe of
 * the config. Each is an ordinary recipe rendered in a run folder of its own, {@code <tune>/candidates/<name>}.
 *
 * @param name       the recipe's name, and its run folder's: the family and its chosen values, e.g.
 *                   {@code blend-alpha0.3}
 * @param family     the search-space entry it comes from (its {@code name}, default its kind), or
 *                   {@value #REFERENCE} for a reference
 * @param parameters the values chosen for the entry's searched keys, in the entry's key order (as written in
 *                   YAML: a list of timesteps is {@code [999, 499]})
 * @param recipe     the recipe
 * @param yaml       the recipe as one line of YAML, to paste into a run config's {@code recipes:}
 */
public record Candidate(String name, String family, Map<String, String> parameters, RecipeSpec recipe, String yaml) {

    /** The family of the config's reference recipes. */
    public static final String REFERENCE = "reference";

    public Candidate {
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }

    /** A reference recipe: evaluated on every prompt and seed of the pool, never eliminated. */
    public boolean reference() {
        return REFERENCE.equals(family);
    }
}
