package io.seedgrid.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code seedgrid assemble}, and the diffusers config keys {@code inspect model}'s fit check requires. */
class AssembleCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aUnetOnlyFolderBecomesAFullFolderOfLinksThatRendersTheSameImage() throws Exception {
        Path dmd2 = TinyGrid.tinyModel("dmd2-unet-only");
        Path base = TinyGrid.tinyModel("fp32");
        Path out = tmp.resolve("dmd2-full");
        Cli run = Cli.run("assemble", dmd2.toString(), "--base", base.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        for (String entry : new String[] {"unet", "text_encoder", "text_encoder_2", "vae_decoder", "tokenizer", "tokenizer_2",
                "scheduler", "model_index.json"}) {
            assertTrue(Files.isSymbolicLink(out.resolve(entry)), entry + " is a link");
        }
        assertEquals(dmd2.resolve("unet").toRealPath(), out.resolve("unet").toRealPath());
        assertEquals(base.resolve("text_encoder").toRealPath(), out.resolve("text_encoder").toRealPath());
        assertFalse(Files.exists(out.resolve("seedgrid-export.json")), "the folder is complete: it names no base");

        Cli inspect = Cli.run("inspect", "model", out.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(JSON.readTree(inspect.out()).get("diffusers_configs").get("complete").asBoolean());

        Path borrowed = tmp.resolve("borrowed.png");
        Path assembled = tmp.resolve("assembled.png");
        String[] common = {"--recipe", "dmd2", "--prompt", "a red circle", "--seed", "3", "--width", "64", "--height", "64"};
        assertEquals(0, Cli.run(concat(new String[] {"render", "--model", dmd2.toString(), "--base", base.toString(),
                "--out", borrowed.toString()}, common)).code());
        assertEquals(0, Cli.run(concat(new String[] {"render", "--model", out.toString(), "--out", assembled.toString()},
                common)).code());
        assertTrue(samePixels(ImageIO.read(borrowed.toFile()), ImageIO.read(assembled.toFile())));
    }

    @Test
    void theBaseComesFromTheExportRecordWhenNotGiven() throws Exception {
        Path fixtures = Path.of(AssembleCommandTest.class.getResource("/diffusers/manifest.json").toURI()).getParent();
        Path out = tmp.resolve("dmd2");
        Cli run = Cli.run("assemble", fixtures.resolve("dmd2-fp32").toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(fixtures.resolve("base-fp32/vae_decoder").toRealPath(), out.resolve("vae_decoder").toRealPath());
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() throws Exception {
        Path dmd2 = TinyGrid.tinyModel("dmd2-unet-only");
        Path base = TinyGrid.tinyModel("fp32");
        Path full = tmp.resolve("full");
        Cli complete = Cli.run("assemble", base.toString(), "--base", base.toString(), "--out", full.toString());
        assertEquals(2, complete.code());
        assertTrue(complete.err().contains("nothing to assemble"), complete.err());
        assertFalse(Files.exists(full));

        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "mine");
        Cli occupied = Cli.run("assemble", dmd2.toString(), "--base", base.toString(), "--out", busy.toString());
        assertEquals(2, occupied.code());
        assertTrue(occupied.err().contains("not an empty folder"), occupied.err());
        try (Stream<Path> entries = Files.list(busy)) {
            assertEquals(1, entries.count());
        }
    }

    @Test
    void inspectFailsTheFitWhenAConfigLacksWhatDiffusersReads() throws Exception {
        Path copy = copyOf(TinyGrid.tinyModel("fp32"), tmp.resolve("fp32"));
        Path vae = copy.resolve("vae_decoder/config.json");
        ObjectNode config = (ObjectNode) JSON.readTree(vae.toFile());
        config.remove("block_out_channels");
        JSON.writeValue(vae.toFile(), config);
        Path unet = copy.resolve("unet/config.json");
        ObjectNode unetConfig = (ObjectNode) JSON.readTree(unet.toFile());
        unetConfig.remove("time_cond_proj_dim");
        JSON.writeValue(unet.toFile(), unetConfig);

        Cli run = Cli.run("inspect", "model", copy.toString());
        assertEquals(2, run.code());
        JsonNode json = JSON.readTree(run.out());
        assertFalse(json.get("signature").get("fits").asBoolean());
        String problem = json.get("signature").get("problem").asText();
        assertTrue(problem.contains("block_out_channels") && problem.contains("time_cond_proj_dim"), problem);
        assertEquals(2, json.get("diffusers_configs").get("problems").size());
    }

    @Test
    void everyShippedAndTestFolderHasTheConfigsDiffusersReads() throws Exception {
        Path fixtures = Path.of(AssembleCommandTest.class.getResource("/diffusers/manifest.json").toURI()).getParent();
        for (Path dir : new Path[] {TinyGrid.repo().resolve("models/base"), TinyGrid.repo().resolve("models/dmd2"),
                TinyGrid.tinyModel("fp32"), TinyGrid.tinyModel("fp16"), TinyGrid.tinyModel("float-timestep"),
                TinyGrid.tinyModel("external-data"), fixtures.resolve("base-fp32"), fixtures.resolve("base-fp16"),
                fixtures.resolve("dmd2-fp32"), fixtures.resolve("dmd2lora-fp32")}) {
            Cli run = Cli.run("inspect", "model", dir.toString());
            assertEquals(0, run.code(), dir + ": " + run.err());
        }
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    private static boolean samePixels(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return false;
        }
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
