package io.seedgrid.jobs.tune;

import java.util.ArrayList;
import java.util.List;

/**
 * The fidelities of the search (successive halving's rungs): rung 0 renders every candidate on the first
 * {@code prompts} prompts of the pool with its first {@code seeds} seeds; each next rung multiplies both by
 * {@code factor}, capped by the pool, and the last rung is the whole pool. A rung's prompts and seeds extend
 * the rung before it, so a promoted candidate keeps every image it has and renders only the new cells.
 *
 * @param prompts prompts of rung 0
 * @param seeds   seeds per prompt of rung 0 (at least 2: diversity is measured between seeds)
 * @param factor  growth of prompts and of seeds from one rung to the next (at least 2)
 */
public record Fidelity(int prompts, int seeds, int factor) {

    public Fidelity {
        if (prompts < 1 || seeds < 2 || factor < 2) {
            throw new IllegalArgumentException("fidelity needs prompts >= 1, seeds >= 2 and factor >= 2, got prompts "
                    + prompts + ", seeds " + seeds + ", factor " + factor);
        }
    }

    /** One rung: the first {@code prompts} prompts of the pool, each with the first {@code seeds} seeds. */
    public record Rung(int index, int prompts, int seeds) {
        /** Images of one candidate evaluated at this rung. */
        public long images() {
            return (long) prompts * seeds;
        }
    }

    /** The rungs over a pool of {@code poolPrompts} prompts and {@code poolSeeds} seeds; the last is the whole pool. */
    public List<Rung> rungs(int poolPrompts, long poolSeeds) {
        if (prompts > poolPrompts || seeds > poolSeeds) {
            throw new IllegalArgumentException("the first rung (" + prompts + " prompts x " + seeds + " seeds) is larger"
                    + " than the pool (" + poolPrompts + " prompts x " + poolSeeds + " seeds)");
        }
        List<Rung> rungs = new ArrayList<>();
        int p = prompts;
        long s = seeds;
        while (true) {
            rungs.add(new Rung(rungs.size(), p, (int) s));
            if (p == poolPrompts && s == poolSeeds) {
                return rungs;
            }
            p = (int) Math.min(poolPrompts, (long) p * factor);
            s = Math.min(poolSeeds, s * factor);
        }
    }
}
