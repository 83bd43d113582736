package io.seedgrid.jobs.tune;

import io.seedgrid.jobs.config.PromptEntry;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.generate.GridLayout;
import io.seedgrid.jobs.generate.RecipeCosts;

import java.util.List;
import java.util.Map;

/**
 * The ordinary run a tune fills: the exhaustive grid over its space — every candidate (references first) as a
 * recipe, every prompt and seed of the pool — in the tune folder {@code <output>/<run>}. Its identity (models,
 * size, recipes) covers the whole search space, so the tune renders it a part at a time
 * ({@link RunConfig#restrictedTo}): the references on the whole pool, each rung's candidates on the rung's first
 * prompts and seeds. A promoted candidate's cells of an earlier rung are cells of the same run, so
 * {@code generate} renders only the new ones, and {@code seedgrid run} on the same config would complete the grid
 * around what the tune rendered.
 */
final class TuneRun {

    private final TuneConfig tune;
    private final RunConfig whole;
    private final List<PromptEntry> order;

    TuneRun(TuneConfig tune) {
        this.tune = tune;
        this.whole = grid(tune, tune.run().run(), tune.run().output());
        this.order = tune.promptOrder();
    }

    /**
     * The run config of the exhaustive grid, named {@code run} under {@code output} (null: the tune's); with the
     * tune's own name and output it is the tune folder's run. Prompt buckets: the config's, else as many as a new run of the whole grid
     * gets (a run folder keeps the count of its first generate, which in a tune renders far fewer cells).
     */
    static RunConfig grid(TuneConfig tune, String run, String output) {
        RunConfig base = tune.run();
        run = run == null ? base.run() : run;
        output = output == null ? base.output() : output;
        List<io.seedgrid.udf.recipe.RecipeSpec> recipes = tune.candidates().stream().map(Candidate::recipe).toList();
        int buckets = base.parts().promptBuckets();
        if (buckets == 0) {
            buckets = GridLayout.autoBuckets(base);   // the grid has the base's prompts and seeds
        }
        return RunConfigParser.derive(base, run, output, base.prompts(), base.seeds(), recipes, buckets, base.measure());
    }

    /** The tune folder's run: the whole grid. */
    RunConfig whole() {
        return whole;
    }

    /** The part of the run that brings {@code candidates} to {@code rung}. */
    RunConfig part(List<Candidate> candidates, Fidelity.Rung rung) {
        return whole.restrictedTo(order.subList(0, rung.prompts()), tune.firstSeeds(rung.seeds()),
                candidates.stream().map(Candidate::recipe).toList());
    }

    /** The prompt ids of a rung: the first of the pool in the tune's order. */
    List<String> promptIds(Fidelity.Rung rung) {
        return order.subList(0, rung.prompts()).stream().map(PromptEntry::id).toList();
    }

    /** UNet evaluations per image of each candidate, read from its models' scheduler configs. */
    static Map<String, Integer> unetEvaluations(TuneConfig tune) {
        return RecipeCosts.unetEvaluations(tune.run().models(), tune.candidates().stream().map(Candidate::recipe).toList());
    }
}
