package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LPIPS on the random-weight AlexNet fixture (width 0.25) against our PyTorch implementation
 * (tools/export/metrics/lpips_export.py reference), within 5e-7 relative (the README's claim; distances
 * here run from about 0.007 to 0.4, so an absolute bound would say little about the small ones).
 */
class LpipsTest {
    private static final double RELATIVE = 5e-7;
    private static final Path DIR = Fixtures.dir("lpips-tiny");
    private static OrtSession session;
    private static Lpips lpips;

    @BeforeAll
    static void load() throws OrtException {
        session = Fixtures.session(DIR.resolve("model.onnx"));
        lpips = new Lpips(LpipsModel.load(DIR, session));
    }

    @AfterAll
    static void close() throws OrtException {
        session.close();
    }

    @Test
    void cachedAndNaivePathsMatchPyTorch() throws OrtException {
        JsonNode golden = Fixtures.golden("lpips.json");
        List<RgbImage> images = new ArrayList<>();
        for (JsonNode name : golden.get("images")) {
            images.add(Fixtures.image(name.asText().replace(".png", "")));
        }
        PairwiseDistances cached = lpips.allPairsOfImages(images);
        JsonNode pairs = golden.get("pairs");
        assertEquals(pairs.size(), cached.pairs());
        int k = 0;
        for (int i = 0; i < images.size(); i++) {
            for (int j = i + 1; j < images.size(); j++, k++) {
                double expected = pairs.get(k).get("distance").asDouble();
                assertEquals(expected, cached.get(i, j), RELATIVE * expected, "cached " + i + "," + j);
                assertEquals(expected, lpips.naiveDistance(images.get(i), images.get(j)), RELATIVE * expected, "naive " + i + "," + j);
            }
        }
        assertTrue(cached.get(0, 1) < cached.get(0, 2), "a/b (near duplicates) is closer than a/c");
        // one image per network run gives the same features as the batched group run
        double single = lpips.features(images.get(3)).distance(lpips.features(images.get(4)));
        double last = pairs.get(pairs.size() - 1).get("distance").asDouble();
        assertEquals(last, single, RELATIVE * last);
    }

    @Test
    void distanceIsSymmetricAndZeroOnItself() throws OrtException {
        LpipsFeatures a = lpips.features(Fixtures.image("a"));
        LpipsFeatures c = lpips.features(Fixtures.image("c"));
        assertEquals(0.0, a.distance(a), 0);
        assertEquals(a.distance(c), c.distance(a), 0);
    }

    @Test
    void rejectsEmptyGroupsAndMixedSizes() throws OrtException {
        assertThrows(IllegalArgumentException.class, () -> Lpips.allPairs(List.of()));
        assertThrows(IllegalArgumentException.class, () -> lpips.allPairsOfImages(List.of(Fixtures.image("a"))));
        LpipsFeatures big = lpips.features(Fixtures.image("a"));
        LpipsFeatures small = lpips.features(Fixtures.image("small_0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> big.distance(small));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
    }

    @Test
    void refusesWeightsThatDoNotFitTheSession(@TempDir Path tmp) throws Exception {
        Path dir = withSpec(tmp, spec -> ((ArrayNode) spec.get("weights").get(1)).remove(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LpipsModel.load(dir, session));
        assertTrue(e.getMessage().contains("layer 'relu2' has 48 channels in the ONNX model but 47 weights"),
                e.getMessage());
    }

    @Test
    void refusesUnknownLayers(@TempDir Path tmp) throws Exception {
        Path dir = withSpec(tmp, spec -> ((ArrayNode) spec.get("layers")).set(4, "relu6"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LpipsModel.load(dir, session));
        assertTrue(e.getMessage().contains("no output 'relu6'"), e.getMessage());
    }

    @Test
    void refusesWrongInputName(@TempDir Path tmp) throws Exception {
        Path dir = withSpec(tmp, spec -> spec.put("input", "pixel_values"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LpipsModel.load(dir, session));
        assertTrue(e.getMessage().contains("no input 'pixel_values'"), e.getMessage());
    }

    @Test
    void refusesNegativeWeightsAndOtherVersions(@TempDir Path tmp) throws Exception {
        Path neg = withSpec(tmp.resolve("neg"), spec -> ((ArrayNode) spec.get("weights").get(0)).set(0, -0.1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LpipsModel.load(neg, session));
        assertTrue(e.getMessage().contains("non-negative"), e.getMessage());
        Path v0 = withSpec(tmp.resolve("v0"), spec -> spec.put("version", "0.0"));
        assertThrows(IllegalArgumentException.class, () -> LpipsModel.load(v0, session));
    }

    @Test
    void refusesANonLpipsSession() throws Exception {
        try (OrtSession text = Fixtures.session(Fixtures.dir("clip-tiny/text/model.onnx"))) {
            assertThrows(IllegalArgumentException.class, () -> LpipsModel.load(DIR, text));
        }
        try (OrtSession image = Fixtures.session(Fixtures.dir("embed-tiny/model.onnx"))) {
            assertThrows(IllegalArgumentException.class, () -> LpipsModel.load(Fixtures.dir("embed-tiny"), image));
        }
    }

    /** The fixture's model with an edited seedgrid-metric.json (the ONNX file is linked, not copied). */
    private static Path withSpec(Path dir, Consumer<ObjectNode> edit) throws Exception {
        Files.createDirectories(dir);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode spec = (ObjectNode) mapper.readTree(DIR.resolve(MetricModelSpec.FILE).toFile());
        edit.accept(spec);
        mapper.writeValue(dir.resolve(MetricModelSpec.FILE).toFile(), spec);
        Files.createSymbolicLink(dir.resolve("model.onnx"), DIR.resolve("model.onnx"));
        return dir;
    }
}
