package io.seedgrid.jobs.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.output.AvroRows;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ParquetFiles;
import io.seedgrid.jobs.output.RunPaths;
import io.seedgrid.udf.metrics.ConfidenceInterval;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code <tune>/tune/candidates.parquet}: one row per candidate (README, "Tuning"), replaced whole by each
 * tune attempt.
 */
public final class TuneTable {

    /** The table's folder in the tune folder. */
    public static final String FOLDER = "tune";
    public static final String FILE = "candidates.parquet";

    public static final StructType SCHEMA = new StructType()
            .add("tune", DataTypes.StringType, false)
            .add("candidate", DataTypes.StringType, false)
            .add("family", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("reference", DataTypes.BooleanType, false)
            .add("parameters", DataTypes.StringType, false)
            .add("recipe_json", DataTypes.StringType, false)
            .add("recipe_yaml", DataTypes.StringType, false)
            .add("unet_evaluations", DataTypes.IntegerType, false)
            .add("seconds_per_image", DataTypes.DoubleType, true)
            .add("rung", DataTypes.IntegerType, false)
            .add("prompts", DataTypes.IntegerType, false)
            .add("seeds", DataTypes.IntegerType, false)
            .add("images", DataTypes.LongType, false)
            .add("ok_images", DataTypes.LongType, false)
            .add("diversity_metric", DataTypes.StringType, false)
            .add("diversity_mean", DataTypes.DoubleType, true)
            .add("diversity_low", DataTypes.DoubleType, true)
            .add("diversity_high", DataTypes.DoubleType, true)
            .add("adherence_metric", DataTypes.StringType, false)
            .add("adherence_mean", DataTypes.DoubleType, true)
            .add("adherence_low", DataTypes.DoubleType, true)
            .add("adherence_high", DataTypes.DoubleType, true)
            .add("level", DataTypes.DoubleType, false)
            .add("cost", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false)
            .add("on_front", DataTypes.BooleanType, false)
            .add("reason", DataTypes.StringType, true)
            .add("recommended_for", DataTypes.StringType, true)
            .add("attempt", DataTypes.StringType, false)
            .add("code_version", DataTypes.StringType, false);

    private static final ObjectMapper JSON = new ObjectMapper();

    private TuneTable() {
    }

    /** Writes the table of {@code result}, replacing the one before. */
    public static void write(TuneResult result, Configuration conf) {
        Schema schema = AvroRows.schema("tune", SCHEMA);
        Path temp = new Path(RunPaths.temporary(result.directory(), result.attempt()), FILE);
        Path target = new Path(new Path(result.directory(), FOLDER), FILE);
        try {
            FileSystem fs = FileSystems.of(target, conf);
            try (ParquetWriter<GenericRecord> writer = ParquetFiles.writer(temp, schema, conf, Map.of())) {
                for (TuneResult.Entry e : result.entries()) {
                    String recommended = result.recommendations().stream()
                            .filter(r -> r.pick() != null && r.pick().name().equals(e.name()))
                            .map(r -> r.budget().label() + (r.bounds().isEmpty() || r.bounds().equals(r.budget().label())
                                    ? "" : " (" + r.bounds() + ")"))
                            .reduce((a, b) -> a + "; " + b).orElse(null);
                    ObjectNode parameters = JSON.createObjectNode();
                    e.candidate().parameters().forEach(parameters::put);
                    writer.write(AvroRows.record(RowFactory.create(result.tune(), e.name(), e.candidate().family(),
                            e.candidate().recipe().kind(), e.candidate().reference(), parameters.toString(),
                            e.candidate().recipe().canonicalJson(), e.candidate().yaml(), e.unetEvaluations(),
                            e.secondsPerImage(), e.rung(), e.prompts(), e.seeds(), e.images(), e.okImages(),
                            result.diversity(), estimate(e.diversity()), low(e.diversity()), high(e.diversity()),
                            result.adherence(), estimate(e.adherence()), low(e.adherence()), high(e.adherence()),
                            result.level(), result.cost().key(), e.status(), e.onFront(), e.reason(), recommended,
                            result.attempt(),
                            BuildInfo.codeVersion()), schema));
                }
            }
            FileSystems.replace(fs, temp, target);
            FileSystems.delete(fs, temp.getParent());   // this attempt's only: a run of the folder may be using _tmp
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static Double estimate(ConfidenceInterval ci) {
        return ci == null ? null : ci.estimate();
    }

    private static Double low(ConfidenceInterval ci) {
        return ci == null ? null : ci.low();
    }

    private static Double high(ConfidenceInterval ci) {
        return ci == null ? null : ci.high();
    }
}
