package io.seedgrid.jobs.generate;

import io.seedgrid.udf.recipe.RecipeSpec;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every part of one generate attempt shares, shipped to executors with the tasks.
 *
 * @param run         the run name (the {@code run_id} column)
 * @param attempt     this invocation's id (the {@code attempt} column)
 * @param runDir      {@code <output>/<run>} (local path or s3a:// URI)
 * @param models      model name to identity (paths and hashes)
 * @param blendCache  folder for blended UNets on each executor
 * @param pngFiles    whether to also write PNG files under {@code <run>/png/}
 * @param hadoop      the driver's Hadoop settings, for the executors' file systems
 * @param renderer    what renders a unit ({@link SdxlRenderer} in a run)
 */
public record RunContext(String run, String attempt, String runDir, int width, int height, String longPrompt,
                         Map<String, ModelIdentity> models, String blendCache, boolean pngFiles,
                         HadoopConf hadoop, CellRenderer renderer) implements Serializable {

    /** Model name to content hash of the models {@code recipe} uses, in the recipe's order. */
    public Map<String, String> modelHashes(RecipeSpec recipe) {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String name : recipe.modelNames()) {
            hashes.put(name, models.get(name).sha256());
        }
        return hashes;
    }
}
