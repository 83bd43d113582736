package io.seedgrid.udf.metrics;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.udf.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metric networks of the real architectures with seeded random weights, exported by tools/export/metrics/,
 * against the original package's own forward (tools/reference/metrics/make_real_metric_fixtures.py):
 * transformers' CLIPModel and Dinov2Model (small configs) on their processors' preprocessing, the lpips
 * package's LPIPS (torchvision AlexNet at its real width), and the dreamsim package's ensemble (its DINO, CLIP
 * and OpenCLIP ViT-B/16 code at width 24, a LoRA merged by the exporter) on dreamsim's preprocess: embeddings,
 * distances and CLIP scores within 1e-5.
 */
class RealNetworksTest {
    private static final JsonNode GOLDEN = Fixtures.golden("real_networks.json");
    private static final double TOLERANCE = 1e-5;

    private static List<RgbImage> images() {
        List<RgbImage> out = new ArrayList<>();
        GOLDEN.get("images").forEach(n -> out.add(Fixtures.image(n.asText().replace(".png", ""))));
        return out;
    }

    private static double worst(JsonNode expected, float[] actual) {
        float[] want = Fixtures.floats(expected);
        double worst = 0;
        for (int k = 0; k < want.length; k++) {
            worst = Math.max(worst, Math.abs(want[k] - actual[k]));
        }
        return worst;
    }

    private static void distancesMatch(String network, List<float[]> embeddings, JsonNode expected, double worstEmbedding) {
        PairwiseDistances d = EmbeddingDistance.allPairs(embeddings);
        double worstDistance = 0;
        for (int i = 0; i < embeddings.size(); i++) {
            for (int j = i + 1; j < embeddings.size(); j++) {
                worstDistance = Math.max(worstDistance, Math.abs(expected.get(i).get(j).asDouble() - d.get(i, j)));
            }
        }
        System.out.printf("real network %s: embeddings within %.2e, distances within %.2e of the package%n", network,
                worstEmbedding, worstDistance);
        double spread = 0;
        for (int i = 0; i < embeddings.size(); i++) {
            for (int j = i + 1; j < embeddings.size(); j++) {
                double want = expected.get(i).get(j).asDouble();
                assertEquals(want, d.get(i, j), TOLERANCE, "distance " + i + "," + j);
                spread = Math.max(spread, want);
            }
        }
        assertTrue(spread > 0.01, "the random networks tell the test images apart");
    }

    @Test
    void dinov2MatchesTransformers() throws Exception {
        embedderMatches("dinov2", "dinov2");
    }

    @Test
    void lpipsMatchesTheLpipsPackage() throws Exception {
        Path dir = Fixtures.dir("real/lpips");
        JsonNode pairs = GOLDEN.get("lpips").get("pairs");
        try (OrtSession session = Fixtures.session(dir.resolve("model.onnx"))) {
            Lpips lpips = new Lpips(LpipsModel.load(dir, session));
            LpipsSpec spec = lpips.model().spec();
            assertEquals(GOLDEN.get("lpips").get("channels").toString(), List.of(spec.channels(0), spec.channels(1),
                    spec.channels(2), spec.channels(3), spec.channels(4)).toString().replace(" ", ""),
                    "AlexNet's real channel counts");
            double[] want = new double[pairs.size()];
            double[] got = new double[pairs.size()];
            double worst = 0;
            double worstRelative = 0;
            for (int k = 0; k < pairs.size(); k++) {
                JsonNode pair = pairs.get(k);
                want[k] = pair.get("distance").asDouble();
                got[k] = lpips.features(Fixtures.image(pair.get("a").asText()))
                        .distance(lpips.features(Fixtures.image(pair.get("b").asText())));
                worst = Math.max(worst, Math.abs(want[k] - got[k]));
                worstRelative = Math.max(worstRelative, Math.abs(want[k] - got[k]) / want[k]);
            }
            System.out.printf("real network lpips (alex): %d distances within %.2e (%.2e relative) of the package%n",
                    pairs.size(), worst, worstRelative);
            for (int k = 0; k < pairs.size(); k++) {
                assertEquals(want[k], got[k], TOLERANCE, pairs.get(k).toString());
            }
            assertTrue(java.util.Arrays.stream(want).max().orElse(0) > 0.1, "the random network tells the images apart");
        }
    }

    @Test
    void dreamsimEnsembleMatchesTheDreamsimPackage() throws Exception {
        embedderMatches("dreamsim", "dreamsim ensemble");
    }

    /** The embeddings of the fixture real/{@code name} and their distances against the package's, within the tolerance. */
    private static void embedderMatches(String name, String label) throws Exception {
        Path dir = Fixtures.dir("real/" + name);
        JsonNode golden = GOLDEN.get(name);
        try (OrtSession session = Fixtures.session(dir.resolve("model.onnx"))) {
            List<float[]> emb = ImageEmbedder.load(dir, session).embedAll(images());
            double worst = 0;
            for (int i = 0; i < emb.size(); i++) {
                assertArrayEquals(Fixtures.floats(golden.get("embeddings").get(i)), emb.get(i), (float) TOLERANCE, "image " + i);
                worst = Math.max(worst, worst(golden.get("embeddings").get(i), emb.get(i)));
            }
            distancesMatch(label, emb, golden.get("distances"), worst);
        }
    }

    @Test
    void clipMatchesTransformers() throws Exception {
        Path dir = Fixtures.dir("real/clip");
        ClipSpec spec = (ClipSpec) MetricModelSpec.read(dir);
        JsonNode golden = GOLDEN.get("clip");
        try (OrtSession image = Fixtures.session(spec.image().model());
             OrtSession text = Fixtures.session(spec.text().model())) {
            List<float[]> img = ImageEmbedder.load(dir, image).embedAll(images());
            double worst = 0;
            for (int i = 0; i < img.size(); i++) {
                assertArrayEquals(Fixtures.floats(golden.get("image_embeddings").get(i)), img.get(i), (float) TOLERANCE, "image " + i);
                worst = Math.max(worst, worst(golden.get("image_embeddings").get(i), img.get(i)));
            }
            distancesMatch("clip image", img, golden.get("distances"), worst);
            TextEmbedder textEmbedder = TextEmbedder.load(dir, text);
            for (int t = 0; t < golden.get("input_ids").size(); t++) {
                JsonNode row = golden.get("input_ids").get(t);
                int[] ids = new int[row.size()];
                for (int k = 0; k < ids.length; k++) {
                    ids[k] = row.get(k).asInt();
                }
                float[] txt = textEmbedder.embed(ids);
                assertArrayEquals(Fixtures.floats(golden.get("text_embeddings").get(t)), txt, (float) TOLERANCE, "prompt " + t);
                for (int i = 0; i < img.size(); i++) {
                    assertEquals(golden.get("clip_scores").get(i).get(t).asDouble(), ClipScore.of(img.get(i), txt), 100 * TOLERANCE);
                }
            }
        }
    }
}
