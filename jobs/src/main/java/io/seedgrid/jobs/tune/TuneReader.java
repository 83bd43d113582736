package io.seedgrid.jobs.tune;

import io.seedgrid.jobs.generate.ImageRows;
import io.seedgrid.jobs.measure.MeasureOutputs;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Reads the tune folder's run with Spark: the current {@code groups/} rows ({@link MeasureOutputs#currentGroups})
 * of the candidates, and counts and timings of their {@code images/} (no image bytes are read).
 */
final class TuneReader {

    /** Counts of one candidate's cells. */
    record ImageStats(long cells, long ok, Double secondsPerImage) {
    }

    private TuneReader() {
    }

    /** Per candidate, per prompt id: its group's {@code diversity} and {@code adherence} values (where not null). */
    static Map<String, Map<String, double[]>> groups(SparkSession spark, String runDir, Collection<Candidate> candidates,
                                                     String diversity, String adherence) {
        Map<String, Map<String, double[]>> out = new HashMap<>();
        candidates.forEach(c -> out.put(c.name(), new HashMap<>()));
        Dataset<Row> current = MeasureOutputs.currentGroups(spark, runDir);
        if (current.columns().length == 0) {
            return out;
        }
        List<String> columns = Arrays.asList(current.columns());
        for (String metric : List.of(diversity, adherence)) {
            if (!columns.contains(metric)) {
                throw new IllegalArgumentException(runDir + "/groups has no column " + metric + " (columns: "
                        + String.join(", ", columns) + ")");
            }
        }
        for (Row r : current.filter(col("recipe").isin(out.keySet().toArray()))
                .select("recipe", "prompt_id", diversity, adherence).collectAsList()) {
            if (!r.isNullAt(2) && !r.isNullAt(3)) {
                out.get(r.getString(0)).put(r.getString(1), new double[] {r.getDouble(2), r.getDouble(3)});
            }
        }
        return out;
    }

    /** Per candidate: cells recorded, ok images and mean seconds per ok image ({@code total_ms}). */
    static Map<String, ImageStats> images(SparkSession spark, String runDir, Collection<Candidate> candidates) {
        Map<String, ImageStats> out = new HashMap<>();
        candidates.forEach(c -> out.put(c.name(), new ImageStats(0, 0, null)));
        if (!ImageRows.exist(runDir, spark.sparkContext().hadoopConfiguration())) {
            return out;
        }
        Dataset<Row> images = spark.read().schema(ImageRows.SCHEMA).parquet(ImageRows.folder(runDir));
        for (Row r : images.groupBy("recipe").agg(count(lit(1)), sum(when(col("status").equalTo("ok"), 1).otherwise(0)),
                avg(when(col("status").equalTo("ok"), col("total_ms")))).collectAsList()) {
            if (out.containsKey(r.getString(0))) {
                out.put(r.getString(0), new ImageStats(r.getLong(1), r.getLong(2), r.isNullAt(3) ? null : r.getDouble(3) / 1000));
            }
        }
        return out;
    }
}
