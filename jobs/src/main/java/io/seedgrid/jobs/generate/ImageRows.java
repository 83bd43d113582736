package io.seedgrid.jobs.generate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.util.Map;

/**
 * The {@code images/} dataset: one row per cell (README, "Outputs"). {@code image} is a struct
 * {@code {bytes, path}}, the layout Hugging Face {@code datasets} reads as an Image column; {@code seed}
 * is a decimal(20,0) because seeds are unsigned 64-bit.
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

    /** The decimal form of an unsigned 64-bit seed. */
    public static BigDecimal seed(long seed) {
        return new BigDecimal(new BigInteger(Long.toUnsignedString(seed)));
    }

    /** The seed of a row, back in long bits. */
    public static long seed(BigDecimal value) {
        return value.toBigIntegerExact().longValue();
    }

    /** One cell's row. {@code png} and {@code pngPath} are null when there is no image. */
    public static Row row(RunContext run, WorkUnit unit, int index, Map<String, String> models, byte[] png, String pngPath,
                          String status, String message, String device, int tokens, boolean truncated,
                          double textMs, double unetMs, double vaeMs, double totalMs) {
        Row image = png == null ? null : RowFactory.create(png, pngPath);
        return RowFactory.create(unit.cellIds()[index], run.run(), run.attempt(), unit.promptId(), unit.prompt(),
                unit.negativePrompt(), seed(unit.seeds()[index]), unit.recipeName(), unit.recipeJson(),
                scala.jdk.javaapi.CollectionConverters.asScala(
                        models.entrySet().stream().map(m -> RowFactory.create(m.getKey(), m.getValue())).toList()).toSeq(),
                run.width(), run.height(), image, status, message, device,
                tokens, truncated, textMs, unetMs, vaeMs, totalMs, new Timestamp(System.currentTimeMillis()), run.codeVersion());
    }
}
