package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.Chunks;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code seedgrid generate}: renders every cell of a config that is not yet in {@code <run>/images/},
 * chunk by chunk. Each chunk is one Spark job whose tasks render work units in {@code mapPartitions}
 * and whose output is committed as a whole (Spark's commit protocol; the S3A magic committer on
 * s3a://), so a crash loses at most the chunk in flight and a rerun anti-joins on {@code cell_id} and
 * renders only what is missing.
 */
public final class GenerateJob {

    /** Told after every committed chunk (tests use it to stop a run midway). */
    @FunctionalInterface
    public interface ChunkListener {
        ChunkListener NONE = (chunk, chunks, cells) -> { };

        void committed(int chunk, int chunks, long cellsDone);
    }

    /** What one attempt did. */
    public record Summary(String runDir, long gridCells, long alreadyDone, long rendered, long ok, long nan, long errors,
                          double seconds) {
        public double imagesPerSecond() {
            return seconds > 0 ? rendered / seconds : 0;
        }

        public String report() {
            return String.format(Locale.ROOT,
                    "generate: %d cells in the grid, %d already done, %d rendered now (ok %d, nan %d, error %d) in %.1f s,"
                            + " %.2f images/s%n  output: %s/images", gridCells, alreadyDone, rendered, ok, nan, errors,
                    seconds, imagesPerSecond(), runDir);
        }
    }

    private static final int STATUS = ImageRows.SCHEMA.fieldIndex("status");

    /** The units of a partition's slots (one slot per partition), in order. */
    private static java.util.Iterator<WorkUnit> flatten(java.util.Iterator<List<WorkUnit>> slots) {
        List<WorkUnit> units = new java.util.ArrayList<>();
        slots.forEachRemaining(units::addAll);
        return units.iterator();
    }

    private GenerateJob() {
    }

    public static Summary run(RunConfig config, Map<String, ModelIdentity> models, SparkSession spark, PrintStream console,
                              ChunkListener listener) {
        long start = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String runDir = config.runDirectory();
        String images = ImageRows.folder(runDir);
        try (RunLock lock = RunLock.acquire(runDir, hadoop)) {
            Manifest manifest = Manifest.open(runDir, hadoop);
            checkSameRun(manifest, config, models);
            String attempt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                    + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
            ObjectNode attemptNode = recordAttempt(manifest, config, models, attempt);

            Set<String> done = doneCells(spark, runDir);
            List<WorkUnit> units = GridPlanner.units(config, models, done);
            List<List<WorkUnit>> chunks = Chunks.of(units, WorkUnit::size, config.chunkSize());
            long todo = units.stream().mapToLong(WorkUnit::size).sum();
            console.printf(Locale.ROOT, "generate %s: %d cells (%d prompts x %d seeds x %d recipes), %d done, %d to render in %d chunks%n",
                    config.run(), config.gridSize(), config.prompts().size(), config.seeds().size(), config.recipes().size(),
                    done.size(), todo, chunks.size());

            RunContext context = new RunContext(config.run(), attempt, runDir, config.width(), config.height(),
                    config.longPrompt().name().toLowerCase(Locale.ROOT), models, config.blendCache(), config.pngFiles(),
                    BuildInfo.codeVersion(), new HadoopConf(hadoop));
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            LongAccumulator ok = jsc.sc().longAccumulator("seedgrid.ok");
            LongAccumulator nan = jsc.sc().longAccumulator("seedgrid.nan");
            LongAccumulator errors = jsc.sc().longAccumulator("seedgrid.error");
            UnitRenderer renderer = new UnitRenderer(context);
            // Units go into task slots of about equal cost (GridPlanner.slots); two slots per core by default,
            // so that Spark still hands a free core the next slot when the cost model is off.
            int parallelism = config.partitions() > 0 ? config.partitions() : 2 * jsc.defaultParallelism();
            Map<String, RecipeSpec> recipes = new java.util.HashMap<>();
            config.recipes().forEach(r -> recipes.put(r.name(), r));
            long rendered = 0;
            // Between chunk commits, the cells rendered so far (tasks report when they finish), every 15 s.
            Supplier<String> progress = () -> {
                long cells = ok.value() + nan.value() + errors.value();
                double rate = cells / ((System.nanoTime() - start) / 1e9);
                return String.format(Locale.ROOT, "  ... %d/%d cells rendered (%.0f%%), %.2f images/s, ETA %s",
                        done.size() + cells, config.gridSize(), 100.0 * (done.size() + cells) / config.gridSize(), rate,
                        eta((todo - cells) / Math.max(rate, 1e-9)));
            };
            try (Ticker ignored = Ticker.every(15, progress, console)) {
                for (int c = 0; c < chunks.size(); c++) {
                    List<WorkUnit> chunk = chunks.get(c);
                    List<List<WorkUnit>> slots = GridPlanner.slots(chunk, parallelism, recipes);
                    JavaRDD<Row> rows = jsc.parallelize(slots, slots.size())
                            .mapPartitions(it -> renderer.render(flatten(it)))
                            .map(row -> {
                                switch (row.getString(STATUS)) {
                                    case "ok" -> ok.add(1);
                                    case "nan" -> nan.add(1);
                                    default -> errors.add(1);
                                }
                                return row;
                            });
                    spark.createDataFrame(rows, ImageRows.SCHEMA).write().mode(SaveMode.Append).parquet(images);
                    rendered += chunk.stream().mapToLong(WorkUnit::size).sum();
                    double rate = rendered / ((System.nanoTime() - start) / 1e9);
                    console.printf(Locale.ROOT, "  chunk %d/%d committed: %d/%d cells (%.0f%%), %.2f images/s, ETA %s%n",
                            c + 1, chunks.size(), done.size() + rendered, config.gridSize(),
                            100.0 * (done.size() + rendered) / config.gridSize(), rate,
                            eta((todo - rendered) / Math.max(rate, 1e-9)));
                    updateAttempt(attemptNode, rendered, ok.value(), nan.value(), errors.value(), "running");
                    manifest.save();
                    listener.committed(c + 1, chunks.size(), done.size() + rendered);
                    double failedShare = (double) errors.value() / rendered;
                    if (failedShare > config.maxFailedShare()) {
                        updateAttempt(attemptNode, rendered, ok.value(), nan.value(), errors.value(), "failed");
                        manifest.save();
                        throw new IllegalStateException(String.format(Locale.ROOT,
                                "%d of %d cells failed (%.0f%% > max_failed_share %.0f%%); see the message column of %s"
                                        + " for the errors", errors.value(), rendered, 100 * failedShare,
                                100 * config.maxFailedShare(), images));
                    }
                }
            }
            updateAttempt(attemptNode, rendered, ok.value(), nan.value(), errors.value(), "done");
            manifest.save();
            return new Summary(runDir, config.gridSize(), done.size(), rendered, ok.value(), nan.value(), errors.value(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** Cell ids already in {@code images/} (every status: a recorded error is final, see the README). */
    static Set<String> doneCells(SparkSession spark, String runDir) {
        if (!ImageRows.exist(runDir, spark.sparkContext().hadoopConfiguration())) {
            return new HashSet<>();
        }
        List<Row> ids = spark.read().schema(ImageRows.SCHEMA).parquet(ImageRows.folder(runDir)).select(functions.col("cell_id")).distinct()
                .collectAsList();
        Set<String> done = new HashSet<>(ids.size() * 2);
        for (Row row : ids) {
            done.add(row.getString(0));
        }
        return done;
    }

    /** Refuses to mix two different runs in one folder: the rendering settings and model contents must match. */
    private static void checkSameRun(Manifest manifest, RunConfig config, Map<String, ModelIdentity> models) {
        if (manifest.isNew()) {
            return;
        }
        ObjectNode root = manifest.root();
        String recorded = root.path("identity_hash").asText("");
        if (!recorded.equals(config.identityHash())) {
            throw new IllegalArgumentException("run folder " + config.runDirectory() + " holds a run made with other models,"
                    + " size, recipes or long_prompt (config " + root.path("config_file").asText("?") + "); only prompts and"
                    + " seeds may change between reruns: use another run name");
        }
        for (Map.Entry<String, ModelIdentity> model : models.entrySet()) {
            String before = root.path("models").path(model.getKey()).path("sha256").asText("");
            if (!before.isEmpty() && !before.equals(model.getValue().sha256())) {
                throw new IllegalArgumentException("model '" + model.getKey() + "' has changed since this run started"
                        + " (content hash " + before.substring(0, 12) + " then, " + model.getValue().sha256().substring(0, 12)
                        + " now): use another run name");
            }
        }
    }

    private static ObjectNode recordAttempt(Manifest manifest, RunConfig config, Map<String, ModelIdentity> models, String attempt) {
        ObjectNode root = manifest.root();
        root.put("run", config.run());
        root.put("config_file", config.source());
        try {
            root.set("config", Manifest.json().readTree(config.canonicalJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        root.put("identity_hash", config.identityHash());
        ObjectNode m = root.putObject("models");
        models.forEach((name, id) -> m.putObject(name).put("path", id.path()).put("base", id.base()).put("sha256", id.sha256()));
        ObjectNode grid = root.putObject("grid");
        grid.put("prompts", config.prompts().size());
        grid.put("seeds", config.seeds().size());
        grid.put("recipes", config.recipes().size());
        grid.put("cells", config.gridSize());
        root.put("code_version", BuildInfo.codeVersion());
        ObjectNode generate = root.has("generate") ? (ObjectNode) root.get("generate") : root.putObject("generate");
        ArrayNode attempts = generate.has("attempts") ? (ArrayNode) generate.get("attempts") : generate.putArray("attempts");
        ObjectNode node = attempts.addObject();
        node.put("attempt", attempt);
        node.put("started_at", Instant.now().toString());
        updateAttempt(node, 0, 0, 0, 0, "running");
        manifest.save();
        return node;
    }

    private static void updateAttempt(ObjectNode node, long rendered, long ok, long nan, long errors, String status) {
        node.put("status", status);
        node.put("rendered", rendered);
        node.put("ok", ok);
        node.put("nan", nan);
        node.put("error", errors);
        node.put("updated_at", Instant.now().toString());
    }

    private static String eta(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
