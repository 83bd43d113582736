package io.seedgrid.jobs.measure;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading a run's measurements. {@code groups/}, {@code pairs/} and {@code embeddings/} are append-only:
 * a group measured again (it gained cells, or the metric models changed) gets new rows and keeps its
 * old ones. The <em>current</em> rows of a group are those of its latest {@code groups/} row (largest
 * {@code measured_at}), matched on {@code (prompt_id, recipe, group_key, attempt)}; rows of a chunk
 * that crashed before its {@code groups/} write have no {@code groups/} row and are never current.
 * Schemas can differ between attempts (one column per configured metric), so reads merge them.
 */
public final class MeasureOutputs {

    private static final String[] MATCH = {"prompt_id", "recipe", "group_key", "attempt"};

    private MeasureOutputs() {
    }

    /** Every {@code groups/} row ever written (empty when nothing was measured yet). */
    public static Dataset<Row> allGroups(SparkSession spark, String runDir) {
        return read(spark, runDir, "groups");
    }

    /** The latest {@code groups/} row of each (prompt_id, recipe). */
    public static Dataset<Row> currentGroups(SparkSession spark, String runDir) {
        Dataset<Row> all = allGroups(spark, runDir);
        if (all.columns().length == 0) {
            return all;
        }
        return all.withColumn("_latest", functions.row_number().over(Window.partitionBy("prompt_id", "recipe")
                        .orderBy(functions.col("measured_at").desc(), functions.col("attempt").desc())))
                .filter("_latest = 1").drop("_latest");
    }

    /** The {@code pairs/} rows of each group's current measurement. */
    public static Dataset<Row> currentPairs(SparkSession spark, String runDir) {
        return current(spark, runDir, "pairs");
    }

    /** The {@code embeddings/} rows of each group's current measurement. */
    public static Dataset<Row> currentEmbeddings(SparkSession spark, String runDir) {
        return current(spark, runDir, "embeddings");
    }

    /** {@code recipes/}: one row per (recipe, metric), rewritten by every measure run. */
    public static Dataset<Row> recipes(SparkSession spark, String runDir) {
        return read(spark, runDir, "recipes");
    }

    /** The key of each group's current measurement. */
    static Map<GroupId, String> currentKeys(SparkSession spark, String runDir) {
        Map<GroupId, String> keys = new HashMap<>();
        Dataset<Row> current = currentGroups(spark, runDir);
        if (current.columns().length == 0) {
            return keys;
        }
        for (Row row : current.select("prompt_id", "recipe", "group_key").collectAsList()) {
            keys.put(new GroupId(row.getString(0), row.getString(1)), row.getString(2));
        }
        return keys;
    }

    private static Dataset<Row> current(SparkSession spark, String runDir, String name) {
        Dataset<Row> rows = read(spark, runDir, name);
        Dataset<Row> groups = currentGroups(spark, runDir);
        if (rows.columns().length == 0 || groups.columns().length == 0) {
            return rows;
        }
        return rows.join(groups.select("prompt_id", "recipe", "group_key", "attempt"),
                scala.jdk.javaapi.CollectionConverters.asScala(List.of(MATCH)).toSeq(), "left_semi");
    }

    private static Dataset<Row> read(SparkSession spark, String runDir, String name) {
        Path dir = new Path(runDir, name);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            FileSystem fs = dir.getFileSystem(conf);
            // A folder holding only Spark's _SUCCESS or a crashed write's _temporary has no data yet.
            if (!fs.exists(dir) || fs.listStatus(dir, p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))
                    .length == 0) {
                return spark.emptyDataFrame();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return spark.read().option("mergeSchema", "true").parquet(dir.toString());
    }
}
