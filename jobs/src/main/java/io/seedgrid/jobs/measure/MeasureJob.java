package io.seedgrid.jobs.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.GracefulStop;
import io.seedgrid.jobs.KillPoints;
import io.seedgrid.jobs.config.MeasureConfig;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.Attempts;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.HadoopConf;
import io.seedgrid.jobs.generate.Manifest;
import io.seedgrid.jobs.generate.RunFolder;
import io.seedgrid.jobs.generate.RunLock;
import io.seedgrid.jobs.output.AvroRows;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ParquetFiles;
import io.seedgrid.jobs.output.RunPaths;
import io.seedgrid.jobs.spark.SparkWaves;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/**
 * {@code seedgrid measure}: diversity metrics of every (prompt_id, recipe) group of {@code <run>/images/}
 * (README, "Outputs", "Metrics"). Only images with status {@code ok} are measured; the others are counted
 * per group. One Spark task per recipe and prompt bucket ({@link MeasureTask}) reads that bucket's images
 * where generate put them — no image bytes are shuffled — and replaces the bucket's {@code embeddings/},
 * {@code pairs/} and {@code groups/} files when a group of it changed (gained cells, other metric models).
 * {@code recipes/} is then computed from every group by Spark (the bootstrap of each metric in a task of its
 * own) and replaces its one file.
 */
public final class MeasureJob {

    /** What one attempt did. */
    public record Summary(String runDir, long groups, long alreadyMeasured, long measured, long images, long failedImages,
                          long pairs, double seconds) {
        public String report() {
            return String.format(Locale.ROOT,
                    "measure: %d groups, %d already measured, %d measured now (%d images, %d failed images skipped,"
                            + " %d pairs) in %.1f s%n  output: %s/{groups,pairs,embeddings,recipes}", groups,
                    alreadyMeasured, measured, images, failedImages, pairs, seconds, runDir);
        }
    }

    private MeasureJob() {
    }

    /**
     * Validates the metric models (before any Spark work), then measures what is not measured yet.
     *
     * @throws IllegalArgumentException for bad input: a metric model that does not fit its declaration,
     *     a run without images or without an ok image, a config whose recipes or models differ from the run
     *     folder's, a reference recipe without ok images
     */
    public static Summary run(RunConfig config, SparkSession spark, PrintStream console, GenerateJob.WaveListener listener) {
        long start = System.nanoTime();
        MeasureConfig measure = config.measure();
        MetricModels models = MetricModels.of(measure);
        MetricColumns columns = checkModels(config);
        ObjectNode fingerprint = MetricFingerprint.of(models);

        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String runDir = config.runDirectory();
        Path images = RunPaths.table(runDir, RunPaths.IMAGES);
        FileSystem fs = FileSystems.of(images, hadoop);
        if (!exists(fs, images)) {
            throw new IllegalArgumentException("run folder " + runDir + " has no images/: run `seedgrid generate` on"
                    + " this config first");
        }
        try (RunLock lock = RunLock.acquire(runDir, hadoop)) {
            Manifest manifest = Manifest.open(runDir, hadoop);
            checkSameRun(manifest, config);
            checkReference(spark, images, measure.referenceRecipe(), runDir);
            List<MeasureTask.Bucket> buckets = buckets(fs, images);
            String attempt = Attempts.newId();
            ObjectNode node = Attempts.start(manifest, "measure", attempt);
            node.set("metrics", fingerprint);
            ArrayNode metrics = node.putArray("group_metrics");
            columns.groupMetrics().forEach(metrics::add);
            manifest.save();
            FileSystems.delete(fs, RunPaths.temporary(runDir));
            console.printf(Locale.ROOT, "measure %s: %d recipe buckets; metrics: %s%n", config.run(), buckets.size(),
                    String.join(", ", columns.groupMetrics()));

            MeasureTask.Context context = new MeasureTask.Context(runDir, attempt, models, columns, fingerprint.toString(),
                    new HadoopConf(hadoop));
            Progress done = new Progress();
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            // deserialized once per executor, not once per task (its Hadoop configuration alone is ~100 kB)
            Broadcast<MeasureTask.Context> shared = jsc.broadcast(context);
            int waveSize = config.partitions() > 0 ? config.partitions() : 4 * jsc.defaultParallelism();
            try {
                SparkWaves.Outcome outcome = SparkWaves.run(jsc, "seedgrid-measure-" + attempt, buckets.iterator(), waveSize,
                        3, wave -> jsc.parallelize(wave, wave.size()).map(b -> MeasureTask.run(b, shared.value())).collectAsync(),
                        results -> {
                            done.add(results);
                            Attempts.update(node, "running", done.counts(), null);
                            KillPoints.reach(KillPoints.MANIFEST);
                            manifest.save();
                            listener.finished(done.buckets, done.images);
                        },
                        GracefulStop::requested);
                if (outcome == SparkWaves.Outcome.STOPPED) {
                    Attempts.update(node, "interrupted", done.counts(), "stopped by SIG" + GracefulStop.signal());
                    manifest.save();
                    throw new GracefulStop.Interrupted("interrupted: " + done.measuredGroups + " groups measured; a rerun"
                            + " resumes");
                }
                writeRecipes(spark, runDir, columns.groupMetrics(), measure.referenceRecipe(), measure.bootstrap(), attempt,
                        hadoop);
                Attempts.update(node, "done", done.counts(), null);
                manifest.save();
                FileSystems.delete(fs, RunPaths.temporary(runDir));
            } catch (GracefulStop.Interrupted e) {
                throw e;
            } catch (RuntimeException e) {
                Attempts.update(node, "failed", done.counts(), e.getMessage());
                manifest.save();
                throw e;
            }
            console.printf(Locale.ROOT, "  %d of %d buckets measured now%n", done.measuredBuckets, buckets.size());
            return new Summary(runDir, done.groups, done.groups - done.measuredGroups, done.measuredGroups, done.images,
                    done.failed, done.pairs, (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Loads the config's metric models on this JVM and checks them against their declarations, without
     * Spark (the command line calls it before starting Spark; {@link #run} calls it first).
     *
     * @return the columns the measurement writes
     * @throws IllegalArgumentException when a model is not local, misses or breaks its declaration, or two
     *     models would write the same column
     */
    public static MetricColumns checkModels(RunConfig config) {
        return MetricColumns.of(MetricSuite.get(MetricModels.of(config.measure()), MetricSuite.taskSettings()));
    }

    /** The run folder must have been generated with this config's models, size and recipes. */
    private static void checkSameRun(Manifest manifest, RunConfig config) {
        String recorded = manifest.root().path("identity_hash").asText("");
        if (!recorded.equals(config.identityHash())) {
            throw new IllegalArgumentException("run folder " + config.runDirectory() + " was generated with other models,"
                    + " size, recipes or long_prompt than " + config.source() + " (config "
                    + manifest.root().path("config_file").asText("?") + "): measure it with the config that made it");
        }
        if (RunFolder.recordedBuckets(manifest) == 0) {
            throw new IllegalArgumentException("run folder " + config.runDirectory() + " has no table layout in its"
                    + " manifest: it was written by an earlier seedgrid; generate into a new run name");
        }
    }

    /** Every recipe's prompt bucket that has an images/ folder. */
    private static List<MeasureTask.Bucket> buckets(FileSystem fs, Path images) {
        List<MeasureTask.Bucket> out = new ArrayList<>();
        try {
            for (String recipe : new TreeSet<>(FileSystems.partitionValues(fs, images, RunPaths.RECIPE_KEY))) {
                Path folder = new Path(images, RunPaths.RECIPE_KEY + "=" + recipe);
                for (String bucket : FileSystems.partitionValues(fs, folder, RunPaths.BUCKET_KEY)) {
                    out.add(new MeasureTask.Bucket(recipe, Integer.parseInt(bucket)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + images, e);
        }
        return out;
    }

    /** Some image must be ok, and the reference recipe must have ok images. */
    private static void checkReference(SparkSession spark, Path images, String reference, String runDir) {
        Set<String> withImages = new TreeSet<>();
        for (Row row : spark.read().parquet(images.toString()).filter(col("status").equalTo("ok")).select("recipe")
                .distinct().collectAsList()) {
            withImages.add(row.getString(0));
        }
        if (withImages.isEmpty()) {
            throw new IllegalArgumentException("run folder " + runDir + " has no image with status ok in images/: nothing"
                    + " to measure");
        }
        if (reference != null && !withImages.contains(reference)) {
            throw new IllegalArgumentException("measure.reference_recipe '" + reference + "' has no ok images in " + runDir
                    + "/images (recipes with images: " + String.join(", ", withImages) + "): generate it first or"
                    + " choose another reference");
        }
    }

    /** Computes {@code recipes/} from every group with Spark and replaces its one file. */
    private static void writeRecipes(SparkSession spark, String runDir, List<String> metrics, String reference,
                                     int resamples, String attempt, Configuration hadoop) {
        List<Row> rows = RecipeSummary.compute(MeasureOutputs.currentGroups(spark, runDir), metrics, reference, resamples,
                attempt);
        Schema schema = AvroRows.schema(RunPaths.RECIPES, MetricColumns.RECIPES);
        Path temp = new Path(RunPaths.temporary(runDir, attempt), "recipes.parquet");
        Path target = new Path(RunPaths.table(runDir, RunPaths.RECIPES), "recipes.parquet");
        FileSystem fs = FileSystems.of(target, hadoop);
        try {
            try (ParquetWriter<GenericRecord> writer = ParquetFiles.writer(temp, schema, hadoop, Map.of())) {
                for (Row row : rows) {
                    writer.write(AvroRows.record(row, schema));
                }
            }
            FileSystems.replace(fs, temp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static boolean exists(FileSystem fs, Path path) {
        try {
            return fs.exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Counts of the buckets finished so far in this attempt. */
    private static final class Progress {
        long buckets;
        long measuredBuckets;
        long groups;
        long measuredGroups;
        long images;
        long failed;
        long pairs;

        void add(List<MeasureTask.Result> results) {
            for (MeasureTask.Result r : results) {
                buckets++;
                groups += r.groups();
                if (r.measured()) {
                    measuredBuckets++;
                    measuredGroups += r.groups();
                    images += r.images();
                    failed += r.failed();
                    pairs += r.pairs();
                }
            }
        }

        Map<String, Number> counts() {
            Map<String, Number> counts = new LinkedHashMap<>();
            counts.put("buckets", buckets);
            counts.put("measured_buckets", measuredBuckets);
            counts.put("groups", groups);
            counts.put("measured", measuredGroups);
            counts.put("images", images);
            counts.put("failed_images", failed);
            counts.put("pairs", pairs);
            return counts;
        }
    }
}
