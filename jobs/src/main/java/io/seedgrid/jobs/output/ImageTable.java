package io.seedgrid.jobs.output;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code images/} table: one row per cell (README, "Outputs"), as an Avro schema that every file of
 * the table is written with. {@code image} is a struct {@code {bytes, path}}, the layout Hugging Face
 * {@code datasets} reads as an Image column (the files also carry its feature metadata, so that
 * {@code load_dataset("parquet", ...)} types it without a cast); {@code seed} is DECIMAL(20,0) because
 * seeds are unsigned 64-bit; {@code created_at} is a UTC timestamp in microseconds.
 */
public final class ImageTable {

    /** Seeds as DECIMAL(20,0) in 9 bytes (two's complement, big-endian), Spark's layout for that type. */
    public static final Schema SEED = LogicalTypes.decimal(20, 0).addToSchema(Schema.createFixed("seed_decimal", null,
            "io.seedgrid", 9));
    public static final Schema TIMESTAMP = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));

    public static final Schema MODEL = SchemaBuilder.record("model").namespace("io.seedgrid").fields()
            .requiredString("name")
            .requiredString("sha256")
            .endRecord();

    public static final Schema IMAGE = SchemaBuilder.record("image").namespace("io.seedgrid").fields()
            .optionalBytes("bytes")
            .optionalString("path")
            .endRecord();

    public static final Schema SCHEMA = SchemaBuilder.record("images").namespace("io.seedgrid").fields()
            .requiredString("cell_id")
            .requiredString("run_id")
            .requiredString("attempt")
            .requiredString("prompt_id")
            .requiredString("prompt")
            .requiredString("negative_prompt")
            .name("seed").type(SEED).noDefault()
            .requiredString("recipe")
            .requiredString("recipe_json")
            .name("models").type().array().items(MODEL).noDefault()
            .requiredInt("width")
            .requiredInt("height")
            .name("image").type().optional().type(IMAGE)
            .requiredString("status")
            .requiredString("message")
            .requiredString("device")
            .requiredInt("prompt_tokens")
            .requiredBoolean("prompt_truncated")
            .requiredDouble("text_ms")
            .requiredDouble("unet_ms")
            .requiredDouble("vae_ms")
            .requiredDouble("total_ms")
            .name("created_at").type(TIMESTAMP).noDefault()
            .requiredString("code_version")
            .endRecord();

    /**
     * Hugging Face {@code datasets}' feature metadata (footer key {@code huggingface}): what
     * {@code datasets.Features.from_arrow_schema} reads, so that {@code image} loads as an Image.
     */
    public static final Map<String, String> METADATA = Map.of("huggingface", "{\"info\":{\"features\":{"
            + value("cell_id", "string") + "," + value("run_id", "string") + "," + value("attempt", "string") + ","
            + value("prompt_id", "string") + "," + value("prompt", "string") + "," + value("negative_prompt", "string") + ","
            + value("seed", "decimal128(20, 0)") + "," + value("recipe", "string") + "," + value("recipe_json", "string")
            + ",\"models\":{\"feature\":{" + value("name", "string") + "," + value("sha256", "string") + "},\"_type\":\"List\"},"
            + value("width", "int32") + "," + value("height", "int32") + ",\"image\":{\"_type\":\"Image\"},"
            + value("status", "string") + "," + value("message", "string") + "," + value("device", "string") + ","
            + value("prompt_tokens", "int32") + "," + value("prompt_truncated", "bool") + "," + value("text_ms", "float64")
            + "," + value("unet_ms", "float64") + "," + value("vae_ms", "float64") + "," + value("total_ms", "float64") + ","
            + value("created_at", "timestamp[us, tz=UTC]") + "," + value("code_version", "string") + "}}}");

    private ImageTable() {
    }

    private static String value(String name, String dtype) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"_type\":\"Value\"}";
    }

    /** A projection of the table: the named columns only (readers then skip the others' bytes). */
    public static Schema projection(String... columns) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("images").namespace("io.seedgrid").fields();
        for (String column : columns) {
            Schema.Field field = SCHEMA.getField(column);
            if (field == null) {
                throw new IllegalArgumentException("images/ has no column '" + column + "'");
            }
            fields = fields.name(column).type(field.schema()).noDefault();
        }
        return fields.endRecord();
    }

    /** The decimal form of an unsigned 64-bit seed. */
    public static BigDecimal seed(long seed) {
        return new BigDecimal(new BigInteger(Long.toUnsignedString(seed)));
    }

    /** The seed of a row, back in long bits. */
    public static long seed(BigDecimal value) {
        return value.toBigIntegerExact().longValue();
    }

    /** A model of the {@code models} column. */
    public static GenericRecord model(String name, String sha256) {
        GenericRecord m = new GenericData.Record(MODEL);
        m.put("name", name);
        m.put("sha256", sha256);
        return m;
    }

    /** The {@code models} column of a cell. */
    public static List<GenericRecord> models(Map<String, String> hashes) {
        List<GenericRecord> out = new ArrayList<>(hashes.size());
        hashes.forEach((name, sha) -> out.add(model(name, sha)));
        return out;
    }

    /** The {@code image} column: the PNG bytes and the PNG file's path, or null when there is no image. */
    public static GenericRecord image(byte[] png, String path) {
        if (png == null) {
            return null;
        }
        GenericRecord image = new GenericData.Record(IMAGE);
        image.put("bytes", ByteBuffer.wrap(png));
        image.put("path", path);
        return image;
    }

    /** The PNG bytes of a row read back (null when the cell has no image). */
    public static byte[] png(GenericRecord row) {
        Object image = row.get("image");
        if (!(image instanceof GenericRecord record) || record.get("bytes") == null) {
            return null;
        }
        ByteBuffer bytes = ((ByteBuffer) record.get("bytes")).duplicate();
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return out;
    }

    /** Now, to the microsecond: what the tables' timestamp columns hold. */
    public static Instant now() {
        return micros(Instant.now());
    }

    /** {@code t} cut to the microsecond (the writer's data model takes an Instant for a timestamp column). */
    public static Instant micros(Instant t) {
        return t.minusNanos(t.getNano() % 1000);
    }
}
