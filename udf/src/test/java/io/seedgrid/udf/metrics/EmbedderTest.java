package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Image and text embedders on the tiny random fixtures against torch outputs on PIL-preprocessed
 * inputs (tools/reference/metrics/embedding_fixture.py).
 */
class EmbedderTest {
    private static final JsonNode GOLDEN = Fixtures.golden("embedding.json");

    private static List<RgbImage> images() {
        List<RgbImage> out = new ArrayList<>();
        GOLDEN.get("images").forEach(n -> out.add(Fixtures.image(n.asText())));
        return out;
    }

    @Test
    void preprocessingMatchesHuggingFaceStyleReference() {
        ImageEmbeddingSpec spec = (ImageEmbeddingSpec) MetricModelSpec.read(Fixtures.dir("embed-tiny"));
        float[] pixels = spec.image().preprocessing().apply(images().get(0));
        assertEquals(3 * 64 * 64, pixels.length);
        float[] expected = Fixtures.floats(GOLDEN.get("embed_tiny").get("first_pixel_values_a"));
        assertArrayEquals(expected, java.util.Arrays.copyOf(pixels, expected.length));
    }

    @Test
    void imageEmbeddingModelMatchesTorch() throws Exception {
        Path dir = Fixtures.dir("embed-tiny");
        try (OrtSession session = Fixtures.session(dir.resolve("model.onnx"))) {
            ImageEmbedder embedder = ImageEmbedder.load(dir, session);
            assertEquals("embed-tiny", embedder.name());
            List<float[]> emb = embedder.embedAll(images());
            JsonNode expected = GOLDEN.get("embed_tiny").get("embeddings");
            for (int i = 0; i < emb.size(); i++) {
                assertArrayEquals(Fixtures.floats(expected.get(i)), emb.get(i), 1e-5f, "image " + i);
                assertEquals(1.0, Embeddings.dot(emb.get(i), emb.get(i)), 1e-6);
            }
            PairwiseDistances d = EmbeddingDistance.allPairs(emb);
            assertEquals(1 - Embeddings.dot(emb.get(0), emb.get(2)), d.get(0, 2), 1e-6);
        }
    }

    @Test
    void clipImageTextAndScoreMatchTorch() throws Exception {
        Path dir = Fixtures.dir("clip-tiny");
        ClipSpec spec = (ClipSpec) MetricModelSpec.read(dir);
        JsonNode clip = GOLDEN.get("clip_tiny");
        try (OrtSession image = Fixtures.session(spec.image().model());
             OrtSession text = Fixtures.session(spec.text().model())) {
            ImageEmbedder imageEmbedder = ImageEmbedder.load(dir, image);
            TextEmbedder textEmbedder = TextEmbedder.load(dir, text);
            List<float[]> img = imageEmbedder.embedAll(images());
            List<int[]> ids = new ArrayList<>();
            clip.get("input_ids").forEach(r -> {
                int[] row = new int[r.size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = r.get(i).asInt();
                }
                ids.add(row);
            });
            List<float[]> txt = textEmbedder.embedAll(ids);
            for (int i = 0; i < img.size(); i++) {
                assertArrayEquals(Fixtures.floats(clip.get("image_embeddings").get(i)), img.get(i), 1e-5f);
            }
            for (int t = 0; t < txt.size(); t++) {
                assertArrayEquals(Fixtures.floats(clip.get("text_embeddings").get(t)), txt.get(t), 1e-5f);
                assertArrayEquals(txt.get(t), textEmbedder.embed(ids.get(t)), 1e-6f);
            }
            for (int i = 0; i < img.size(); i++) {
                for (int t = 0; t < txt.size(); t++) {
                    assertEquals(clip.get("clip_scores").get(i).get(t).asDouble(), ClipScore.of(img.get(i), txt.get(t)),
                            1e-3);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> textEmbedder.embed(new int[76]));
            // the image session does not fit the text declaration and vice versa
            assertThrows(IllegalArgumentException.class, () -> TextEmbedder.load(dir, image));
            assertThrows(IllegalArgumentException.class, () -> ImageEmbedder.load(dir, text));
        }
    }

    @Test
    void int32InputIdsAreReadFromTheSession() throws Exception {
        ClipSpec spec = (ClipSpec) MetricModelSpec.read(Fixtures.dir("clip-tiny"));
        JsonNode clip = GOLDEN.get("clip_tiny");
        int[] ids = new int[77];
        for (int i = 0; i < 77; i++) {
            ids[i] = clip.get("input_ids").get(1).get(i).asInt();
        }
        TextEncoderSpec int32 = new TextEncoderSpec(Fixtures.dir("text-int32.onnx"), "input_ids", "text_embeds",
                spec.text().tokenizer());
        try (OrtSession session = Fixtures.session(int32.model())) {
            assertArrayEquals(Fixtures.floats(clip.get("text_embeddings").get(1)),
                    TextEmbedder.of(int32, session).embed(ids), 1e-5f);
        }
    }

    @Test
    void embeddingDistanceAndClipScoreDefinitions() {
        float[] a = {1, 0};
        float[] b = {0, 2};
        float[] c = {-3, 0};
        assertEquals(1.0, EmbeddingDistance.distance(a, b), 1e-15);
        assertEquals(2.0, EmbeddingDistance.distance(a, c), 1e-15);
        assertEquals(0.0, EmbeddingDistance.distance(a, new float[] {5, 0}), 1e-15);
        assertEquals(0.0, ClipScore.of(a, c), 0);
        assertEquals(100 * Math.cos(Math.PI / 4), ClipScore.of(a, new float[] {1, 1}), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> EmbeddingDistance.distance(a, new float[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> EmbeddingDistance.allPairs(List.of(a)));
        assertThrows(IllegalArgumentException.class, () -> ClipScore.of(a, new float[] {0, 0}));
    }
}
