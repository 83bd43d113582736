package io.seedgrid.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;
import io.seedgrid.udf.image.PngFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seedgrid bench throughput}, tools/gpu-check's seedgrid side, on the CPU with the tiny model. */
class BenchThroughputCommandTest {

    @Test
    void rendersEverySeedAsRenderDoesAndReportsImagesPerSecond(@TempDir Path dir) throws Exception {
        String model = TinyGrid.tinyModel("fp32").toString();
        Cli run = Cli.run("bench", "throughput", "--model", model, "--device", "cpu", "--size", "64", "--steps", "4",
                "--prompt", "a red cube", "--images", "3", "--batch", "2", "--out-dir", dir.resolve("out").toString());
        assertEquals(0, run.code(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals("seedgrid", json.get("renderer").asText());
        assertEquals(3, json.get("images").asInt());
        assertEquals(2, json.get("batch").asInt());
        assertTrue(json.get("images_per_second").asDouble() > 0);
        assertEquals("cpu", json.get("device").asText());

        Path single = dir.resolve("seed2.png");
        assertEquals(0, Cli.run("render", "--model", model, "--prompt", "a red cube", "--seed", "2", "--steps", "4",
                "--width", "64", "--height", "64", "--out", single.toString()).code());
        assertArrayEquals(PngFile.decode(Files.readAllBytes(single)).rgb(),
                PngFile.decode(Files.readAllBytes(dir.resolve("out/2.png"))).rgb(), "seed 2 of the second batch is render's");
        assertTrue(Files.isRegularFile(dir.resolve("out/0.png")) && Files.isRegularFile(dir.resolve("out/1.png")));
    }
}
