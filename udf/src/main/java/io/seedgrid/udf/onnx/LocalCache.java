package io.seedgrid.udf.onnx;

import java.nio.file.Path;
import java.util.Map;

/**
 * The folder where an executor keeps what it makes once per machine and reuses across runs (weight blends,
 * TensorRT engines): on the node's local disk, never in a shared home folder.
 *
 * <p>{@code SPARK_LOCAL_DIRS} (Spark's scratch disks, comma-separated; the first is used) when it is set,
 * else {@code $XDG_CACHE_HOME/seedgrid}, else {@code ~/.cache/seedgrid}. Spark cleans only its own
 * {@code blockmgr-*} and {@code spark-*} folders there, so a {@code seedgrid} folder beside them survives
 * the application; on YARN and Kubernetes the local dirs live as long as the container or pod.
 */
public final class LocalCache {

    private LocalCache() {
    }

    /** The cache root for this JVM's environment. */
    public static Path root() {
        return root(System.getenv(), System.getProperty("user.home"));
    }

    /** {@link #root()} for a given environment and home folder. */
    static Path root(Map<String, String> env, String home) {
        String local = env.get("SPARK_LOCAL_DIRS");
        if (local != null && !local.isBlank()) {
            String first = local.split(",")[0].strip();
            if (!first.isEmpty()) {
                return Path.of(first, "seedgrid");
            }
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".cache");
        return cache.resolve("seedgrid");
    }
}
