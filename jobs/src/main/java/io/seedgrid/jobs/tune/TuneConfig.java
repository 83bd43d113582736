package io.seedgrid.jobs.tune;

import io.seedgrid.jobs.config.PromptEntry;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.SeedSet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A parsed tune config ({@link TuneConfigParser}, README "Tuning"): a run config whose recipes are the
 * references, plus the search.
 *
 * @param run           models, prompt pool, seed pool, size, measure and Spark settings; its recipes are the
 *                      references; {@code <output>/<run>} is the tune folder
 * @param references    the reference recipes: evaluated on the whole pool, never eliminated
 * @param space         every candidate of the search space
 * @param diversity     the diversity metric (a {@code groups/} column), or null for the first embedding distance
 * @param adherence     the adherence metric (a {@code groups/} column)
 * @param cost          what cost means on the front
 * @param images        the budget: images the whole tune may render, references included
 * @param fidelity      the rungs
 * @param confidence    the level of the intervals that eliminate candidates and that the report draws
 * @param recommend     the budgets the console answers (null: the defaults)
 * @param identityHash  SHA-256 of everything the search's decisions depend on; a rerun into the same tune folder
 *                      must match it
 */
public record TuneConfig(RunConfig run, List<Candidate> references, List<Candidate> space, String diversity,
                         String adherence, Cost cost, long images, Fidelity fidelity, double confidence,
                         List<Budget> recommend, String identityHash) {

    /** What cost means on the front. */
    public enum Cost {
        /** UNet evaluations per image, counted from the recipe (two per guided step). */
        UNET_EVALUATIONS("unet_evaluations", "UNet evaluations per image"),
        /** Measured seconds per image ({@code total_ms} of the candidate's images). */
        SECONDS("seconds", "seconds per image");

        private final String key;
        private final String label;

        Cost(String key, String label) {
            this.key = key;
            this.label = label;
        }

        public String key() {
            return key;
        }

        public String label() {
            return label;
        }
    }

    /** The same tune writing under another output location (tests and benchmarks use a scratch folder). */
    public TuneConfig withOutput(String output) {
        return new TuneConfig(run.withOutput(output), references, space, diversity, adherence, cost, images, fidelity,
                confidence, recommend, identityHash);
    }

    /** The tune folder, {@code <output>/<run>}. */
    public String directory() {
        return run.runDirectory();
    }

    /** Every candidate: the references, then the search space. */
    public List<Candidate> candidates() {
        return java.util.stream.Stream.concat(references.stream(), space.stream()).toList();
    }

    /** The prompt pool in the order rungs take it: by SHA-256 of the prompt id, a fixed shuffle of any list. */
    public List<PromptEntry> promptOrder() {
        return run.prompts().stream().sorted(Comparator.comparing((PromptEntry p) -> sha256(p.id()))
                .thenComparing(PromptEntry::id)).toList();
    }

    /** The first {@code n} seeds of the pool. */
    public SeedSet firstSeeds(long n) {
        SeedSet seeds = run.seeds();
        if (seeds.isRange()) {
            return SeedSet.range(seeds.start(), n);
        }
        long[] first = new long[(int) n];
        Arrays.setAll(first, i -> seeds.get(i));
        return SeedSet.of(first);
    }

    static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
