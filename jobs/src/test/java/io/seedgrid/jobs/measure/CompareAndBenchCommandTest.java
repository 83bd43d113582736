package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.metrics.ClipScore;
import io.seedgrid.udf.metrics.ClipSpec;
import io.seedgrid.udf.metrics.EmbeddingDistance;
import io.seedgrid.udf.metrics.ImageEmbedder;
import io.seedgrid.udf.metrics.Lpips;
import io.seedgrid.udf.metrics.LpipsModel;
import io.seedgrid.udf.metrics.MetricModelSpec;
import io.seedgrid.udf.metrics.MsSsim;
import io.seedgrid.udf.metrics.Ssim;
import io.seedgrid.udf.metrics.TextEmbedder;
import io.seedgrid.udf.tokenizer.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code seedgrid compare}, {@code seedgrid bench lpips} and {@code seedgrid bench ssim} on the udf metric fixtures. */
class CompareAndBenchCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RgbImage image(String name) throws Exception {
        return MeasureFixtures.decode(Files.readAllBytes(png(name)));
    }

    private static Path png(String name) {
        return TinyGrid.metricFixture("images/" + name + ".png");
    }

    private static OrtSession session(Path model) throws Exception {
        return OrtEnvironment.getEnvironment().createSession(model.toString(), new OrtSession.SessionOptions());
    }

    @Test
    void compareReportsEveryPairwiseMetricOfTwoImages(@TempDir Path dir) throws Exception {
        Path models = TinyGrid.copyMetricModels(dir);
        String prompt = "a photo of a cat";
        Cli run = Cli.run("compare", png("a").toString(), png("b").toString(), "--lpips", models.resolve("lpips-tiny").toString(),
                "--encoder", models.resolve("embed-tiny").toString(), "--clip", models.resolve("clip-tiny").toString(),
                "--prompt", prompt);
        assertEquals(0, run.code(), run.err());
        JsonNode json = JSON.readTree(run.out());

        RgbImage a = image("a");
        RgbImage b = image("b");
        assertEquals(201, json.get("width").asInt());
        assertEquals(Ssim.compute(a, b), json.get("ssim").asDouble(), 1e-12);
        MsSsim.Result ms = MsSsim.compute(a, b, true);
        assertEquals(ms.value(), json.get("ms_ssim").get("value").asDouble(), 1e-12);
        assertEquals("ms-ssim", json.get("ms_ssim").get("method").asText(), "201x167 needs no upsampling");

        ClipSpec clip = (ClipSpec) MetricModelSpec.read(models.resolve("clip-tiny"));
        try (OrtSession lpipsSession = session(models.resolve("lpips-tiny/model.onnx"));
             OrtSession embedSession = session(models.resolve("embed-tiny/model.onnx"));
             OrtSession clipImage = session(clip.image().model());
             OrtSession clipText = session(clip.text().model())) {
            Lpips lpips = new Lpips(LpipsModel.load(models.resolve("lpips-tiny"), lpipsSession));
            assertEquals(lpips.naiveDistance(a, b), json.get("lpips").asDouble(), 1e-5);
            ImageEmbedder embed = ImageEmbedder.load(models.resolve("embed-tiny"), embedSession);
            assertEquals(EmbeddingDistance.distance(embed.embed(a), embed.embed(b)),
                    json.get("embedding_distance").get("embed_tiny").asDouble(), 1e-9);
            ImageEmbedder clipEmbed = ImageEmbedder.load(models.resolve("clip-tiny"), clipImage);
            assertEquals(EmbeddingDistance.distance(clipEmbed.embed(a), clipEmbed.embed(b)),
                    json.get("embedding_distance").get("clip_tiny").asDouble(), 1e-9);
            float[] text = TextEmbedder.load(models.resolve("clip-tiny"), clipText)
                    .embed(ClipTokenizer.load(clip.text().tokenizer()).encode(prompt).ids());
            assertEquals(ClipScore.of(clipEmbed.embed(a), text), json.get("clip_score").get("a").asDouble(), 1e-4);
            assertEquals(ClipScore.of(clipEmbed.embed(b), text), json.get("clip_score").get("b").asDouble(), 1e-4);
        }

        Cli small = Cli.run("compare", png("small_0").toString(), png("small_1").toString());
        assertEquals(0, small.code(), small.err());
        JsonNode smallJson = JSON.readTree(small.out());
        assertEquals("ms-ssim-upsampled", smallJson.get("ms_ssim").get("method").asText());
        assertTrue(!smallJson.has("lpips") && smallJson.get("embedding_distance").isEmpty(), small.out());

        Cli sizes = Cli.run("compare", png("a").toString(), png("small_0").toString());
        assertEquals(2, sizes.code());
        assertTrue(sizes.err().contains("differ in size (201x167 and 48x40)"), sizes.err());
        Cli noPrompt = Cli.run("compare", png("a").toString(), png("b").toString(), "--clip",
                models.resolve("clip-tiny").toString());
        assertEquals(2, noPrompt.code());
        assertTrue(noPrompt.err().contains("--clip and --prompt go together"), noPrompt.err());
        assertEquals(2, Cli.run("compare", png("a").toString(), dir.resolve("missing.png").toString()).code());
    }

    @Test
    void benchLpipsComparesTheCachedAndTheNaivePath(@TempDir Path dir) {
        Path models = TinyGrid.copyMetricModels(dir);
        Cli run = Cli.run("bench", "lpips", "--lpips", models.resolve("lpips-tiny").toString(), "--images", "3",
                "--size", "32", "--repeats", "1");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("LPIPS all pairs of 3 images 32x32 (3 pairs)"), run.out());
        assertTrue(run.out().contains("faster, max |difference|"), run.out());
        assertEquals(2, Cli.run("bench", "lpips", "--images", "3").code(), "--lpips is required");
        assertEquals(2, Cli.run("bench", "lpips", "--lpips", models.resolve("lpips-tiny").toString(), "--images", "1").code());
    }

    @Test
    void benchSsimComparesTheCachedAndThePerPairPath() {
        Cli run = Cli.run("bench", "ssim", "--images", "3", "--size", "40");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("SSIM + MS-SSIM (ms-ssim-upsampled), all pairs of 3 images 40x40 (3 pairs), one thread"),
                run.out());
        assertTrue(run.out().contains("3 of 3 pairs timed"), run.out());
        // the cached path repeats the per-pair arithmetic in the same order
        assertTrue(run.out().contains("x), max |difference| 0.00e+00"), run.out());
        Cli some = Cli.run("bench", "ssim", "--images", "3", "--size", "170", "--baseline-pairs", "1");
        assertEquals(0, some.code(), some.err());
        assertTrue(some.out().contains("SSIM + MS-SSIM (ms-ssim)") && some.out().contains("1 of 3 pairs timed"), some.out());
        assertEquals(2, Cli.run("bench", "ssim", "--images", "1").code());
        assertEquals(2, Cli.run("bench", "ssim", "--size", "10").code());
        assertEquals(2, Cli.run("bench", "ssim", "--images", "3", "--baseline-pairs", "4").code());
    }
}
