package io.seedgrid.jobs.output;

import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

import java.io.IOException;
import java.util.Map;

/**
 * How seedgrid writes and reads its Parquet files outside Spark: with parquet-avro, one Avro schema per
 * table, so that every file of a table has the same columns and other tools (Spark, DuckDB, pyarrow,
 * pandas, Hugging Face {@code datasets}) read it typed: timestamps as {@code TIMESTAMP(MICROS, UTC)},
 * seeds as {@code DECIMAL(20,0)}, lists in the standard three-level form, Snappy compression.
 * Row groups are kept small ({@value #ROW_GROUP_BYTES} bytes) so that a reader that filters on a sorted
 * column (prompt_id) skips most of a file's image bytes.
 */
public final class ParquetFiles {

    /** Row group size of the tables: readers skip whole row groups by their statistics. */
    public static final int ROW_GROUP_BYTES = 32 << 20;

    /** The column of an image table that holds the PNG files. */
    private static final String IMAGE_BYTES = "image.bytes";

    /** Avro's data model with the logical types seedgrid uses (decimal seeds, microsecond timestamps). */
    public static final GenericData MODEL = model();

    private ParquetFiles() {
    }

    private static GenericData model() {
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        return model;
    }

    /**
     * A writer of {@code schema} rows to {@code file}, replacing a file already there (a retried task's).
     *
     * @param metadata extra key-value metadata for the file footer (e.g. Hugging Face {@code datasets} features)
     */
    public static ParquetWriter<GenericRecord> writer(Path file, Schema schema, Configuration conf,
                                                      Map<String, String> metadata) throws IOException {
        Configuration c = FileSystems.withoutChecksums(conf);
        c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
        return AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(file, c))
                .withSchema(schema)
                .withDataModel(MODEL)
                .withConf(c)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                // PNG bytes never repeat and nobody filters on them: no dictionary (Parquet would hash and keep every
                // image until its dictionary page overflows) and no min/max statistics
                .withDictionaryEncoding(IMAGE_BYTES, false)
                .withStatisticsEnabled(IMAGE_BYTES, false)
                .withRowGroupSize((long) ROW_GROUP_BYTES)
                .withExtraMetaData(metadata)
                .build();
    }

    /**
     * A reader of {@code file} that returns only the fields of {@code projection} (a subset of the table's
     * schema) and, with a filter, skips row groups whose statistics rule it out.
     */
    public static ParquetReader<GenericRecord> reader(Path file, Schema projection, Configuration conf,
                                                      FilterCompat.Filter filter) throws IOException {
        Configuration c = FileSystems.withoutChecksums(conf);
        // the projection is converted to Parquet's types as the writer did: standard three-level lists
        c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
        AvroReadSupport.setRequestedProjection(c, projection);
        AvroReadSupport.setAvroReadSchema(c, projection);
        return AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(file, c))
                .withDataModel(MODEL)
                .withConf(c)
                .withFilter(filter == null ? FilterCompat.NOOP : filter)
                .build();
    }
}
