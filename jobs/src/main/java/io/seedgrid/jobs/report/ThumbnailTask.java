package io.seedgrid.jobs.report;

import io.seedgrid.jobs.generate.HadoopConf;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.jobs.output.ParquetFiles;
import io.seedgrid.jobs.output.RunPaths;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.api.Binary;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The report's thumbnails, made on the executors: one Spark task per recipe and prompt bucket of the shown
 * prompts reads that folder's files with a row-group filter on {@code prompt_id} (files are sorted by
 * prompt id, in row groups of {@link ParquetFiles#ROW_GROUP_BYTES}), so it reads the shown prompts' image
 * bytes and little else, and turns the wanted cells into thumbnails.
 */
final class ThumbnailTask {

    private static final Schema COLUMNS = ImageTable.projection("prompt_id", "cell_id", "status", "image");

    private ThumbnailTask() {
    }

    /** A cell whose thumbnail the report shows. */
    record Wanted(String recipe, String promptId, String cellId) implements Serializable {
    }

    /** Thumbnails by cell id of the {@code wanted} cells, at most {@code maxSide} px on their long side. */
    static Map<String, Thumbnail> make(SparkSession spark, String runDir, int buckets, List<Wanted> wanted, int maxSide) {
        Map<String, Thumbnail> out = new HashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        // (recipe, bucket) -> the wanted cells of that folder
        Map<String, List<Wanted>> byFolder = new TreeMap<>();
        for (Wanted w : wanted) {
            byFolder.computeIfAbsent(w.recipe() + "\u0000" + RunPaths.bucket(w.promptId(), buckets), k -> new ArrayList<>())
                    .add(w);
        }
        List<List<Wanted>> tasks = new ArrayList<>(byFolder.values());
        HadoopConf hadoop = new HadoopConf(spark.sparkContext().hadoopConfiguration());
        for (Tuple2<String, Thumbnail> t : JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(tasks, tasks.size())
                .flatMap(folder -> read(runDir, buckets, folder, maxSide, hadoop.get()).iterator())
                .collect()) {
            out.put(t._1(), t._2());
        }
        return out;
    }

    /** The thumbnails of one folder's wanted cells. */
    private static List<Tuple2<String, Thumbnail>> read(String runDir, int buckets, List<Wanted> wanted, int maxSide,
                                                         Configuration conf) throws java.io.IOException {
        Set<String> cells = new HashSet<>();
        Set<Binary> prompts = new HashSet<>();
        for (Wanted w : wanted) {
            cells.add(w.cellId());
            prompts.add(Binary.fromString(w.promptId()));
        }
        Wanted first = wanted.get(0);
        Path folder = RunPaths.partition(runDir, RunPaths.IMAGES, first.recipe(), RunPaths.bucket(first.promptId(), buckets));
        FileSystem fs = FileSystems.of(folder, conf);
        FilterCompat.Filter filter = FilterCompat.get(FilterApi.in(FilterApi.binaryColumn("prompt_id"), prompts));
        List<Tuple2<String, Thumbnail>> out = new ArrayList<>();
        for (FileStatus file : FileSystems.parquetFiles(fs, folder)) {
            try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(file.getPath(), COLUMNS, conf, filter)) {
                for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                    String cell = row.get("cell_id").toString();
                    byte[] png = ImageTable.png(row);
                    if (cells.contains(cell) && png != null && "ok".equals(row.get("status").toString())) {
                        try {
                            out.add(new Tuple2<>(cell, Thumbnail.of(png, maxSide)));
                        } catch (IllegalArgumentException undecodable) {
                            // shown as a failed tile
                        }
                    }
                }
            }
        }
        return out;
    }
}
