package io.seedgrid.jobs.testing;

import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.jobs.output.ParquetFiles;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run folder's {@code images/} read without Spark: every {@code .parquet} file under it (as DuckDB's
 * {@code images/**}{@code /*.parquet} glob finds them) through the Parquet reader, so that tests count rows
 * the way a reader that is not Spark sees them.
 */
public final class RunTables {

    private RunTables() {
    }

    /** The {@code images/} Parquet files of {@code runDir} (a local path or any Hadoop URI). */
    public static List<Path> imageFiles(String runDir, Configuration conf) {
        Path images = new Path(runDir, "images");
        List<Path> files = new ArrayList<>();
        try {
            FileSystem fs = images.getFileSystem(conf);
            if (!fs.exists(images)) {
                return files;
            }
            for (RemoteIterator<LocatedFileStatus> it = fs.listFiles(images, true); it.hasNext(); ) {
                Path p = it.next().getPath();
                if (p.getName().endsWith(".parquet") && !p.getName().startsWith(".")) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    public static List<Path> imageFiles(String runDir) {
        return imageFiles(runDir, new Configuration());
    }

    /** Every row of {@code images/}, with the named columns only. */
    public static List<GenericRecord> rows(String runDir, Configuration conf, String... columns) {
        List<GenericRecord> rows = new ArrayList<>();
        for (Path file : imageFiles(runDir, conf)) {
            try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(file, ImageTable.projection(columns), conf, null)) {
                for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                    rows.add(row);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return rows;
    }

    /** Every row of one file, with the named columns only. */
    public static List<GenericRecord> rowsOf(Path file, String... columns) {
        List<GenericRecord> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(file, ImageTable.projection(columns),
                new Configuration(), null)) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    public static List<GenericRecord> rows(String runDir, String... columns) {
        return rows(runDir, new Configuration(), columns);
    }

    /** Every row of {@code images/}, all columns (as copies to edit). */
    public static List<GenericRecord> allRows(String runDir) {
        List<GenericRecord> rows = new ArrayList<>();
        for (GenericRecord r : rows(runDir, new Configuration(), ImageTable.SCHEMA.getFields().stream()
                .map(org.apache.avro.Schema.Field::name).toArray(String[]::new))) {
            rows.add(io.seedgrid.jobs.output.ParquetFiles.MODEL.deepCopy(r.getSchema(), r));
        }
        return rows;
    }

    /**
     * Adds {@code rows} to {@code images/} as files named {@code fileName} in their recipes' and prompt buckets'
     * folders (a part of another layout, as a run with more seeds would write).
     */
    public static void append(String runDir, int buckets, String fileName, List<GenericRecord> rows) {
        Map<Path, List<GenericRecord>> byFolder = new HashMap<>();
        for (GenericRecord row : rows) {
            byFolder.computeIfAbsent(io.seedgrid.jobs.output.RunPaths.partition(runDir, "images",
                    row.get("recipe").toString(), io.seedgrid.jobs.output.RunPaths.bucket(row.get("prompt_id").toString(),
                            buckets)), k -> new ArrayList<>()).add(row);
        }
        byFolder.forEach((folder, list) -> {
            try (var writer = ParquetFiles.writer(new Path(folder, fileName), ImageTable.SCHEMA, new Configuration(),
                    ImageTable.METADATA)) {
                for (GenericRecord row : list) {
                    writer.write(row);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** How often each (prompt_id, seed, recipe) appears in {@code images/}. */
    public static Map<String, Integer> cellCounts(String runDir, Configuration conf) {
        Map<String, Integer> counts = new HashMap<>();
        for (GenericRecord r : rows(runDir, conf, "prompt_id", "seed", "recipe")) {
            counts.merge(r.get("prompt_id") + "/" + r.get("seed") + "/" + r.get("recipe"), 1, Integer::sum);
        }
        return counts;
    }

    public static Map<String, Integer> cellCounts(String runDir) {
        return cellCounts(runDir, new Configuration());
    }
}
