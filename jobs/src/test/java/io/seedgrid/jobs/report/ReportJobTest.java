package io.seedgrid.jobs.report;

import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.RunTables;
import org.apache.avro.generic.GenericRecord;
import io.seedgrid.jobs.testing.TinyGrid;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ImageRows;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.measure.MeasureJob;
import io.seedgrid.jobs.measure.MeasureOutputs;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.ResampleFilter;
import io.seedgrid.udf.image.RgbImage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.seedgrid.jobs.report.ReportFixtures.HOSTILE_PROMPT;
import static io.seedgrid.jobs.report.ReportFixtures.HOSTILE_PROMPT_ESCAPED;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report of one tiny run, made twice: before measure (1 prompt, 2 seeds, 32 px thumbnails) and
 * after it, through the command line (all prompts, 3 seeds, 160 px). The run has 2 prompts (one of
 * them hostile HTML) × 3 seeds × 2 recipes, plus one cell recorded as an error with a hostile message.
 */
class ReportJobTest {

    private static final String HOSTILE_MESSAGE = "<img src=x onerror=alert(2)>";
    private static final String HOSTILE_NEGATIVE = "<b>blurry</b> & 'low'";
    private static final Pattern THUMBNAIL = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\""
            + " width=\"(\\d+)\" height=\"(\\d+)\" alt=\"seed (\\d+)\"");

    @TempDir
    static Path shared;
    private static RunConfig config;
    private static String hostileId;
    /** Decoded original images by "prompt_id/recipe/seed". */
    private static final Map<String, RgbImage> IMAGES = new HashMap<>();
    private static String before;
    private static ReportJob.Summary beforeSummary;
    private static String after;
    private static Cli afterCli;
    private static long afterBytes;
    private static String stale;

    @BeforeAll
    static void generateReportMeasureReport() throws IOException {
        SparkSession spark = TestSpark.session();
        Path models = TinyGrid.copyMetricModels(shared.resolve("models"));
        config = ReportFixtures.config(shared, "hostile", """
                  - prompt: a red cube on a blue floor
                    id: cube
                  - prompt: "<script>alert(1)</script>\\"'&"
                    negative_prompt: "<b>blurry</b> & 'low'"
                """, ReportFixtures.allMetrics(models, "base"));
        GenerateJob.run(config, Preflight.check(config), spark, ReportFixtures.QUIET, GenerateJob.Options.defaults());
        String images = config.runDirectory() + "/images";
        Dataset<Row> generated = spark.read().schema(ImageRows.SCHEMA).parquet(images);
        hostileId = generated.filter(col("prompt").equalTo(HOSTILE_PROMPT)).first().getAs("prompt_id");
        for (Row r : generated.select("prompt_id", "recipe", "seed", "image.bytes").collectAsList()) {
            IMAGES.put(r.getString(0) + "/" + r.getString(1) + "/" + r.getDecimal(2).toBigInteger(),
                    PngFile.decode(r.getAs(3)));
        }
        // A cell of the hostile prompt recorded as an error (seed 5: third of its group by seed).
        List<GenericRecord> rows = RunTables.allRows(config.runDirectory());
        GenericRecord error = copyOf(rows, hostileId, "dmd2", 0);
        error.put("cell_id", "f".repeat(32));
        error.put("seed", new BigDecimal(5));
        error.put("status", "error");
        error.put("message", HOSTILE_MESSAGE);
        error.put("image", null);
        RunTables.append(config.runDirectory(), 1, "part-error-00000.parquet", List.of(error));

        beforeSummary = ReportJob.run(config, spark, new ReportOptions(1, 2, 32), ReportFixtures.QUIET);
        before = Files.readString(report());
        MeasureJob.run(config, spark, ReportFixtures.QUIET, GenerateJob.WaveListener.NONE);
        afterCli = Cli.run("report", config.source(), "--max-seeds", "3");
        after = Files.readString(report());
        afterBytes = Files.size(report());

        // one more cell of cube/base after the measurement: that group's metrics are out of date
        GenericRecord later = copyOf(rows, "cube", "base", 1);
        later.put("cell_id", "e".repeat(32));
        later.put("seed", new BigDecimal(7));
        RunTables.append(config.runDirectory(), 1, "part-later-00000.parquet", List.of(later));
        ReportJob.run(config, spark, new ReportOptions(1, 2, 32), ReportFixtures.QUIET);
        stale = Files.readString(report());
    }

    /** A copy of the row of (prompt_id, recipe, seed). */
    private static GenericRecord copyOf(List<GenericRecord> rows, String promptId, String recipe, int seed) {
        return rows.stream().filter(r -> r.get("prompt_id").toString().equals(promptId)
                        && r.get("recipe").toString().equals(recipe) && ((BigDecimal) r.get("seed")).intValue() == seed)
                .map(r -> io.seedgrid.jobs.output.ParquetFiles.MODEL.deepCopy(r.getSchema(), r))
                .findFirst().orElseThrow();
    }

    private static Path report() {
        return Path.of(config.runDirectory(), ReportJob.FILE);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    /** The element that starts with {@code start} up to the first {@code end} after it. */
    private static String between(String html, String start, String end) {
        int from = html.indexOf(start);
        assertTrue(from >= 0, "no " + start);
        int to = html.indexOf(end, from);
        assertTrue(to >= 0, "no " + end + " after " + start);
        return html.substring(from, to + end.length());
    }

    /** The contact sheet of one group. */
    private static String sheet(String html, String promptId, String recipe) {
        String article = between(html, "<h3><code>" + Html.escape(promptId) + "</code></h3>", "</article>");
        return between(article, "<figure class=\"sheet\" data-recipe=\"" + recipe + "\">", "</figure>");
    }

    /** The thumbnails of a sheet: seed → decoded image. */
    private static Map<String, RgbImage> thumbnails(String sheet) {
        Map<String, RgbImage> out = new HashMap<>();
        Matcher m = THUMBNAIL.matcher(sheet);
        while (m.find()) {
            RgbImage image = PngFile.decode(Base64.getDecoder().decode(m.group(1)));
            assertEquals(Integer.parseInt(m.group(2)), image.width());
            assertEquals(Integer.parseInt(m.group(3)), image.height());
            out.put(m.group(4), image);
        }
        return out;
    }

    @Test
    void theReportIsOneSelfContainedDocumentWithoutScriptsOrRemoteLoads() throws Exception {
        for (String html : List.of(before, after)) {
            assertTrue(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
            assertTrue(html.endsWith("</html>\n"));
            assertEquals(1, count(html, "<html"));
            assertEquals(1, count(html, "</html>"));
            assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"), "no script element");
            String withoutImages = html.replaceAll("data:image/png;base64,[A-Za-z0-9+/=]+", "");
            assertFalse(Pattern.compile("(?i)(https?:|ftp:|//[a-z0-9])").matcher(withoutImages.replace("http-equiv", ""))
                    .find(), "no remote URL");
            Matcher tag = Pattern.compile("<[a-zA-Z][^>]*>").matcher(html);
            while (tag.find()) {
                assertFalse(Pattern.compile("(?i)\\s(on[a-z]+|style)=").matcher(tag.group()).find(), tag.group());
            }
            Matcher src = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
            while (src.find()) {
                assertTrue(src.group(1).startsWith("data:image/png;base64,") || src.group(1).startsWith("#"), src.group());
            }
            // The policy forbids scripts and remote loads and allows exactly the one stylesheet, by its hash.
            String css = between(html, "<style>", "</style>");
            css = css.substring("<style>".length(), css.length() - "</style>".length());
            String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(css.getBytes(StandardCharsets.UTF_8)));
            assertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
                    + " script-src 'none'; object-src 'none'; frame-src 'none'; img-src data:; style-src 'sha256-" + hash
                    + "'; base-uri 'none'; form-action 'none'\">"), "CSP");
            assertEquals(1, count(html, "<style>"));
        }
        try (Stream<Path> files = Files.list(Path.of(config.runDirectory()))) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList(),
                    "no temporary file left");
        }
        assertEquals(afterBytes, after.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void untrustedTextIsEscapedEverywhere() {
        for (String html : List.of(before, after)) {
            assertFalse(html.contains(HOSTILE_PROMPT));
            assertFalse(html.contains("alert(1)</script>"));
            assertFalse(html.contains(HOSTILE_MESSAGE));
            assertTrue(html.contains("&lt;img src=x onerror=alert(2)&gt;"), "the failed cell's message, escaped");
            assertTrue(html.contains(HOSTILE_PROMPT_ESCAPED));
        }
        // before: the hostile prompt is past --max-prompts 1, so only its failed cell names it
        assertEquals(1, count(before, HOSTILE_PROMPT_ESCAPED));
        // after: its contact sheets and its failed cell
        assertEquals(2, count(after, HOSTILE_PROMPT_ESCAPED));
        assertTrue(after.contains("Negative: " + Html.escape(HOSTILE_NEGATIVE)));
        assertFalse(after.contains(HOSTILE_NEGATIVE));
    }

    @Test
    void beforeMeasureItSaysNotMeasuredYetAndShowsTheFirstPromptsSheets() {
        assertTrue(before.contains("Not measured yet: run <code>seedgrid measure CONFIG</code>"));
        assertFalse(before.contains("<table class=\"recipes\">"));
        assertFalse(beforeSummary.measured());
        assertEquals(1, beforeSummary.promptsShown());
        assertEquals(2, beforeSummary.prompts());
        // 1 prompt × 2 recipes × first 2 seeds, all ok
        assertEquals(4, beforeSummary.thumbnails());
        assertEquals(4, count(before, "data:image/png;base64,"));
        assertFalse(before.contains("<h3><code>" + Html.escape(hostileId) + "</code></h3>"));
        for (String recipe : List.of("base", "dmd2")) {
            String sheet = sheet(before, "cube", recipe);
            assertTrue(sheet.contains("not measured yet"), sheet);
            assertTrue(sheet.contains("(2 of 3 seeds)"), sheet);
            // thumbnails of at most 32 px: PIL-exact bicubic 64x48 -> 32x24 of the originals, seeds 0 and 1
            Map<String, RgbImage> thumbs = thumbnails(sheet);
            assertEquals(List.of("0", "1"), thumbs.keySet().stream().sorted().toList());
            for (Map.Entry<String, RgbImage> t : thumbs.entrySet()) {
                RgbImage original = IMAGES.get("cube/" + recipe + "/" + t.getKey());
                assertEquals(original.resize(32, 24, ResampleFilter.BICUBIC), t.getValue(), recipe + " seed " + t.getKey());
            }
        }
    }

    @Test
    void afterMeasureTheRecipeTableHasOneRowPerRecipeWithTheValuesOfRecipes() {
        // the headline table: UNet evaluations per image, then LPIPS, the first embedding distance, its Vendi score
        // and the CLIP score; every metric in the table folded below it
        String headline = between(after, "<table class=\"recipes\">", "</table>");
        List<String> headlineColumns = new ArrayList<>();
        Matcher column = Pattern.compile("<th data-metric=\"([^\"]+)\">").matcher(headline);
        while (column.find()) {
            headlineColumns.add(column.group(1));
        }
        assertEquals(List.of("lpips_mean", "embed_tiny_distance_mean", "embed_tiny_vendi", "clip_score_mean"),
                headlineColumns);
        assertTrue(headline.contains("<th>UNet evaluations<span class=\"dir\">per image</span></th>"), headline);
        // base: Euler 4 steps with CFG 5 = 8 evaluations; dmd2: 4
        assertTrue(between(headline, "<tr data-recipe=\"base\">", "</tr>").contains("<td class=\"num\">8</td>"));
        assertTrue(between(headline, "<tr data-recipe=\"dmd2\">", "</tr>").contains("<td class=\"num\">4</td>"));
        assertTrue(after.contains("<details><summary>All "), "the other metrics are folded");
        String table = between(after, "<table class=\"recipes all\">", "</table>");
        List<Row> recipes = MeasureOutputs.recipes(TestSpark.session(), config.runDirectory()).collectAsList();
        List<String> metrics = recipes.stream().map(r -> r.<String>getAs("metric")).distinct().toList();
        assertTrue(metrics.containsAll(List.of("lpips_mean", "embed_tiny_distance_mean", "embed_tiny_vendi",
                "pixel_vendi", "clip_score_mean")), metrics.toString());
        assertEquals(2, count(table, "<tr data-recipe="), "one row per recipe");
        for (String metric : metrics) {
            String header = between(table, "<th data-metric=\"" + metric + "\">", "</th>");
            String expected = metric.equals("clip_score_mean") ? "↑ more adherent" : "↑ more diverse";
            assertTrue(header.contains(expected), header);
        }
        for (String recipe : List.of("base", "dmd2")) {
            String row = between(table, "<tr data-recipe=\"" + recipe + "\">", "</tr>");
            // one cell per metric, in the header's order
            List<String> cells = new ArrayList<>();
            Matcher td = Pattern.compile("<td[^>]*>(.*?)</td>").matcher(row);
            while (td.find()) {
                cells.add(td.group(1));
            }
            assertEquals(metrics.size(), cells.size(), row);
            List<String> headerOrder = new ArrayList<>();
            Matcher th = Pattern.compile("<th data-metric=\"([^\"]+)\">").matcher(table);
            while (th.find()) {
                headerOrder.add(th.group(1));
            }
            for (Row r : recipes) {
                if (!r.getAs("recipe").equals(recipe)) {
                    continue;
                }
                String metric = r.getAs("metric");
                String cell = cells.get(headerOrder.indexOf(metric));
                String interval = ReportNumbers.interval(r.getAs("mean"), r.getAs("low"), r.getAs("high"));
                assertTrue(interval.matches("\\S+ \\[\\S+, \\S+]"), interval);
                assertTrue(cell.startsWith("<span class=\"value\">" + interval + "</span>"), recipe + " " + metric + ": " + cell);
                if (recipe.equals("dmd2")) {
                    String diff = ReportNumbers.difference(r.getAs("diff_mean"), r.getAs("diff_low"), r.getAs("diff_high"));
                    assertTrue(diff.startsWith("+") || diff.startsWith("-"), diff);
                    assertTrue(cell.contains("Δ " + diff + "</span>"), recipe + " " + metric + ": " + cell);
                } else {
                    assertFalse(cell.contains("Δ"), "the reference is not compared with itself");
                }
            }
        }
        assertTrue(between(table, "<tr data-recipe=\"base\">", "</tr>").contains("<span class=\"tag\">reference</span>"));
    }

    /** The chart's points are where recipes/ says: read back through the axes' ticks from the SVG. */
    @Test
    void theChartPlacesEachRecipeAtItsMeansWithItsIntervals() {
        assertTrue(before.contains("Not measured yet: the chart of diversity against adherence comes with the metrics"));
        SvgChart chart = SvgChart.parse(between(after, "<svg class=\"chart\" id=\"chart-front\"", "</svg>"), false);
        Map<String, Map<String, Row>> byRecipe = new HashMap<>();
        for (Row r : MeasureOutputs.recipes(TestSpark.session(), config.runDirectory()).collectAsList()) {
            byRecipe.computeIfAbsent(r.getAs("recipe"), k -> new HashMap<>()).put(r.getAs("metric"), r);
        }
        assertEquals(Set.of("base", "dmd2"), chart.points().keySet());
        for (String recipe : List.of("base", "dmd2")) {
            Row x = byRecipe.get(recipe).get("clip_score_mean");
            Row y = byRecipe.get(recipe).get("embed_tiny_distance_mean");
            SvgChart.Mark p = chart.points().get(recipe);
            chart.assertAt(p, x.getAs("mean"), y.getAs("mean"), recipe);
            chart.assertWhiskers(p, x.getAs("low"), x.getAs("high"), y.getAs("low"), y.getAs("high"), recipe);
        }
        // base costs 8 UNet evaluations per image, dmd2 4: the ramp's two ends
        assertEquals(ScatterChart.ramp(4, 8, 8), chart.points().get("base").fill());
        assertEquals(ScatterChart.ramp(4, 8, 4), chart.points().get("dmd2").fill());
    }

    @Test
    void afterMeasureSheetsAreCaptionedWithTheirGroupsMetrics() {
        // 2 prompts × 2 recipes × first 3 seeds, less the error cell (hostile/dmd2 seed 5)
        assertEquals(11, count(after, "data:image/png;base64,"));
        assertTrue(afterCli.out().contains("11 thumbnails, measured, 1 failed cells"), afterCli.out());

        Map<String, Row> groups = new HashMap<>();
        for (Row g : MeasureOutputs.currentGroups(TestSpark.session(), config.runDirectory()).collectAsList()) {
            groups.put(g.<String>getAs("prompt_id") + "/" + g.<String>getAs("recipe"), g);
        }
        for (String promptId : List.of("cube", hostileId)) {
            for (String recipe : List.of("base", "dmd2")) {
                Row g = groups.get(promptId + "/" + recipe);
                String sheet = sheet(after, promptId, recipe);
                String caption = between(sheet, "<figcaption>", "</figcaption>");
                assertTrue(caption.contains("<span class=\"m\">n " + g.getAs("n") + " · failed " + g.getAs("failed")
                        + "</span><span class=\"m\">LPIPS " + ReportNumbers.format(g.getAs("lpips_mean"))
                        + "</span><span class=\"m\">embed_tiny distance "
                        + ReportNumbers.format(g.getAs("embed_tiny_distance_mean")) + "</span>"), caption);
                for (String metric : List.of("embed_tiny Vendi:embed_tiny_vendi", "pixel Vendi:pixel_vendi",
                        "CLIP score:clip_score_mean", "SSIM distance:ssim_distance_mean",
                        "MS-SSIM distance:ms_ssim_distance_mean")) {
                    String[] labelColumn = metric.split(":");
                    assertTrue(caption.contains("<span class=\"m\">" + labelColumn[0] + " "
                            + ReportNumbers.format(g.getAs(labelColumn[1])) + "</span>"), caption);
                }
                // at 160 px the 64x48 images are not scaled: the thumbnails are their pixels
                Map<String, RgbImage> thumbs = thumbnails(sheet);
                for (Map.Entry<String, RgbImage> t : thumbs.entrySet()) {
                    assertEquals(IMAGES.get(promptId + "/" + recipe + "/" + t.getKey()), t.getValue());
                }
                boolean withError = promptId.equals(hostileId) && recipe.equals("dmd2");
                assertEquals(withError ? 1 : 0, g.<Integer>getAs("failed"));
                assertEquals(withError ? List.of("0", "1") : List.of("0", "1", "18446744073709551615"),
                        thumbs.keySet().stream().sorted().toList());
                assertEquals(withError, sheet.contains("<div class=\"tile missing\" title=\"seed 5: error\">"), sheet);
            }
        }
    }

    @Test
    void aGroupThatGainedCellsAfterItsMeasurementIsMarked() {
        assertFalse(after.contains("Groups (prompt × recipe) not measured yet or with other cells"));
        assertFalse(after.contains("measured before its latest cells"));
        assertTrue(stale.contains("Groups (prompt × recipe) not measured yet or with other cells than when they were"
                + " measured: 1."), stale);
        assertTrue(sheet(stale, "cube", "base").contains("measured before its latest cells"));
        assertFalse(sheet(stale, "cube", "dmd2").contains("measured before its latest cells"));
        assertTrue(sheet(stale, "cube", "base").contains("(2 of 4 seeds)"));
    }

    @Test
    void runFactsCountsAndFailedCells() {
        String run = between(after, "<section id=\"run\">", "</section>");
        assertTrue(run.contains("2 prompts × 3 seeds × 2 recipes = 12 cells of 64×48; 13 cells recorded in images/"), run);
        String dmd2 = between(run, "<tr data-recipe=\"dmd2\">", "</tr>");
        assertEquals("<tr data-recipe=\"dmd2\"><th scope=\"row\">dmd2</th><td class=\"num\">6</td><td class=\"num\">7</td>"
                + "<td class=\"num\">6</td><td class=\"num\">0</td><td class=\"num bad\">1</td></tr>", dmd2);
        for (Map.Entry<String, String> model : Map.of("base", "fp32", "dmd2", "dmd2-unet-only").entrySet()) {
            assertTrue(run.matches("(?s).*<tr><td>" + model.getKey() + "</td><td><code title=\"[0-9a-f]{64}\">[0-9a-f]{12}…"
                    + "</code></td><td>[^<]*" + model.getValue() + "</td></tr>.*"), run);
        }
        assertTrue(run.contains("seedgrid "), "code version");

        String failed = between(after, "<section id=\"failed\">", "</section>");
        assertEquals(1, count(failed, "<tr><td>"));
        assertTrue(failed.contains("<tr><td>error</td><td>dmd2</td><td><code>" + Html.escape(hostileId) + "</code></td>"
                + "<td class=\"text\">" + HOSTILE_PROMPT_ESCAPED + "</td><td class=\"num\">5</td><td>cpu</td>"
                + "<td class=\"msg\">&lt;img src=x onerror=alert(2)&gt;</td></tr>"), failed);
    }

    @Test
    void theConsoleLineSaysWhereAndHowLarge() throws IOException {
        assertEquals(0, afterCli.code(), afterCli.err());
        assertTrue(afterCli.out().contains("report: " + report() + ", " + ReportNumbers.bytes(afterBytes)
                + " (2 of 2 prompts"), afterCli.out());
        assertTrue(beforeSummary.report().contains("(1 of 2 prompts, 4 thumbnails, not measured yet, 1 failed cells)"),
                beforeSummary.report());
    }

    @Test
    void aRunWithoutImagesIsRefusedWithExitCodeTwo(@TempDir Path dir) {
        RunConfig empty = ReportFixtures.config(dir, "empty", "  - a red cube", "");
        Cli cli = Cli.run("report", empty.source());
        assertEquals(2, cli.code(), cli.err());
        assertTrue(cli.err().contains("has no images/: run `seedgrid generate`"), cli.err());
        assertFalse(Files.exists(Path.of(empty.runDirectory())));

        cli = Cli.run("report", config.source(), "--max-seeds", "0");
        assertEquals(2, cli.code(), cli.err());
        assertTrue(cli.err().contains("--max-seeds must be at least 1"), cli.err());
    }
}
