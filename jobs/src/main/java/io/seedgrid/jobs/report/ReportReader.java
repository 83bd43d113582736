package io.seedgrid.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.ImageRows;
import io.seedgrid.jobs.generate.Manifest;
import io.seedgrid.jobs.generate.RecipeCosts;
import io.seedgrid.jobs.measure.MetricColumns;
import io.seedgrid.jobs.tune.TuneTable;
import io.seedgrid.jobs.generate.RunFolder;
import io.seedgrid.jobs.output.RunPaths;
import io.seedgrid.jobs.measure.GroupId;
import io.seedgrid.jobs.measure.MeasureOutputs;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

/**
 * Reads what the report shows from a run folder with Spark, collecting only small results on the
 * driver: counts, the first prompts' cells, the first failed cells. Counts read no image bytes (Parquet
 * reads only the columns asked for). Thumbnails are made on the executors (decode, PIL-exact resize,
 * re-encode) from only the files of the shown prompts' buckets, whose row groups are skipped unless their
 * prompt ids can match ({@link ThumbnailTask}), so that the report reads the images it shows and few
 * others, and full-size PNGs never travel to the driver. Measurements are the current {@code groups/}
 * rows as {@link MeasureOutputs} defines them.
 */
final class ReportReader {

    /** Failed cells listed one by one; the rest are counted. */
    static final int MAX_FAILED_LISTED = 200;
    /** Distinct device and code-version strings listed; the rest are counted. */
    static final int MAX_DISTINCT = 10;

    private ReportReader() {
    }

    static ReportData read(RunConfig config, SparkSession spark, ReportOptions options) {
        String runDir = config.runDirectory();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Dataset<Row> cells = cells(spark, runDir).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // cells by group and status: the groups' sizes and the recipes' status counts in one pass
            Map<GroupId, Long> groupCells = new HashMap<>();
            Map<String, Map<String, Long>> byRecipe = new HashMap<>();
            for (Row r : cells.groupBy("prompt_id", "recipe", "status").count().collectAsList()) {
                groupCells.merge(new GroupId(r.getString(0), r.getString(1)), r.getLong(3), Long::sum);
                byRecipe.computeIfAbsent(r.getString(1), k -> new TreeMap<>()).merge(r.getString(2), r.getLong(3), Long::sum);
            }
            List<String> recipes = recipeOrder(config, groupCells);
            List<ReportData.RecipeCounts> counts = counts(config, byRecipe, recipes);
            long failedTotal = counts.stream().mapToLong(c -> c.recorded() - c.byStatus().getOrDefault("ok", 0L)).sum();
            int totalPrompts = (int) groupCells.keySet().stream().map(GroupId::promptId).distinct().count();

            Map<GroupId, Row> groups = new HashMap<>();
            ReportData.Measurements measurements = measurements(spark, runDir, groupCells, groups);
            int buckets = RunFolder.recordedBuckets(Manifest.open(runDir, hadoop));
            List<ReportData.PromptSheets> prompts = sheets(spark, runDir, buckets, cells, options, recipes, groupCells,
                    groups);
            return new ReportData(facts(config, runDir, hadoop, cells), counts, measurements, prompts, totalPrompts,
                    failed(cells), failedTotal, options, unetEvaluations(config), tune(spark, runDir, hadoop));
        } finally {
            cells.unpersist(false);
        }
    }

    /** UNet evaluations per image of the config's recipes; none when a model's scheduler config cannot be read. */
    private static Map<String, Integer> unetEvaluations(RunConfig config) {
        try {
            return RecipeCosts.unetEvaluations(config.models(), config.recipes());
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** {@code tune/candidates.parquet}, or null when no tune made this run. */
    private static ReportData.Tune tune(SparkSession spark, String runDir, Configuration hadoop) {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(runDir,
                TuneTable.FOLDER), TuneTable.FILE);
        try {
            if (!file.getFileSystem(hadoop).exists(file)) {
                return null;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
        List<ReportData.TuneCandidate> rows = new ArrayList<>();
        String diversity = null;
        String adherence = null;
        String cost = null;
        double level = 0.95;
        for (Row r : spark.read().parquet(file.toString()).collectAsList()) {
            diversity = r.getAs("diversity_metric");
            adherence = r.getAs("adherence_metric");
            cost = r.getAs("cost");
            level = r.<Double>getAs("level");
            rows.add(new ReportData.TuneCandidate(r.getAs("candidate"), r.getAs("family"), r.<Boolean>getAs("reference"),
                    r.getAs("parameters"), r.getAs("recipe_yaml"), r.<Integer>getAs("unet_evaluations"),
                    r.getAs("seconds_per_image"), r.<Integer>getAs("rung"), r.<Integer>getAs("prompts"),
                    r.<Integer>getAs("seeds"), r.<Long>getAs("images"), r.getAs("diversity_mean"), r.getAs("diversity_low"),
                    r.getAs("diversity_high"), r.getAs("adherence_mean"), r.getAs("adherence_low"),
                    r.getAs("adherence_high"), r.getAs("status"), r.<Boolean>getAs("on_front"), r.getAs("reason"),
                    r.getAs("recommended_for")));
        }
        return new ReportData.Tune(diversity, adherence, cost, level, rows);
    }

    /** Every cell of {@code images/} (each is there once), without its image bytes. */
    private static Dataset<Row> cells(SparkSession spark, String runDir) {
        return spark.read().schema(ImageRows.SCHEMA).parquet(ImageRows.folder(runDir))
                .drop("image", RunPaths.RECIPE_KEY, RunPaths.BUCKET_KEY);
    }

    /** The config's recipes in its order, then any other recipe {@code images/} holds, by name. */
    private static List<String> recipeOrder(RunConfig config, Map<GroupId, Long> groupCells) {
        LinkedHashSet<String> order = new LinkedHashSet<>();
        config.recipes().stream().map(RecipeSpec::name).forEach(order::add);
        groupCells.keySet().stream().map(GroupId::recipe).sorted().forEach(order::add);
        return new ArrayList<>(order);
    }

    private static List<ReportData.RecipeCounts> counts(RunConfig config, Map<String, Map<String, Long>> byRecipe,
                                                        List<String> recipes) {
        TreeSet<String> configured = new TreeSet<>();
        config.recipes().forEach(recipe -> configured.add(recipe.name()));
        long perRecipe = (long) config.prompts().size() * config.seeds().size();
        List<ReportData.RecipeCounts> out = new ArrayList<>();
        for (String recipe : recipes) {
            Map<String, Long> statuses = new LinkedHashMap<>();
            for (String status : List.of("ok", "nan", "error")) {
                statuses.put(status, 0L);
            }
            statuses.putAll(byRecipe.getOrDefault(recipe, Map.of()));
            out.add(new ReportData.RecipeCounts(recipe, configured.contains(recipe) ? perRecipe : 0, statuses));
        }
        return out;
    }

    private static ReportData.Facts facts(RunConfig config, String runDir, Configuration hadoop, Dataset<Row> cells) {
        Row agg = cells.agg(count(lit(1)), min("created_at"), max("created_at"),
                array_sort(collect_set("code_version")), array_sort(collect_set("device"))).first();
        return new ReportData.Facts(config.run(), runDir, config.prompts().size(), config.seeds().size(),
                config.recipes().size(), config.gridSize(), config.width(), config.height(), agg.getLong(0),
                models(runDir, hadoop, cells), agg.getList(3), agg.getList(4), instant(agg.get(1)), instant(agg.get(2)),
                Instant.now(), BuildInfo.codeVersion());
    }

    /** The manifest's models (path and content hash); the {@code models} column when there is no manifest. */
    private static List<ReportData.Model> models(String runDir, Configuration hadoop, Dataset<Row> cells) {
        List<ReportData.Model> out = new ArrayList<>();
        JsonNode models = Manifest.open(runDir, hadoop).root().path("models");
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            out.add(new ReportData.Model(m.getKey(), m.getValue().path("sha256").asText(""),
                    m.getValue().path("path").asText(null)));
        }
        if (out.isEmpty()) {
            for (Row r : cells.select(explode(col("models")).as("m")).select("m.name", "m.sha256").distinct()
                    .orderBy("name", "sha256").collectAsList()) {
                out.add(new ReportData.Model(r.getString(0), r.getString(1), null));
            }
        }
        return out;
    }

    /**
     * The current {@code groups/} rows (into {@code groups}) and the {@code recipes/} table, or null
     * when nothing is measured yet.
     */
    private static ReportData.Measurements measurements(SparkSession spark, String runDir, Map<GroupId, Long> groupCells,
                                                        Map<GroupId, Row> groups) {
        Dataset<Row> current = MeasureOutputs.currentGroups(spark, runDir);
        if (current.columns().length == 0) {
            return null;
        }
        Instant lastMeasured = null;
        for (Row g : current.collectAsList()) {
            groups.put(new GroupId(g.getAs("prompt_id"), g.getAs("recipe")), g);
            Instant at = instant(g.getAs("measured_at"));
            if (lastMeasured == null || at.isAfter(lastMeasured)) {
                lastMeasured = at;
            }
        }
        int stale = 0;
        for (Map.Entry<GroupId, Long> group : groupCells.entrySet()) {
            if (isStale(groups.get(group.getKey()), group.getValue())) {
                stale++;
            }
        }
        List<String> columns = Arrays.asList(current.columns());
        Map<String, Map<String, ReportData.RecipeValue>> table = new HashMap<>();
        TreeSet<String> metrics = new TreeSet<>(Comparator.comparingInt((String m) -> columns.contains(m)
                ? columns.indexOf(m) : Integer.MAX_VALUE).thenComparing(m -> m));
        String reference = null;
        double level = 0.95;
        int resamples = 0;
        Dataset<Row> recipes = MeasureOutputs.recipes(spark, runDir);
        if (recipes.columns().length > 0) {
            for (Row r : recipes.collectAsList()) {
                String metric = r.getAs("metric");
                metrics.add(metric);
                table.computeIfAbsent(r.getAs("recipe"), k -> new HashMap<>()).put(metric, new ReportData.RecipeValue(
                        r.<Integer>getAs("prompts"), r.getAs("mean"), r.getAs("low"), r.getAs("high"),
                        r.getAs("paired_prompts"), r.getAs("diff_mean"), r.getAs("diff_low"), r.getAs("diff_high")));
                if (reference == null) {
                    reference = r.getAs("reference_recipe");
                }
                level = r.<Double>getAs("level");
                resamples = r.<Integer>getAs("resamples");
            }
        }
        return new ReportData.Measurements(new ArrayList<>(metrics), table, reference, level, resamples, groups.size(),
                stale, lastMeasured);
    }

    /** A group whose measurement is missing or counted other cells than {@code images/} now holds. */
    private static boolean isStale(Row group, long recorded) {
        return group == null || group.<Integer>getAs("n") + group.<Integer>getAs("failed") != recorded;
    }

    private static List<ReportData.PromptSheets> sheets(SparkSession spark, String runDir, int buckets, Dataset<Row> cells,
                                                        ReportOptions options, List<String> recipes,
                                                        Map<GroupId, Long> groupCells, Map<GroupId, Row> groups) {
        if (options.maxPrompts() == 0 || groupCells.isEmpty()) {
            return List.of();
        }
        List<Row> prompts = cells.groupBy("prompt_id")
                .agg(min("prompt"), array_sort(collect_set("negative_prompt")))
                .orderBy("prompt_id").limit(options.maxPrompts()).collectAsList();
        Object[] shown = prompts.stream().map(r -> r.getString(0)).toArray();
        WindowSpec bySeed = Window.partitionBy("prompt_id", "recipe").orderBy("seed", "cell_id");
        List<Row> tiles = cells.filter(col("prompt_id").isin(shown))
                .withColumn("_rank", row_number().over(bySeed)).filter(col("_rank").leq(options.maxSeeds()))
                .select("prompt_id", "recipe", "seed", "status", "cell_id")
                .orderBy("prompt_id", "recipe", "seed", "cell_id").collectAsList();
        Map<String, Thumbnail> thumbnails = ThumbnailTask.make(spark, runDir, buckets, tiles.stream()
                .filter(t -> "ok".equals(t.getString(3)))
                .map(t -> new ThumbnailTask.Wanted(t.getString(1), t.getString(0), t.getString(4))).toList(),
                options.thumbnail());

        Map<GroupId, List<ReportData.Tile>> byGroup = new HashMap<>();
        for (Row t : tiles) {
            byGroup.computeIfAbsent(new GroupId(t.getString(0), t.getString(1)), k -> new ArrayList<>())
                    .add(new ReportData.Tile(t.getDecimal(2), t.getString(3), thumbnails.get(t.getString(4))));
        }
        List<ReportData.PromptSheets> out = new ArrayList<>();
        for (Row p : prompts) {
            String promptId = p.getString(0);
            List<ReportData.Sheet> sheets = new ArrayList<>();
            for (String recipe : recipes) {
                GroupId id = new GroupId(promptId, recipe);
                Long recorded = groupCells.get(id);
                if (recorded == null) {
                    continue;
                }
                Row group = groups.get(id);
                sheets.add(new ReportData.Sheet(recipe, recorded, byGroup.getOrDefault(id, List.of()),
                        group == null ? null : caption(group), group != null && isStale(group, recorded)));
            }
            out.add(new ReportData.PromptSheets(promptId, p.getString(1), p.getList(2), sheets));
        }
        return out;
    }

    /**
     * What a sheet's caption shows of its {@code groups/} row: LPIPS, each encoder's mean distance, the SSIM and
     * MS-SSIM distances, each Vendi score (q = 1), the pixel Vendi score and the CLIP score, those the row has.
     */
    private static ReportData.GroupMetrics caption(Row group) {
        List<String> columns = Arrays.asList(group.schema().fieldNames());
        Map<String, Double> values = new LinkedHashMap<>();
        if (columns.contains("lpips_mean")) {
            values.put("LPIPS", doubleOrNull(group, "lpips_mean"));
        }
        for (String c : columns) {
            if (MetricColumns.isEmbeddingDistanceMean(c)) {
                values.put(c.substring(0, c.length() - "_distance_mean".length()) + " distance", doubleOrNull(group, c));
            }
        }
        if (columns.contains("ssim_distance_mean")) {
            values.put("SSIM distance", doubleOrNull(group, "ssim_distance_mean"));
        }
        if (columns.contains("ms_ssim_distance_mean")) {
            values.put("MS-SSIM distance", doubleOrNull(group, "ms_ssim_distance_mean"));
        }
        for (String c : columns) {
            if (c.endsWith("_vendi")) {
                values.put(c.substring(0, c.length() - "_vendi".length()) + " Vendi", doubleOrNull(group, c));
            }
        }
        if (columns.contains("clip_score_mean")) {
            values.put("CLIP score", doubleOrNull(group, "clip_score_mean"));
        }
        return new ReportData.GroupMetrics(group.getAs("n"), group.getAs("failed"), values);
    }

    private static Double doubleOrNull(Row row, String column) {
        int i = row.fieldIndex(column);
        return row.isNullAt(i) ? null : row.getDouble(i);
    }

    private static List<ReportData.FailedCell> failed(Dataset<Row> cells) {
        List<ReportData.FailedCell> out = new ArrayList<>();
        for (Row r : cells.filter(col("status").notEqual("ok")).orderBy("recipe", "prompt_id", "seed", "cell_id")
                .limit(MAX_FAILED_LISTED)
                .select("recipe", "prompt_id", "prompt", "seed", "status", "message", "device").collectAsList()) {
            BigDecimal seed = r.getDecimal(3);
            out.add(new ReportData.FailedCell(r.getString(0), r.getString(1), r.getString(2), seed, r.getString(4),
                    r.getString(5), r.getString(6)));
        }
        return out;
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        return value instanceof Instant i ? i : null;
    }
}
