package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import io.seedgrid.udf.image.PngFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inputs that look odd but are valid run with exit 0: limits must not refuse them, and the one prompt rule
 * keeps newlines and tabs.
 */
class OddInputsTest {

    /** A 10,000-character prompt (over CLIP's 77 tokens: truncated, or chunked), batch_size larger than the seeds. */
    @Test
    void aLongPromptAndABatchLargerThanTheSeedsRender(@TempDir Path dir) throws Exception {
        TestSpark.session();
        String longPrompt = ("a red cube on a blue floor, " + "very detailed, ".repeat(1000)).substring(0, 10_000);
        Files.writeString(dir.resolve("prompts.jsonl"), "{\"prompt\": \"" + longPrompt + "\", \"id\": \"long\"}\n"
                + "{\"prompt\": \"two lines\\nand a\\ttab\", \"id\": \"lines\"}\n");
        String yaml = """
                run: odd
                output: %s
                models: {base: {path: %s, device: cpu}}
                prompts: {file: prompts.jsonl}
                seeds: [7, 8]
                width: 64
                height: 48
                batch_size: 64
                long_prompt: %s
                recipes:
                  - {name: base, kind: base, model: base, steps: 2, cfg: 5}
                """;
        for (String mode : new String[] {"truncate", "chunk"}) {
            Path config = Files.writeString(dir.resolve(mode + ".yaml"),
                    yaml.formatted(dir.resolve("out-" + mode), TinyGrid.tinyModel("fp32"), mode));
            Cli run = Cli.run("generate", config.toString());
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("4 rendered now (ok 4, nan 0, error 0)"), run.out());
        }

        Path png = dir.resolve("long.png");
        Cli render = Cli.run("render", "--model", TinyGrid.tinyModel("fp32").toString(), "--prompt", longPrompt, "--seed", "1",
                "--steps", "2", "--width", "64", "--height", "48", "--long-prompt", "chunk", "--out", png.toString());
        assertEquals(0, render.code(), render.err());
        assertEquals(64, PngFile.decode(Files.readAllBytes(png)).width());
    }
}
