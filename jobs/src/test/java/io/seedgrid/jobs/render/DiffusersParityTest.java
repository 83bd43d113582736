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
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code seedgrid render} against diffusers on the real SDXL architecture. resources/diffusers/ holds SDXL
 * built from diffusers' and transformers' own classes at a tiny size (seeded random weights), exported by
 * seedgrid's exporters (tools/export/export_sdxl.py fp32 and fp16 with the fp32 VAE; export_dmd2_unet.py
 * with full UNet weights and with a LoRA fused at 1.0), and diffusers' images of the same weights:
 * StableDiffusionXLPipeline for every sampler and schedule, with and without CFG and a negative prompt,
 * the LCM pipeline for dmd2 and skip-first, diffusers' unfused LoRA at strength α for blend α, and a loop
 * over diffusers' schedulers and UNets for hybrid (tools/reference/diffusers/make_sdxl_fixtures.py, which
 * also wrote the manifest of render arguments). Every channel of every pixel must be within one grey level of
 * diffusers' float32 images (and at most 0.1% of them off at all); the fp16 export against diffusers' fp16
 * UNet within two levels: torch's CPU half kernels and ONNX Runtime's round differently, and the fp16
 * graph's timestep input is itself half precision (a fractional Karras timestep rounds to a step of 0.5
 * above 512) where diffusers passes float32 timesteps.
 */
class DiffusersParityTest {

    /** The README's claim: seedgrid renders diffusers' images within one grey level. */
    static final int MAX_LEVELS = 1;
    static final double MAX_SHARE_OFF = 0.001;
    /** fp16 cases (their names start with "fp16_"). */
    static final int MAX_LEVELS_FP16 = 2;

    @TempDir
    Path tmp;

    private static Path fixtures() throws URISyntaxException {
        URL manifest = DiffusersParityTest.class.getResource("/diffusers/manifest.json");
        assertNotNull(manifest, "test resource diffusers/manifest.json");
        return Path.of(manifest.toURI()).getParent();
    }

    @TestFactory
    Stream<DynamicTest> everyCaseRendersAsDiffusers() throws Exception {
        Path root = fixtures();
        JsonNode manifest = new ObjectMapper().readTree(root.resolve("manifest.json").toFile());
        assertTrue(manifest.get("images").size() >= 35, "every sampler x schedule, CFG, fp16 and the DMD2 recipes");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode image : manifest.get("images")) {
            String png = image.get("png").asText();
            tests.add(DynamicTest.dynamicTest(png + ": " + image.get("diffusers").asText(),
                    () -> rendersLikeDiffusers(root, png, image.get("args"))));
        }
        return tests.stream();
    }

    private void rendersLikeDiffusers(Path root, String png, JsonNode referenceArgs) throws IOException {
        Path out = tmp.resolve(png);
        List<String> args = new ArrayList<>(List.of("render", "--out", out.toString()));
        boolean modelPath = false;
        for (JsonNode arg : referenceArgs) {
            String a = arg.asText();
            args.add(modelPath ? root.resolve(a).toString() : a);
            modelPath = a.equals("--model") || a.equals("--student") || a.equals("--base");
        }
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertEquals(0, cli.code(), cli.err());

        BufferedImage expected = ImageIO.read(root.resolve("images").resolve(png).toFile());
        BufferedImage actual = ImageIO.read(out.toFile());
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
        System.out.printf("diffusers parity %-36s max %d level(s), %.4f of channels differ%n", png, maxDiff,
                off / (double) channels);
        boolean fp16 = png.startsWith("fp16_");
        assertTrue(maxDiff <= (fp16 ? MAX_LEVELS_FP16 : MAX_LEVELS),
                png + ": a channel differs from diffusers by " + maxDiff + " levels");
        assertTrue(fp16 || off <= MAX_SHARE_OFF * channels, png + ": " + off + " of " + channels + " channels differ");
    }
}
