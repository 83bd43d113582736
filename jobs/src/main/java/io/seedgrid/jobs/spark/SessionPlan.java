package io.seedgrid.jobs.spark;

import java.util.Map;
import java.util.TreeMap;

/**
 * The settings {@link SparkSessions} gives the SparkSession builder, worked out from a {@link
 * SessionSpec} and what spark-submit already set.
 *
 * @param master the Spark master URL
 * @param local whether the master is {@code local}/{@code local[N]}/{@code local[*]}: one JVM, no
 *     executor resources
 * @param conf every setting passed to the builder (explicit ones and seedgrid's defaults)
 */
public record SessionPlan(String master, boolean local, Map<String, String> conf) {

    public SessionPlan {
        conf = Map.copyOf(conf);
    }

    /** One line for the log: never setting values, which may hold credentials. */
    public String describe() {
        return "Spark master " + master + (local ? " (local mode, no gpu resource)" : " (cluster mode)")
                + ", UI " + ("false".equals(conf.get("spark.ui.enabled")) ? "off" : "on")
                + ", settings " + new TreeMap<>(conf).keySet();
    }
}
