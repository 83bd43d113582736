package io.seedgrid.jobs.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.generate.ImageRows;
import io.seedgrid.jobs.testing.TestSpark;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The images/ files load typed everywhere: timestamps as TIMESTAMP(MICROS, UTC), seeds as DECIMAL(20,0) (the
 * whole unsigned 64-bit range exact), lists in the standard three-level form, Hugging Face {@code datasets}'
 * features for every column in the footer; Spark reads them as the {@link ImageRows} schema.
 */
class ImageTableTest {

    @Test
    void filesCarryTheirTypesAndDatasetsFeatures(@TempDir java.nio.file.Path dir) throws Exception {
        Path file = new Path(dir.resolve("recipe_name=base/prompt_bucket=0/part.parquet").toUri());
        Instant created = ImageTable.micros(Instant.parse("2026-12-06T10:15:30.123456789Z"));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        try (ParquetWriter<GenericRecord> writer = ParquetFiles.writer(file, ImageTable.SCHEMA, new Configuration(),
                ImageTable.METADATA)) {
            writer.write(row(created, png));
        }

        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            PrimitiveType createdAt = schema.getType("created_at").asPrimitiveType();
            assertEquals(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS),
                    createdAt.getLogicalTypeAnnotation());
            PrimitiveType seed = schema.getType("seed").asPrimitiveType();
            assertEquals(PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, seed.getPrimitiveTypeName());
            assertEquals(LogicalTypeAnnotation.decimalType(0, 20), seed.getLogicalTypeAnnotation());
            assertEquals(LogicalTypeAnnotation.listType(), schema.getType("models").getLogicalTypeAnnotation());
            assertEquals("list", schema.getType("models").asGroupType().getType(0).getName(), "three-level list");

            Map<String, String> metadata = reader.getFooter().getFileMetaData().getKeyValueMetaData();
            JsonNode features = new ObjectMapper().readTree(metadata.get("huggingface")).path("info").path("features");
            for (Schema.Field field : ImageTable.SCHEMA.getFields()) {
                assertTrue(features.has(field.name()), "a datasets feature for " + field.name());
            }
            assertEquals("Image", features.path("image").path("_type").asText());
            assertEquals("timestamp[us, tz=UTC]", features.path("created_at").path("dtype").asText());
            assertEquals("decimal128(20, 0)", features.path("seed").path("dtype").asText());
        }

        try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(file, ImageTable.SCHEMA, new Configuration(), null)) {
            GenericRecord back = reader.read();
            assertEquals(new BigDecimal("18446744073709551615"), back.get("seed"));
            assertEquals(created, back.get("created_at"));
            assertArrayEquals(png, ImageTable.png(back));
        }

        Row spark = TestSpark.session().read().schema(ImageRows.SCHEMA).parquet(dir.toString()).first();
        assertEquals(new BigDecimal("18446744073709551615"), spark.getDecimal(spark.fieldIndex("seed")));
        assertEquals(created, spark.getTimestamp(spark.fieldIndex("created_at")).toInstant());
        for (StructField field : TestSpark.session().read().parquet(dir.toString()).schema().fields()) {
            if (field.name().equals("created_at")) {
                assertEquals(DataTypes.TimestampType, field.dataType(), "a UTC instant, not a local date-time");
            }
            if (field.name().equals("seed")) {
                assertEquals(ImageRows.SEED_TYPE, field.dataType());
            }
        }
    }

    private static GenericRecord row(Instant created, byte[] png) {
        GenericRecord r = new GenericData.Record(ImageTable.SCHEMA);
        r.put("cell_id", "c".repeat(32));
        r.put("run_id", "run");
        r.put("attempt", "a");
        r.put("prompt_id", "p");
        r.put("prompt", "a cat");
        r.put("negative_prompt", "");
        r.put("seed", ImageTable.seed(-1L));
        r.put("recipe", "base");
        r.put("recipe_json", "{}");
        r.put("models", ImageTable.models(Map.of("base", "f".repeat(64))));
        r.put("width", 64);
        r.put("height", 48);
        r.put("image", ImageTable.image(png, null));
        r.put("status", "ok");
        r.put("message", "");
        r.put("device", "cpu");
        r.put("prompt_tokens", 3);
        r.put("prompt_truncated", false);
        r.put("text_ms", 1.0);
        r.put("unet_ms", 2.0);
        r.put("vae_ms", 3.0);
        r.put("total_ms", 6.0);
        r.put("created_at", created);
        r.put("code_version", "test");
        return r;
    }
}
