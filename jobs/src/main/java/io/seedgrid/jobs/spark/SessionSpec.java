package io.seedgrid.jobs.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a job asks of its SparkSession: a name, the master (or {@code null} to take the one spark-submit
 * set, else {@code local[*]}), where it writes (so that {@code s3a://} outputs get the S3A committer),
 * whether the Spark UI runs, extra Spark settings that win over seedgrid's defaults, and how many distinct
 * keys the job's shuffles have (0 when unknown), which sizes its shuffle partitions on a cluster.
 */
public record SessionSpec(String appName, String master, List<String> outputs, boolean uiEnabled, Map<String, String> conf,
                          long shuffleKeys) {

    public SessionSpec {
        if (appName == null || appName.isBlank()) {
            throw new IllegalArgumentException("a Spark application needs a name");
        }
        if (master != null && master.isBlank()) {
            throw new IllegalArgumentException("master must be null (from spark-submit) or a Spark master URL, got blank");
        }
        if (shuffleKeys < 0) {
            throw new IllegalArgumentException("shuffleKeys must be 0 (unknown) or more, got " + shuffleKeys);
        }
        outputs = List.copyOf(outputs);
        conf = Map.copyOf(conf);
    }

    /** A spec with no master (spark-submit's, else {@code local[*]}), no outputs, UI on, no extra settings. */
    public static SessionSpec of(String appName) {
        return new SessionSpec(appName, null, List.of(), true, Map.of(), 0);
    }

    public SessionSpec withMaster(String newMaster) {
        return new SessionSpec(appName, newMaster, outputs, uiEnabled, conf, shuffleKeys);
    }

    /** Adds an output location (a path or URI the job writes under). */
    public SessionSpec withOutput(String location) {
        List<String> more = new ArrayList<>(outputs);
        more.add(location);
        return new SessionSpec(appName, master, more, uiEnabled, conf, shuffleKeys);
    }

    public SessionSpec withUi(boolean enabled) {
        return new SessionSpec(appName, master, outputs, enabled, conf, shuffleKeys);
    }

    /** Sets one Spark setting; it wins over seedgrid's defaults. */
    public SessionSpec withConf(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(conf);
        more.put(key, value);
        return new SessionSpec(appName, master, outputs, uiEnabled, more, shuffleKeys);
    }

    public SessionSpec withConf(Map<String, String> settings) {
        Map<String, String> more = new LinkedHashMap<>(conf);
        more.putAll(settings);
        return new SessionSpec(appName, master, outputs, uiEnabled, more, shuffleKeys);
    }

    /**
     * The number of distinct keys the job's shuffles mostly group by: for a seedgrid run its (prompt, recipe)
     * groups, by which measure and report aggregate and join. On a cluster it caps the shuffle partitions: a
     * partition beyond the keys is an empty task.
     */
    public SessionSpec withShuffleKeys(long keys) {
        return new SessionSpec(appName, master, outputs, uiEnabled, conf, keys);
    }
}
