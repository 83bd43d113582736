package io.seedgrid.jobs.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.testing.Cli;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped models (models/) render through {@code seedgrid render} what the PyTorch pipeline that
 * trained them renders: resources/toymodel/ holds, per demo recipe, prompt and seed, the image of
 * tools/toymodel/reference_images.py (PyTorch, weights read back from the ONNX files) and the render
 * arguments of the same recipe. ONNX Runtime and PyTorch round differently, so a channel may be off by
 * one level here and there; a wrong timestep, sigma, hand-off or blend moves most pixels by far more.
 */
class ShippedModelsTest {

    private static final int MAX_LEVELS = 2;
    private static final double MAX_SHARE_OFF = 0.01;

    @TempDir
    Path tmp;

    private static Path repo() {
        String repo = System.getProperty("seedgrid.repo");
        return (repo != null ? Path.of(repo) : Path.of("..")).toAbsolutePath().normalize();
    }

    @TestFactory
    Stream<DynamicTest> everyDemoRecipeRendersAsThePyTorchPipeline() throws IOException {
        JsonNode manifest;
        try (InputStream in = resource("manifest.json")) {
            manifest = new ObjectMapper().readTree(in);
        }
        assertEquals(16, manifest.get("images").size(), "4 recipes x 2 prompts x 2 seeds");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode image : manifest.get("images")) {
            String png = image.get("png").asText();
            tests.add(DynamicTest.dynamicTest(png, () -> rendersLikeTheReference(png, image.get("args"))));
        }
        return tests.stream();
    }

    private void rendersLikeTheReference(String png, JsonNode referenceArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("render", "--out", tmp.resolve(png).toString()));
        for (JsonNode arg : referenceArgs) {
            String a = arg.asText();
            args.add(a.startsWith("models/") ? repo().resolve(a).toString() : a);
        }
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertEquals(0, cli.code(), cli.err());

        BufferedImage expected;
        try (InputStream in = resource(png)) {
            expected = ImageIO.read(in);
        }
        BufferedImage actual = ImageIO.read(tmp.resolve(png).toFile());
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        int maxDiff = 0;
        int off = 0;
        int channels = 0;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int e = expected.getRGB(x, y);
                int a = actual.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = Math.abs(((e >> shift) & 0xff) - ((a >> shift) & 0xff));
                    maxDiff = Math.max(maxDiff, d);
                    off += d > 0 ? 1 : 0;
                    channels++;
                }
            }
        }
        double share = off / (double) channels;
        assertTrue(maxDiff <= MAX_LEVELS, png + ": a channel differs by " + maxDiff + " levels");
        assertTrue(share <= MAX_SHARE_OFF, png + ": " + share + " of the channels differ");
    }

    private static InputStream resource(String name) {
        InputStream in = ShippedModelsTest.class.getResourceAsStream("/toymodel/" + name);
        assertNotNull(in, "test resource toymodel/" + name);
        return in;
    }
}
