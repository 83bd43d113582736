package io.seedgrid.jobs.generate;

import java.io.Serializable;
import java.util.Map;

/**
 * What every work unit of one generate attempt shares, shipped to executors with the tasks.
 *
 * @param run         the run name (the {@code run_id} column)
 * @param attempt     this invocation's id (the {@code attempt} column)
 * @param runDir      {@code <output>/<run>} (local path or s3a:// URI)
 * @param models      model name to identity (paths and hashes)
 * @param blendCache  folder for blended UNets on each executor
 * @param pngFiles    whether to also write PNG files under {@code <run>/png/}
 * @param codeVersion the {@code code_version} column
 * @param hadoop      the driver's Hadoop settings, for writing PNG files from executors
 */
public record RunContext(String run, String attempt, String runDir, int width, int height, String longPrompt,
                         Map<String, ModelIdentity> models, String blendCache, boolean pngFiles, String codeVersion,
                         HadoopConf hadoop) implements Serializable {
}
