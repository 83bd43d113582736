package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
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
import io.seedgrid.udf.metrics.ClipScore;
import io.seedgrid.udf.metrics.ClipSpec;
import io.seedgrid.udf.metrics.EmbeddingDistance;
import io.seedgrid.udf.metrics.ImageEmbedder;
import io.seedgrid.udf.metrics.Lpips;
import io.seedgrid.udf.metrics.LpipsModel;
import io.seedgrid.udf.metrics.MetricModelSpec;
import io.seedgrid.udf.metrics.PixelVendi;
import io.seedgrid.udf.metrics.Ssim;
import io.seedgrid.udf.metrics.TextEmbedder;
import io.seedgrid.udf.metrics.Vendi;
import io.seedgrid.udf.tokenizer.ClipTokenizer;
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

    private static double mean(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s / values.length;
    }

    private static OrtSession session(Path model) throws Exception {
        return OrtEnvironment.getEnvironment().createSession(model.toString(), new OrtSession.SessionOptions());
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

        ClipSpec clipSpec = (ClipSpec) MetricModelSpec.read(models.resolve("clip-tiny"));
        ClipTokenizer tokenizer = ClipTokenizer.load(clipSpec.text().tokenizer());
        try (OrtSession lpipsSession = session(models.resolve("lpips-tiny/model.onnx"));
             OrtSession embedSession = session(models.resolve("embed-tiny/model.onnx"));
             OrtSession clipImage = session(clipSpec.image().model());
             OrtSession clipText = session(clipSpec.text().model())) {
            Lpips lpips = new Lpips(LpipsModel.load(models.resolve("lpips-tiny"), lpipsSession));
            ImageEmbedder embed = ImageEmbedder.load(models.resolve("embed-tiny"), embedSession);
            ImageEmbedder clipEmbed = ImageEmbedder.load(models.resolve("clip-tiny"), clipImage);
            TextEmbedder text = TextEmbedder.load(models.resolve("clip-tiny"), clipText);
            for (String promptId : List.of("cube", "sphere")) {
                String prompt = promptId.equals("cube") ? "a red cube on a blue floor" : "a green sphere";
                float[] promptEmbedding = text.embed(tokenizer.encode(prompt).ids());
                for (String recipe : List.of("base", "dmd2")) {
                    Row g = groups.get(promptId + "/" + recipe);
                    String where = promptId + "/" + recipe;
                    assertEquals(3, g.<Integer>getAs("n"), where);
                    assertEquals(0, g.<Integer>getAs("failed"), where);
                    assertEquals(3L, g.<Long>getAs("pairs"), where);
                    assertEquals(3, pairCounts.get(where), where);
                    assertEquals("ms-ssim-upsampled", g.getAs("ms_ssim_method"), "64x48 images are upsampled for MS-SSIM");

                    List<RgbImage> images = groupImages(promptId, recipe);
                    double[] lpipsPairs = Lpips.allPairs(lpips.features(images)).condensed();
                    assertEquals(mean(lpipsPairs), g.<Double>getAs("lpips_mean"), 1e-6, where);
                    assertTrue(mean(lpipsPairs) > 0, where);
                    double[] ssim = {Ssim.distance(images.get(0), images.get(1)), Ssim.distance(images.get(0), images.get(2)),
                            Ssim.distance(images.get(1), images.get(2))};
                    assertEquals(mean(ssim), g.<Double>getAs("ssim_distance_mean"), 1e-12, where);
                    assertEquals(PixelVendi.score(images, 1.0), g.<Double>getAs("pixel_vendi"), 1e-12, where);
                    assertEquals(PixelVendi.score(images, Double.POSITIVE_INFINITY), g.<Double>getAs("pixel_vendi_qinf"), 1e-12,
                            where);

                    // Vendi of the written embeddings, and the embeddings against the model run here
                    List<float[]> written = new ArrayList<>();
                    for (Row e : embeddings.stream().filter(e -> e.getAs("prompt_id").equals(promptId)
                            && e.getAs("recipe").equals(recipe) && e.getAs("encoder").equals("embed_tiny")).toList()) {
                        List<Float> v = e.getList(e.fieldIndex("vector"));
                        float[] f = new float[v.size()];
                        for (int i = 0; i < f.length; i++) {
                            f[i] = v.get(i);
                        }
                        written.add(f);
                    }
                    assertEquals(3, written.size());
                    List<float[]> direct = embed.embedAll(images);
                    for (int i = 0; i < 3; i++) {
                        assertArrayEquals(direct.get(i), written.get(i), 1e-6f, where);
                    }
                    assertEquals(Vendi.ofEmbeddings(written, 1.0), g.<Double>getAs("embed_tiny_vendi"), 1e-9, where);
                    assertEquals(Vendi.ofEmbeddings(written, 2.0), g.<Double>getAs("embed_tiny_vendi_q2"), 1e-9, where);
                    assertEquals(Vendi.ofEmbeddings(written, Double.POSITIVE_INFINITY),
                            g.<Double>getAs("embed_tiny_vendi_qinf"), 1e-9, where);
                    assertEquals(mean(EmbeddingDistance.allPairs(written).condensed()),
                            g.<Double>getAs("embed_tiny_distance_mean"), 1e-9, where);

                    double clipScore = 0;
                    for (RgbImage image : images) {
                        clipScore += ClipScore.of(clipEmbed.embed(image), promptEmbedding) / images.size();
                    }
                    assertEquals(clipScore, g.<Double>getAs("clip_score_mean"), 1e-4, where);
                }
            }
        }

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
        assertEquals(Ssim.distance(images.get(0), images.get(1)), cubeBase.<Double>getAs("ssim_distance_mean"), 1e-12);
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
