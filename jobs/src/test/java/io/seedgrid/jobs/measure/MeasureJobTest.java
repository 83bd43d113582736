package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ImageRows;
import org.apache.avro.generic.GenericRecord;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.udf.image.RgbImage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeasureJobTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** LPIPS against the reference, relative (see {@link #check}). */
    private static final double LPIPS_RELATIVE = 1e-6;

    @TempDir
    static Path shared;
    private static Path models;
    /** The tiny run every test measures a copy of: 2 prompts x 3 seeds x 2 recipes. */
    private static RunConfig generated;
    /** Its decoded images by "prompt_id/recipe", in seed order. */
    private static final Map<String, List<RgbImage>> IMAGES = new HashMap<>();

    @BeforeAll
    static void generateOnce() {
        models = TinyGrid.copyMetricModels(shared.resolve("models"));
        generated = MeasureFixtures.config(shared, "generated", "", "");
        MeasureFixtures.generate(generated);
        for (Row row : generatedImages().orderBy("seed").select("prompt_id", "recipe", "image.bytes").collectAsList()) {
            IMAGES.computeIfAbsent(row.getString(0) + "/" + row.getString(1), k -> new ArrayList<>())
                    .add(MeasureFixtures.decode(row.getAs(2)));
        }
    }

    private static SparkSession spark() {
        return TestSpark.session();
    }

    private static Dataset<Row> generatedImages() {
        return spark().read().schema(ImageRows.SCHEMA).parquet(generated.runDirectory() + "/images");
    }

    /** A config whose run folder is a copy of the generated one, each image row passed through {@code edit}. */
    private static RunConfig runWith(Path dir, String run, String measure, String extra, UnaryOperator<GenericRecord> edit) {
        RunConfig config = MeasureFixtures.config(dir, run, measure, extra);
        MeasureFixtures.copyRun(generated, config, edit);
        return config;
    }

    private static String allModels(String reference) {
        return """
                  lpips: %s
                  encoders: [%s]
                  clip: %s
                  bootstrap: 200
                """.formatted(models.resolve("lpips-tiny"), models.resolve("embed-tiny"), models.resolve("clip-tiny"))
                + (reference == null ? "" : "  reference_recipe: " + reference + "\n");
    }

    private static MeasureJob.Summary measure(RunConfig config) {
        return MeasureJob.run(config, spark(), MeasureFixtures.QUIET, GenerateJob.WaveListener.NONE);
    }

    private static Map<String, Row> byGroup(Dataset<Row> groups) {
        Map<String, Row> out = new HashMap<>();
        for (Row row : groups.collectAsList()) {
            out.put(row.<String>getAs("prompt_id") + "/" + row.<String>getAs("recipe"), row);
        }
        return out;
    }

    private static List<RgbImage> groupImages(String promptId, String recipe) {
        return IMAGES.get(promptId + "/" + recipe);
    }

    /** The reference's pair of seeds {@code a}, {@code b} in group {@code promptId}/{@code recipe}. */
    private static JsonNode referencePair(String promptId, String recipe, String a, String b) {
        for (JsonNode group : MeasureFixtures.reference().get("groups")) {
            if (group.get("prompt_id").asText().equals(promptId) && group.get("recipe").asText().equals(recipe)) {
                for (JsonNode pair : group.get("pairs")) {
                    if (pair.get("seed_a").asText().equals(a) && pair.get("seed_b").asText().equals(b)) {
                        return pair;
                    }
                }
            }
        }
        throw new IllegalStateException("the reference has no pair " + a + "/" + b + " in " + promptId + "/" + recipe);
    }

    private static String seed(Row row, String column) {
        return row.<java.math.BigDecimal>getAs(column).toPlainString();
    }

    /**
     * Checks one value against tools/reference/measure/measure_reference.py, which runs the same ONNX models in
     * Python's onnxruntime (another version and build than the JVM's 1.28.0) and works in float64 from the same
     * 8-bit pixels. Tolerances (measured largest differences in brackets, printed by the test):
     * <ul>
     *   <li>SSIM, MS-SSIM and pixel Vendi: float64 arithmetic on identical pixels (PIL's resize reproduced bit for
     *       bit), 1e-12 absolute [5e-15]: only the order of float64 sums differs;</li>
     *   <li>network outputs are float32 and two ONNX Runtime builds may order their sums differently (by version
     *       and by CPU kernel), so about 10x the measured differences: unit-vector embeddings 1e-7 [1.4e-8], their
     *       1 - cos distances (here 1e-4 to 2e-3) and Vendi scores (1.0001 to 1.007) 1e-8 [6.4e-10], CLIP scores
     *       (100 cos) 1e-5 [1.5e-7], LPIPS 1e-6 relative [3.4e-8] (distances of 0.13 to 0.16, their std 0.005
     *       to 0.011).</li>
     * </ul>
     */
    private static void check(Map<String, Double> worst, String metric, double want, double got, String where) {
        double difference = Math.abs(want - got);
        boolean relative = metric.startsWith("lpips");
        double tolerance;
        if (metric.startsWith("ssim") || metric.startsWith("ms_ssim") || metric.startsWith("pixel_vendi")) {
            tolerance = 1e-12;
        } else if (relative) {
            tolerance = LPIPS_RELATIVE * Math.abs(want);
        } else if (metric.equals("clip_score_mean")) {
            tolerance = 1e-5;
        } else if (metric.endsWith("_embeddings")) {
            tolerance = 1e-7;
        } else {
            tolerance = 1e-8;
        }
        worst.merge(metric + (relative ? " (relative)" : ""), relative ? difference / Math.abs(want) : difference, Math::max);
        assertEquals(want, got, tolerance, where + " " + metric);
    }

    @Test
    void measuresEveryGroupResumesAfterACrashAndARerunMeasuresNothing(@TempDir Path dir) throws Exception {
        // One bucket (two groups) per task and wave; the driver dies after the first wave.
        RunConfig config = runWith(dir, "full", allModels("base"), "spark:\n  partitions: 1", r -> r);
        GenerateJob.WaveListener crash = (buckets, images) -> {
            throw new IllegalStateException("simulated crash");
        };
        assertThrows(IllegalStateException.class, () -> MeasureJob.run(config, spark(), MeasureFixtures.QUIET, crash));
        long before = MeasureOutputs.currentGroups(spark(), config.runDirectory()).count();
        assertTrue(before == 2 || before == 4, "whole buckets are committed: " + before);

        MeasureJob.Summary resumed = measure(config);
        assertEquals(4, resumed.groups());
        assertEquals(before, resumed.alreadyMeasured());
        assertEquals(4 - before, resumed.measured());

        String run = config.runDirectory();
        Map<String, Row> groups = byGroup(MeasureOutputs.currentGroups(spark(), run));
        assertEquals(4, groups.size());
        Map<String, Integer> pairCounts = new HashMap<>();
        List<Row> pairs = MeasureOutputs.currentPairs(spark(), run).collectAsList();
        pairs.forEach(p -> pairCounts.merge(p.<String>getAs("prompt_id") + "/" + p.<String>getAs("recipe"), 1, Integer::sum));
        assertEquals(12, pairs.size());
        List<Row> embeddings = MeasureOutputs.currentEmbeddings(spark(), run).orderBy("seed").collectAsList();
        assertEquals(12 * 2, embeddings.size(), "one row per image and encoder (embed-tiny, clip-tiny)");

        // groups/, pairs/ and embeddings/ against values computed outside seedgrid (MeasureFixtures.reference)
        MetricColumns columns = MeasureJob.checkModels(config);
        Map<String, Double> worst = new TreeMap<>();
        for (JsonNode want : MeasureFixtures.reference().get("groups")) {
            String promptId = want.get("prompt_id").asText();
            String recipe = want.get("recipe").asText();
            String where = promptId + "/" + recipe;
            Row g = groups.get(where);
            assertEquals(3, g.<Integer>getAs("n"), where);
            assertEquals(0, g.<Integer>getAs("failed"), where);
            assertEquals(3L, g.<Long>getAs("pairs"), where);
            assertEquals(3, pairCounts.get(where), where);
            assertEquals(want.get("ms_ssim_method").asText(), g.getAs("ms_ssim_method"), "64x48 images are upsampled");
            List<RgbImage> images = groupImages(promptId, recipe);
            for (int i = 0; i < images.size(); i++) {
                assertArrayEquals(MeasureFixtures.referenceImage(want.get("files").get(i).asText()).data(),
                        images.get(i).data(), where + ": the generated image is the reference's " + want.get("files").get(i));
            }
            for (String metric : columns.groupMetrics()) {
                assertTrue(want.has(metric), "the reference has " + metric);
                check(worst, metric, want.get(metric).asDouble(), g.<Double>getAs(metric), where);
            }
            for (String metric : columns.pairMetrics()) {
                check(worst, metric + "_std", want.get(metric + "_std").asDouble(), g.<Double>getAs(metric + "_std"), where);
            }
            Map<String, Row> groupPairs = new HashMap<>();
            pairs.stream().filter(p -> p.getAs("prompt_id").equals(promptId) && p.getAs("recipe").equals(recipe))
                    .forEach(p -> groupPairs.put(seed(p, "seed_a") + "/" + seed(p, "seed_b"), p));
            for (JsonNode pair : want.get("pairs")) {
                Row got = groupPairs.get(pair.get("seed_a").asText() + "/" + pair.get("seed_b").asText());
                assertNotNull(got, where + " pair " + pair);
                for (String metric : columns.pairMetrics()) {
                    check(worst, metric, pair.get(metric).asDouble(), got.<Double>getAs(metric), where + " pair " + pair);
                }
            }
            for (String encoder : List.of("embed_tiny", "clip_tiny")) {
                List<Row> rows = embeddings.stream().filter(e -> e.getAs("prompt_id").equals(promptId)
                        && e.getAs("recipe").equals(recipe) && e.getAs("encoder").equals(encoder)).toList();
                assertEquals(3, rows.size(), where + " " + encoder);
                for (int i = 0; i < rows.size(); i++) {
                    List<Float> got = rows.get(i).getList(rows.get(i).fieldIndex("vector"));
                    JsonNode expected = want.get(encoder + "_embeddings").get(i);
                    assertEquals(expected.size(), got.size(), where + " " + encoder);
                    for (int k = 0; k < got.size(); k++) {
                        check(worst, encoder + "_embeddings", expected.get(k).asDouble(), got.get(k), where + " seed " + i);
                    }
                }
            }
        }
        System.out.println("measure against the reference (largest difference per metric): " + worst);
        Map<String, Row> recipes = new HashMap<>();
        for (Row r : MeasureOutputs.recipes(spark(), run).collectAsList()) {
            recipes.put(r.<String>getAs("recipe") + "/" + r.<String>getAs("metric"), r);
        }
        assertEquals(2 * MeasureJob.checkModels(config).groupMetrics().size(), recipes.size());
        for (Row r : recipes.values()) {
            double m = r.getAs("mean");
            assertTrue(r.<Double>getAs("low") <= m && m <= r.<Double>getAs("high"), r.toString());
            assertEquals(2, r.<Integer>getAs("prompts"));
            assertEquals("base", r.getAs("reference_recipe"));
        }
        for (String metric : List.of("lpips_mean", "embed_tiny_vendi", "clip_score_mean", "pixel_vendi")) {
            Row dmd2 = recipes.get("dmd2/" + metric);
            Row base = recipes.get("base/" + metric);
            double expected = (groups.get("cube/dmd2").<Double>getAs(metric) + groups.get("sphere/dmd2").<Double>getAs(metric)
                    - groups.get("cube/base").<Double>getAs(metric) - groups.get("sphere/base").<Double>getAs(metric)) / 2;
            assertEquals(expected, dmd2.<Double>getAs("diff_mean"), 1e-9, metric);
            assertEquals(2, dmd2.<Integer>getAs("paired_prompts"));
            assertTrue(dmd2.<Double>getAs("diff_low") <= expected && expected <= dmd2.<Double>getAs("diff_high"), metric);
            assertTrue(base.isNullAt(base.fieldIndex("diff_mean")), "the reference is not compared with itself");
        }

        long groupRows = MeasureOutputs.allGroups(spark(), run).count();
        MeasureJob.Summary again = measure(config);
        assertEquals(0, again.measured());
        assertEquals(4, again.alreadyMeasured());
        assertEquals(groupRows, MeasureOutputs.allGroups(spark(), run).count());
        try (Stream<Path> files = Files.list(Path.of(run, "recipes"))) {
            assertEquals(List.of("recipes.parquet"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertFalse(Files.exists(Path.of(run, "_tmp")));

        JsonNode attempts = JSON.readTree(Path.of(run, "manifest.json").toFile()).path("measure").path("attempts");
        assertEquals(3, attempts.size());
        assertEquals("failed", attempts.get(0).path("status").asText());
        assertTrue(attempts.get(0).path("measured").asInt() <= before, "a failed attempt's counts are those it heard of");
        assertEquals("done", attempts.get(1).path("status").asText());
        assertEquals(4 - before, attempts.get(1).path("measured").asInt());
        assertEquals(0, attempts.get(2).path("measured").asInt());
        assertEquals(4, attempts.get(2).path("groups").asInt());
    }

    @Test
    void failedImagesAreCountedTheRestMeasuredAndAGroupThatGainsCellsIsRemeasured(@TempDir Path dir) throws IOException {
        Dataset<Row> all = generatedImages();
        List<Row> cells = all.orderBy("prompt_id", "recipe", "seed").select("cell_id", "prompt_id", "recipe").collectAsList();
        Map<String, List<String>> ids = new HashMap<>();
        for (Row r : cells) {
            ids.computeIfAbsent(r.getString(1) + "/" + r.getString(2), k -> new ArrayList<>()).add(r.getString(0));
        }
        List<String> nan = List.of(ids.get("cube/base").get(0), ids.get("sphere/base").get(0), ids.get("sphere/base").get(1),
                ids.get("sphere/base").get(2));
        List<String> errors = List.of(ids.get("cube/dmd2").get(0), ids.get("cube/dmd2").get(1));
        String held = ids.get("sphere/dmd2").get(2);
        List<GenericRecord> heldRow = new ArrayList<>();
        RunConfig config = runWith(dir, "damaged", """
                  lpips: %s
                  encoders: [%s]
                """.formatted(models.resolve("lpips-tiny"), models.resolve("embed-tiny")), "", row -> {
                    String cell = row.get("cell_id").toString();
                    if (cell.equals(held)) {
                        heldRow.add(row);
                        return null;
                    }
                    if (nan.contains(cell) || errors.contains(cell)) {
                        row.put("status", nan.contains(cell) ? "nan" : "error");
                        row.put("image", null);
                    }
                    return row;
                });
        String run = config.runDirectory();

        MeasureJob.Summary first = measure(config);
        assertEquals(4, first.measured());
        assertEquals(5, first.images());
        assertEquals(6, first.failedImages());
        assertEquals(2, first.pairs());
        Map<String, Row> groups = byGroup(MeasureOutputs.currentGroups(spark(), run));

        Row cubeBase = groups.get("cube/base");
        assertEquals(2, cubeBase.<Integer>getAs("n"));
        assertEquals(1, cubeBase.<Integer>getAs("failed"));
        assertEquals(1L, cubeBase.<Long>getAs("pairs"));
        List<RgbImage> images = groupImages("cube", "base").subList(1, 3);
        assertEquals(images.get(0).width(), 64);
        JsonNode onePair = referencePair("cube", "base", "1", "18446744073709551615");
        assertEquals(onePair.get("ssim_distance").asDouble(), cubeBase.<Double>getAs("ssim_distance_mean"), 1e-12);
        assertEquals(onePair.get("lpips").asDouble(), cubeBase.<Double>getAs("lpips_mean"),
                LPIPS_RELATIVE * onePair.get("lpips").asDouble());
        assertEquals(0.0, cubeBase.<Double>getAs("lpips_std"), 0.0, "one pair: population std 0");

        Row cubeDmd2 = groups.get("cube/dmd2");
        assertEquals(1, cubeDmd2.<Integer>getAs("n"));
        assertEquals(2, cubeDmd2.<Integer>getAs("failed"));
        assertEquals(0L, cubeDmd2.<Long>getAs("pairs"));
        for (String pairwise : List.of("lpips_mean", "lpips_std", "embed_tiny_distance_mean", "ms_ssim_distance_mean",
                "ssim_distance_mean", "ms_ssim_method")) {
            assertTrue(cubeDmd2.isNullAt(cubeDmd2.fieldIndex(pairwise)), pairwise);
        }
        assertEquals(1.0, cubeDmd2.<Double>getAs("embed_tiny_vendi"), 1e-12);
        assertEquals(1.0, cubeDmd2.<Double>getAs("pixel_vendi"), 1e-12);

        Row sphereBase = groups.get("sphere/base");
        assertEquals(0, sphereBase.<Integer>getAs("n"));
        assertEquals(3, sphereBase.<Integer>getAs("failed"));
        assertTrue(sphereBase.isNullAt(sphereBase.fieldIndex("pixel_vendi")));

        assertEquals(2, groups.get("sphere/dmd2").<Integer>getAs("n"));
        assertEquals(2, MeasureOutputs.currentPairs(spark(), run).count());
        assertEquals(5 * 1, MeasureOutputs.currentEmbeddings(spark(), run).count());

        Map<String, Row> recipes = new HashMap<>();
        for (Row r : MeasureOutputs.recipes(spark(), run).collectAsList()) {
            recipes.put(r.<String>getAs("recipe") + "/" + r.<String>getAs("metric"), r);
        }
        assertEquals(1, recipes.get("base/lpips_mean").<Integer>getAs("prompts"), "sphere/base has no image");
        assertEquals(1, recipes.get("dmd2/lpips_mean").<Integer>getAs("prompts"), "cube/dmd2 has one image");
        assertEquals(2, recipes.get("dmd2/pixel_vendi").<Integer>getAs("prompts"));
        assertNull(recipes.get("dmd2/pixel_vendi").getAs("reference_recipe"));

        // the held-back cell arrives (a part of another layout in its bucket): only its bucket is measured again,
        // and its rows replace the bucket's old ones
        org.apache.hadoop.fs.Path heldFolder = io.seedgrid.jobs.output.RunPaths.partition(run,
                io.seedgrid.jobs.output.RunPaths.IMAGES, "dmd2", 0);
        MeasureFixtures.writeRows(new org.apache.hadoop.fs.Path(heldFolder, "part-arrived-00000.parquet"), heldRow);
        MeasureJob.Summary second = measure(config);
        assertEquals(2, second.measured(), "the dmd2 bucket's two groups");
        assertEquals(2, second.alreadyMeasured());
        groups = byGroup(MeasureOutputs.currentGroups(spark(), run));
        assertEquals(3, groups.get("sphere/dmd2").<Integer>getAs("n"));
        assertEquals(4, MeasureOutputs.allGroups(spark(), run).count(), "one groups/ row per group");
        assertEquals(1 + 3, MeasureOutputs.currentPairs(spark(), run).count());
        assertEquals(6, MeasureOutputs.currentEmbeddings(spark(), run).count());
        assertEquals(3, MeasureOutputs.recipes(spark(), run).filter("recipe = 'dmd2' and metric = 'lpips_mean'")
                .count() + 2, "recipes/ is replaced, not appended");
        assertEquals(1, MeasureOutputs.recipes(spark(), run).filter("recipe = 'dmd2' and metric = 'lpips_mean'")
                .first().<Integer>getAs("prompts"), "cube/dmd2 still has one image");
    }

    @Test
    void badInputExitsWithTwoBeforeWritingAnything(@TempDir Path dir) throws IOException {
        spark();
        // an LPIPS model whose declared weights do not match the network's channels
        Path broken = dir.resolve("broken-lpips");
        TinyGrid.copyTree(models.resolve("lpips-tiny"), broken);
        ObjectNode declaration = (ObjectNode) JSON.readTree(broken.resolve("seedgrid-metric.json").toFile());
        ((ArrayNode) declaration.get("weights").get(0)).remove(0);
        Files.writeString(broken.resolve("seedgrid-metric.json"), declaration.toString());
        RunConfig badModel = runWith(dir, "bad-model", "  lpips: " + broken + "\n", "", r -> r);
        Cli run = Cli.run("measure", badModel.source());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("channels"), run.err());
        assertFalse(Files.exists(Path.of(badModel.runDirectory(), "groups")));

        RunConfig noImages = MeasureFixtures.config(dir, "no-images", "", "");
        run = Cli.run("measure", noImages.source());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("has no images/"), run.err());
        assertFalse(Files.exists(Path.of(noImages.runDirectory())));

        RunConfig noOk = runWith(dir, "no-ok", "", "", r -> {
            r.put("status", "nan");
            r.put("image", null);
            return r;
        });
        run = Cli.run("measure", noOk.source());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("no image with status ok"), run.err());

        RunConfig noReference = runWith(dir, "no-reference", "  reference_recipe: dmd2\n", "",
                r -> r.get("recipe").toString().equals("base") ? r : null);
        run = Cli.run("measure", noReference.source());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("reference_recipe 'dmd2' has no ok images"), run.err());
        assertFalse(Files.exists(Path.of(noReference.runDirectory(), "groups")));

        // a config whose recipes differ from those that generated the run folder
        RunConfig otherRecipes = TinyGrid.config(dir, "other-recipes", dir.resolve("out").toString(), """
                  - {prompt: a red cube on a blue floor, id: cube}
                  - {prompt: a green sphere, id: sphere}
                """, TinyGrid.BASE_AND_DMD2.replace("steps: 4", "steps: 5"), "");
        MeasureFixtures.copyRun(generated, otherRecipes, r -> r);
        run = Cli.run("measure", otherRecipes.source());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("measure it with the config that made it"), run.err());
        assertFalse(Files.exists(Path.of(otherRecipes.runDirectory(), "groups")));

        RunConfig ok = runWith(dir, "cli", "", "", r -> r.get("recipe").toString().equals("base") ? r : null);
        run = Cli.run("measure", ok.source());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("2 measured now (6 images"), run.out());
        assertNotNull(MeasureOutputs.recipes(spark(), ok.runDirectory()).first());
    }
}
