package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.jobs.output.ParquetFiles;
import io.seedgrid.jobs.output.RunPaths;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;

/**
 * {@code generate --retry-errors}: the cells recorded with status {@code error} are rendered again. Each
 * Parquet file that holds error rows is rewritten by one Spark task: its other rows are copied, its error
 * cells rendered anew (in units of {@code batch_size} seeds of one prompt), and the new file replaces the old
 * one ({@link FileSystems#replace}), so every reader still sees each cell once and the newest outcome.
 */
final class RetryErrors {

    private RetryErrors() {
    }

    /** Rewrites every file with error rows; returns the number of cells rendered again. */
    static long run(SparkSession spark, RunContext run, int batchSize, PrintStream console) {
        Path images = RunPaths.table(run.runDir(), RunPaths.IMAGES);
        FileSystem fs = FileSystems.of(images, run.hadoop().get());
        try {
            if (!fs.exists(images)) {
                return 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + images, e);
        }
        List<String> files = new ArrayList<>();
        for (Row row : spark.read().parquet(images.toString()).filter(col("status").equalTo("error"))
                .select(col("_metadata.file_path")).distinct().collectAsList()) {
            files.add(row.getString(0));
        }
        if (files.isEmpty()) {
            console.println("generate --retry-errors: no error cells");
            return 0;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        long retried = jsc.parallelize(files, files.size()).map(file -> rewrite(new Path(java.net.URI.create(file)), run, batchSize))
                .reduce(Long::sum);
        console.printf(Locale.ROOT, "generate --retry-errors: %d error cells rendered again in %d files%n", retried,
                files.size());
        return retried;
    }

    /** Rewrites one file with its error cells rendered again (on an executor); returns their number. */
    static long rewrite(Path file, RunContext run, int batchSize) throws IOException {
        Configuration conf = run.hadoop().get();
        FileSystem fs = FileSystems.of(file, conf);
        List<GenericRecord> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(file, ImageTable.SCHEMA, conf, null)) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                rows.add(row);
            }
        }
        Map<String, GenericRecord> renewed = new HashMap<>();
        UnitRenderer renderer = new UnitRenderer(run);
        for (WorkUnit unit : errorUnits(rows, batchSize)) {
            for (GenericRecord row : renderer.render(unit)) {
                renewed.put(row.get("cell_id").toString(), row);
            }
        }
        Path temp = new Path(RunPaths.temporary(run.runDir(), run.attempt()), UUID.randomUUID() + ".parquet");
        try (ParquetWriter<GenericRecord> writer = ParquetFiles.writer(temp, ImageTable.SCHEMA, conf, ImageTable.METADATA)) {
            for (GenericRecord row : rows) {
                writer.write(renewed.getOrDefault(row.get("cell_id").toString(), row));
            }
        }
        FileSystems.replace(fs, temp, file);
        return renewed.size();
    }

    /** The error rows as units: consecutive rows of one prompt (files are sorted by prompt), batch_size at most. */
    static List<WorkUnit> errorUnits(List<GenericRecord> rows, int batchSize) {
        List<WorkUnit> units = new ArrayList<>();
        List<GenericRecord> batch = new ArrayList<>();
        for (GenericRecord row : rows) {
            if (!"error".equals(row.get("status").toString())) {
                continue;
            }
            if (!batch.isEmpty() && (batch.size() == batchSize
                    || !batch.get(0).get("prompt_id").toString().equals(row.get("prompt_id").toString()))) {
                units.add(unit(batch));
                batch.clear();
            }
            batch.add(row);
        }
        if (!batch.isEmpty()) {
            units.add(unit(batch));
        }
        return units;
    }

    private static WorkUnit unit(List<GenericRecord> rows) {
        GenericRecord first = rows.get(0);
        long[] seeds = new long[rows.size()];
        String[] ids = new String[rows.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = ImageTable.seed((java.math.BigDecimal) rows.get(i).get("seed"));
            ids[i] = rows.get(i).get("cell_id").toString();
        }
        return new WorkUnit(first.get("prompt_id").toString(), first.get("prompt").toString(),
                first.get("negative_prompt").toString(), first.get("recipe").toString(), first.get("recipe_json").toString(),
                seeds, ids);
    }
}
