package io.seedgrid.jobs.config;

import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.util.List;
import java.util.Map;

/**
 * A parsed, validated run config (see {@link RunConfigParser} and the README, "The run config").
 * Relative paths are already resolved against the config file's folder.
 *
 * @param source         the config file
 * @param run            the run name: outputs go to {@code <output>/<run>/}
 * @param output         local folder or {@code s3a://bucket/prefix}
 * @param models         model name to model
 * @param prompts        the prompts, ids unique
 * @param seeds          the seeds
 * @param width          image width, a multiple of 8
 * @param height         image height, a multiple of 8
 * @param recipes        the recipes, names unique
 * @param batchSize      seeds per UNet call
 * @param parts          how generate cuts the grid into parts (one Parquet file each)
 * @param longPrompt     truncate or chunk prompts over 75 tokens
 * @param maxFailedShare the run fails when more than this share of its cells fail
 * @param pngFiles       also write each image as a PNG file under {@code <run>/png/}
 * @param blendCache     folder for blended UNets on each executor, or null for each node's default (local disk)
 * @param master         Spark master (null: whatever spark-submit or the environment says, else local[*])
 * @param partitions     Spark tasks per wave (0: four per core of the application)
 * @param sparkConf      extra Spark settings
 * @param measure        the measure stage's settings
 * @param limits         how much the run may ask for (sizes, steps, cells, prompt lengths)
 * @param canonicalJson  the whole resolved config as sorted JSON (what the manifest records)
 * @param identityHash   SHA-256 of what decides how a cell renders (models, size, recipes, long_prompt): a rerun
 *                       into the same run folder must match it; prompts and seeds may grow
 */
public record RunConfig(String source, String run, String output, Map<String, ModelConfig> models, List<PromptEntry> prompts,
                        SeedSet seeds, int width, int height, List<RecipeSpec> recipes, int batchSize, PartSizing parts,
                        LongPromptMode longPrompt, double maxFailedShare, boolean pngFiles, String blendCache, String master,
                        int partitions, Map<String, String> sparkConf, MeasureConfig measure, Limits limits, String canonicalJson,
                        String identityHash) {

    /** At most this many cells per part ({@code chunk_size}). */
    public int chunkSize() {
        return parts.maxCells();
    }

    /** Number of cells: prompts × seeds × recipes. */
    public long gridSize() {
        return prompts.size() * seeds.size() * recipes.size();
    }

    /** {@code <output>/<run>}. */
    public String runDirectory() {
        return output.endsWith("/") ? output + run : output + "/" + run;
    }

    /** The same config writing under another output location (benchmarks use a scratch folder). */
    public RunConfig withOutput(String newOutput) {
        return new RunConfig(source, run, newOutput, models, prompts, seeds, width, height, recipes, batchSize, parts,
                longPrompt, maxFailedShare, pngFiles, blendCache, master, partitions, sparkConf, measure, limits, canonicalJson,
                identityHash);
    }

    /** The same config with model {@code name} asking for another device. */
    public RunConfig withModelDevice(String name, String device) {
        Map<String, ModelConfig> changed = new java.util.LinkedHashMap<>(models);
        ModelConfig m = models.get(name);
        changed.put(name, new ModelConfig(m.name(), m.path(), m.base(), device, m.precision(), m.gpu()));
        return new RunConfig(source, run, output, changed, prompts, seeds, width, height, recipes, batchSize, parts,
                longPrompt, maxFailedShare, pngFiles, blendCache, master, partitions, sparkConf, measure, limits, canonicalJson,
                identityHash);
    }

    /**
     * This run asked to render and measure only {@code recipes} (some of its own) on {@code prompts} and
     * {@code seeds}: the identity and the canonical form (what the manifest records) stay this run's, so the part
     * goes into the same run folder and its cells are the cells the whole run would render ({@code seedgrid tune}
     * renders its grid a part at a time).
     */
    public RunConfig restrictedTo(List<PromptEntry> somePrompts, SeedSet someSeeds, List<RecipeSpec> someRecipes) {
        java.util.Set<String> own = new java.util.HashSet<>();
        recipes.forEach(r -> own.add(r.toJsonWithName()));
        for (RecipeSpec r : someRecipes) {
            if (!own.contains(r.toJsonWithName())) {
                throw new IllegalArgumentException("recipe '" + r.name() + "' is not one of run " + run + "'s");
            }
        }
        return new RunConfig(source, run, output, models, List.copyOf(somePrompts), someSeeds, width, height,
                List.copyOf(someRecipes), batchSize, parts, longPrompt, maxFailedShare, pngFiles, blendCache, master,
                partitions, sparkConf, measure, limits, canonicalJson, identityHash);
    }

    public RecipeSpec recipe(String name) {
        for (RecipeSpec recipe : recipes) {
            if (recipe.name().equals(name)) {
                return recipe;
            }
        }
        throw new IllegalArgumentException("no recipe named '" + name + "'");
    }
}
