package io.seedgrid.jobs.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.config.MeasureConfig;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.Chunks;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ImageRows;
import io.seedgrid.jobs.generate.Manifest;
import io.seedgrid.jobs.generate.RunLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/**
 * {@code seedgrid measure}: diversity metrics of every (prompt_id, recipe) group of {@code <run>/images/}
 * (README, "Outputs", "Metrics"). Only images with status {@code ok} are measured; the others are counted
 * per group. Groups are measured chunk by chunk like {@link GenerateJob} renders: each chunk is a few
 * Spark jobs whose tasks measure whole groups in {@code mapPartitions} (a group's images travel
 * together) and whose outputs, {@code embeddings/}, {@code pairs/} then {@code groups/}, are committed
 * through Spark's commit protocol; a crash loses at most the chunk in flight. A rerun skips every
 * group whose current {@code groups/} row has the group's key (its ok and failed cells and the metric
 * fingerprint), so it measures new groups, groups that gained cells and, after a model change, all.
 * {@code recipes/} is recomputed from the current groups at the end of every run.
 */
public final class MeasureJob {

    /** What one attempt did. */
    public record Summary(String runDir, int groups, int alreadyMeasured, int measured, long images, long failedImages,
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
     *     a run without images or without an ok image, a reference recipe without ok images
     */
    public static Summary run(RunConfig config, SparkSession spark, PrintStream console,
                              GenerateJob.ChunkListener listener) {
        long start = System.nanoTime();
        MeasureConfig measure = config.measure();
        MetricModels models = MetricModels.of(measure);
        MetricColumns columns = checkModels(config);
        ObjectNode fingerprint = MetricFingerprint.of(models);

        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String runDir = config.runDirectory();
        if (!ImageRows.exist(runDir, hadoop)) {
            throw new IllegalArgumentException("run folder " + runDir + " has no images/: run `seedgrid generate` on"
                    + " this config first");
        }
        try (RunLock lock = RunLock.acquire(runDir, hadoop)) {
            List<GroupPlan> groups = ImageIndex.groups(spark, runDir, fingerprint.toString());
            checkReference(groups, measure.referenceRecipe(), runDir);
            Map<GroupId, String> current = MeasureOutputs.currentKeys(spark, runDir);
            List<GroupPlan> todo = groups.stream().filter(g -> !g.key().equals(current.get(g.id())))
                    .sorted(Comparator.comparing((GroupPlan g) -> g.files().isEmpty() ? "" : g.files().get(0))
                            .thenComparing(GroupPlan::id))
                    .toList();
            List<List<GroupPlan>> chunks = Chunks.of(todo, GroupPlan::n, config.chunkSize());
            long todoImages = todo.stream().mapToLong(GroupPlan::n).sum();
            console.printf(Locale.ROOT, "measure %s: %d groups (%d ok images, %d failed), %d already measured,"
                            + " %d images to measure in %d chunks; metrics: %s%n", config.run(), groups.size(),
                    groups.stream().mapToLong(GroupPlan::n).sum(), groups.stream().mapToLong(GroupPlan::failed).sum(),
                    groups.size() - todo.size(), todoImages, chunks.size(), String.join(", ", columns.groupMetrics()));

            String attempt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                    .format(Instant.now()) + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
            Manifest manifest = Manifest.open(runDir, hadoop);
            ObjectNode node = recordAttempt(manifest, fingerprint, columns, attempt, groups.size(), todo.size());
            Progress done = new Progress();
            try {
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                int parallelism = config.partitions() > 0 ? config.partitions() : jsc.defaultParallelism();
                for (int c = 0; c < chunks.size(); c++) {
                    List<GroupPlan> chunk = chunks.get(c);
                    Map<GroupId, GroupPlan> plans = new HashMap<>();
                    chunk.forEach(g -> plans.put(g.id(), g));
                    GroupMeasurer measurer = new GroupMeasurer(models, columns, plans, attempt, BuildInfo.codeVersion());
                    measureChunk(spark, jsc, chunk, measurer, columns, runDir, parallelism);
                    done.add(chunk);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    console.printf(Locale.ROOT, "  chunk %d/%d committed: %d/%d groups, %d/%d images (%.0f%%), %.2f images/s%n",
                            c + 1, chunks.size(), done.groups, todo.size(), done.images, todoImages,
                            todoImages == 0 ? 100.0 : 100.0 * done.images / todoImages, done.images / seconds);
                    update(node, done, "running", null);
                    manifest.save();
                    listener.committed(c + 1, chunks.size(), done.images);
                }
                List<Row> currentGroups = MeasureOutputs.currentGroups(spark, runDir).collectAsList();
                List<Row> recipes = RecipeSummary.rows(currentGroups, columns.groupMetrics(), measure.referenceRecipe(),
                        measure.bootstrap(), attempt);
                SingleFileParquet.replace(spark.createDataFrame(recipes, MetricColumns.RECIPES), runDir, "recipes", attempt);
                update(node, done, "done", null);
                manifest.save();
            } catch (RuntimeException e) {
                update(node, done, "failed", e.getMessage());
                manifest.save();
                throw e;
            }
            return new Summary(runDir, groups.size(), groups.size() - todo.size(), done.groups, done.images, done.failed,
                    done.pairs, (System.nanoTime() - start) / 1e9);
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

    /** Measures one chunk of groups and commits its embeddings, pairs and, last, its groups rows. */
    private static void measureChunk(SparkSession spark, JavaSparkContext jsc, List<GroupPlan> chunk,
                                     GroupMeasurer measurer, MetricColumns columns, String runDir, int parallelism) {
        List<GroupPlan> withImages = chunk.stream().filter(g -> g.n() > 0).toList();
        JavaRDD<MeasuredGroup> measured = null;
        if (!withImages.isEmpty()) {
            TreeSet<String> files = new TreeSet<>();
            List<String> cells = new ArrayList<>();
            for (GroupPlan g : withImages) {
                files.addAll(g.files());
                cells.addAll(g.okCells());
            }
            Dataset<Row> images = spark.read().schema(ImageRows.SCHEMA).parquet(files.toArray(String[]::new))
                    .filter(col("status").equalTo("ok").and(col("cell_id").isin(cells.toArray())))
                    .select(col("prompt_id"), col("recipe"), col("cell_id"), col("seed"), col("image.bytes"))
                    .repartition(Math.min(withImages.size(), parallelism), col("prompt_id"), col("recipe"))
                    .sortWithinPartitions("prompt_id", "recipe", "seed", "cell_id");
            measured = images.javaRDD().mapPartitions(rows -> measurer.measure(rows));
        }
        List<MeasuredGroup> empty = chunk.stream().filter(g -> g.n() == 0).map(measurer::empty).toList();
        if (!empty.isEmpty()) {
            JavaRDD<MeasuredGroup> rows = jsc.parallelize(empty, 1);
            measured = measured == null ? rows : measured.union(rows);
        }
        measured.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            if (!columns.encoders().isEmpty() && !withImages.isEmpty()) {
                spark.createDataFrame(measured.flatMap(g -> g.embeddings().iterator()), MetricColumns.EMBEDDINGS)
                        .write().mode(SaveMode.Append).parquet(runDir + "/embeddings");
            }
            if (chunk.stream().anyMatch(g -> g.pairs() > 0)) {
                spark.createDataFrame(measured.flatMap(g -> g.pairs().iterator()), columns.pairSchema())
                        .write().mode(SaveMode.Append).parquet(runDir + "/pairs");
            }
            spark.createDataFrame(measured.map(MeasuredGroup::group), columns.groupSchema())
                    .write().mode(SaveMode.Append).parquet(runDir + "/groups");
        } finally {
            measured.unpersist(false);
        }
    }

    private static void checkReference(List<GroupPlan> groups, String reference, String runDir) {
        if (reference == null || groups.stream().anyMatch(g -> g.id().recipe().equals(reference) && g.n() > 0)) {
            return;
        }
        TreeSet<String> withImages = new TreeSet<>();
        groups.stream().filter(g -> g.n() > 0).forEach(g -> withImages.add(g.id().recipe()));
        throw new IllegalArgumentException("measure.reference_recipe '" + reference + "' has no ok images in " + runDir
                + "/images (recipes with images: " + String.join(", ", withImages) + "): generate it first or"
                + " choose another reference");
    }

    /** Counts of the groups committed so far in this attempt. */
    private static final class Progress {
        int groups;
        long images;
        long failed;
        long pairs;

        void add(List<GroupPlan> chunk) {
            for (GroupPlan g : chunk) {
                groups++;
                images += g.n();
                failed += g.failed();
                pairs += g.pairs();
            }
        }
    }

    private static ObjectNode recordAttempt(Manifest manifest, ObjectNode fingerprint, MetricColumns columns,
                                            String attempt, int groups, int todo) {
        ObjectNode root = manifest.root();
        ObjectNode measure = root.has("measure") ? (ObjectNode) root.get("measure") : root.putObject("measure");
        ArrayNode attempts = measure.has("attempts") ? (ArrayNode) measure.get("attempts") : measure.putArray("attempts");
        ObjectNode node = attempts.addObject();
        node.put("attempt", attempt);
        node.put("started_at", Instant.now().toString());
        node.put("code_version", BuildInfo.codeVersion());
        node.set("metrics", fingerprint);
        ArrayNode metrics = node.putArray("group_metrics");
        columns.groupMetrics().forEach(metrics::add);
        node.put("groups", groups);
        node.put("already_measured", groups - todo);
        node.put("to_measure", todo);
        update(node, new Progress(), "running", null);
        manifest.save();
        return node;
    }

    private static void update(ObjectNode node, Progress done, String status, String message) {
        node.put("status", status);
        node.put("measured", done.groups);
        node.put("images", done.images);
        node.put("failed_images", done.failed);
        node.put("pairs", done.pairs);
        if (message != null) {
            node.put("message", message);
        }
        node.put("updated_at", Instant.now().toString());
    }
}
