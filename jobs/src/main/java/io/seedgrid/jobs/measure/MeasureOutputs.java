package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.output.RunPaths;
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
import java.util.List;

/**
 * Reading a run's measurements. {@code groups/}, {@code pairs/} and {@code embeddings/} hold one file per
 * recipe and prompt bucket, replaced whole when the bucket is measured again, so {@code groups/} has one
 * row per group. A measure task killed between replacing its bucket's three files can leave
 * {@code pairs/} or {@code embeddings/} rows of another measurement than the bucket's {@code groups/} file
 * (a rerun replaces them); the <em>current</em> rows are those that match a {@code groups/} row on
 * {@code (prompt_id, recipe, group_key, attempt)}. Schemas can differ between buckets measured with other
 * metric models, so reads merge them.
 */
public final class MeasureOutputs {

    private static final String[] MATCH = {"prompt_id", "recipe", "group_key", "attempt"};

    private MeasureOutputs() {
    }

    /** Every {@code groups/} row ever written (empty when nothing was measured yet). */
    public static Dataset<Row> allGroups(SparkSession spark, String runDir) {
        return read(spark, runDir, "groups");
    }

    /**
     * The {@code groups/} row of each (prompt_id, recipe). One per group by construction; should a file of
     * another layout ever hold a second one, the latest {@code measured_at} counts.
     */
    public static Dataset<Row> currentGroups(SparkSession spark, String runDir) {
        Dataset<Row> all = allGroups(spark, runDir);
        if (all.columns().length == 0) {
            return all;
        }
        return all.withColumn("_latest", functions.row_number().over(Window.partitionBy("prompt_id", "recipe")
                        .orderBy(functions.col("measured_at").desc(), functions.col("attempt").desc())))
                .filter("_latest = 1").drop("_latest", RunPaths.RECIPE_KEY, RunPaths.BUCKET_KEY);
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
        return read(spark, runDir, RunPaths.RECIPES);
    }

    private static Dataset<Row> current(SparkSession spark, String runDir, String name) {
        Dataset<Row> rows = read(spark, runDir, name);
        Dataset<Row> groups = currentGroups(spark, runDir);
        if (rows.columns().length == 0 || groups.columns().length == 0) {
            return rows;
        }
        return rows.join(groups.select("prompt_id", "recipe", "group_key", "attempt"),
                scala.jdk.javaapi.CollectionConverters.asScala(List.of(MATCH)).toSeq(), "left_semi")
                .drop(RunPaths.RECIPE_KEY, RunPaths.BUCKET_KEY);
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
