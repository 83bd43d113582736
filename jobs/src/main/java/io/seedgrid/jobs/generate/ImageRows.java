package io.seedgrid.jobs.generate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code images/} table as Spark reads it: one row per cell (README, "Outputs"). The files are
 * written with {@link io.seedgrid.jobs.output.ImageTable}'s Avro schema; this is the same table in
 * Spark's types ({@code image} a struct {@code {bytes, path}}, {@code seed} decimal(20,0), {@code created_at}
 * a timestamp).
 */
public final class ImageRows {

    /** The run's image table, {@code <run>/images}. */
    public static String folder(String runDir) {
        return runDir + "/images";
    }

    /** True when {@code <run>/images/} exists (a run that rendered at least one chunk). */
    public static boolean exist(String runDir, Configuration conf) {
        Path images = new Path(folder(runDir));
        try {
            return images.getFileSystem(conf).exists(images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + images, e);
        }
    }

    public static final DecimalType SEED_TYPE = DataTypes.createDecimalType(20, 0);

    public static final StructType IMAGE_TYPE = new StructType()
            .add("bytes", DataTypes.BinaryType, true)
            .add("path", DataTypes.StringType, true);

    /** One model of a cell: its config name and content hash (a list of these, not a map: datasets reads lists). */
    public static final StructType MODEL_TYPE = new StructType()
            .add("name", DataTypes.StringType, false)
            .add("sha256", DataTypes.StringType, false);

    public static final StructType SCHEMA = new StructType()
            .add("cell_id", DataTypes.StringType, false)
            .add("run_id", DataTypes.StringType, false)
            .add("attempt", DataTypes.StringType, false)
            .add("prompt_id", DataTypes.StringType, false)
            .add("prompt", DataTypes.StringType, false)
            .add("negative_prompt", DataTypes.StringType, false)
            .add("seed", SEED_TYPE, false)
            .add("recipe", DataTypes.StringType, false)
            .add("recipe_json", DataTypes.StringType, false)
            .add("models", DataTypes.createArrayType(MODEL_TYPE, false), false)
            .add("width", DataTypes.IntegerType, false)
            .add("height", DataTypes.IntegerType, false)
            .add("image", IMAGE_TYPE, true)
            .add("status", DataTypes.StringType, false)
            .add("message", DataTypes.StringType, false)
            .add("device", DataTypes.StringType, false)
            .add("prompt_tokens", DataTypes.IntegerType, false)
            .add("prompt_truncated", DataTypes.BooleanType, false)
            .add("text_ms", DataTypes.DoubleType, false)
            .add("unet_ms", DataTypes.DoubleType, false)
            .add("vae_ms", DataTypes.DoubleType, false)
            .add("total_ms", DataTypes.DoubleType, false)
            .add("created_at", DataTypes.TimestampType, false)
            .add("code_version", DataTypes.StringType, false);

    private ImageRows() {
    }
}
