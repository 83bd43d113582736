package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.DuckDb;
import io.seedgrid.jobs.testing.RunTables;
import io.seedgrid.jobs.testing.SeedgridProcess;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code seedgrid generate} in a JVM of its own, killed at each moment that matters — {@code kill -9} before
 * anything is published, mid-run, between a part's temporary file and its publication, after a publication the
 * driver has not heard of, while the driver saves the manifest; SIGTERM and SIGINT while rendering — and then
 * run again: every (prompt, seed, recipe) is in images/ exactly once, counted by rows (not distinct ids) with
 * the Parquet reader, with Spark and, where its Python package is installed, with DuckDB.
 */
class KillMatrixTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** 3 prompts x 4 seeds x 3 recipes = 36 cells in 9 parts of 4 cells (one prompt's seeds), 2 tasks a wave. */
    private static RunConfig tinyGrid(Path dir, String run) {
        return TinyGrid.config(dir, run, dir.resolve("out").toString(), """
                  - {prompt: a red cube, id: cube}
                  - {prompt: a green sphere, id: sphere}
                  - {prompt: a blue cone, id: cone}
                """, TinyGrid.BASE_AND_DMD2 + "  - {name: hybrid, kind: hybrid, base: base, student: dmd2}\n",
                "chunk_size: 4\nbatch_size: 2\nspark:\n  partitions: 2\n  master: local[2]", "{start: 0, count: 4}",
                TinyGrid.tinyModel("fp32"), TinyGrid.tinyModel("dmd2-unet-only"));
    }

    @ParameterizedTest(name = "kill -9 at {0}")
    @ValueSource(strings = {"rendering", "rendering:5", "before-publish:2", "after-publish:3", "manifest:2"})
    void aGenerateKilledAnywhereIsCompletedByARerunWithEveryCellOnce(String point, @TempDir Path dir) throws Exception {
        RunConfig config = tinyGrid(dir, "kill9");
        try (SeedgridProcess process = SeedgridProcess.start(dir.resolve("process"),
                List.of("seedgrid.test.pause-at=" + point), "generate", config.source())) {
            process.awaitStderr("seedgrid-test: paused at " + point.replaceFirst(":\\d+$", ""), Duration.ofMinutes(3));
            assertEquals(137, process.kill9());
        }
        Map<String, Integer> before = RunTables.cellCounts(config.runDirectory());
        before.forEach((cell, n) -> assertEquals(1, n, "published before the kill, once: " + cell));
        assertEquals(before.size() % 4, 0, "whole parts only");
        JsonNode killed = attempts(config).get(0);
        assertEquals("running", killed.path("status").asText(), "a killed attempt says nothing more");

        GenerateJob.Summary rerun = GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET,
                GenerateJob.Options.defaults());
        assertEquals(36 - before.size(), rerun.rendered());
        assertEveryCellOnce(config, 36);
        JsonNode attempts = attempts(config);
        assertEquals("failed", attempts.get(0).path("status").asText(), "marked failed by the next attempt");
        assertEquals("done", attempts.get(1).path("status").asText());
        assertFalse(Files.exists(Path.of(config.runDirectory(), "_tmp")));
    }

    @ParameterizedTest(name = "SIG{0} while rendering exits {1}")
    @CsvSource({"TERM, 143", "INT, 130"})
    void aSignalWhileRenderingStopsCleanlyAndARerunFinishes(String signal, int exitCode, @TempDir Path dir) throws Exception {
        assumeFalse(SeedgridProcess.startsIgnoring(signal), "this test JVM was started with SIG" + signal + " ignored (a"
                + " background job of a shell without job control), so seedgrid's process would ignore it too");
        // the embedded toy models (20-step CFG teacher): each task is inside ONNX Runtime most of the time
        RunConfig config = TinyGrid.config(dir, "signal", dir.resolve("out").toString(), """
                  - a red circle
                  - a blue square
                  - a small green triangle
                  - a pink ring
                """, """
                  - {name: base, kind: base, model: base, steps: 20, cfg: 5}
                """, "chunk_size: 8\nspark:\n  master: local[2]", "{start: 0, count: 16}",
                TinyGrid.repo().resolve("models/base"), TinyGrid.repo().resolve("models/dmd2"));
        SeedgridProcess process = SeedgridProcess.start(dir.resolve("process"),
                List.of("seedgrid.test.pause-at=rendering:2", "seedgrid.test.pause-ms=0"), "generate", config.source());
        try (process) {
            process.awaitStderr("seedgrid-test: paused at rendering", Duration.ofMinutes(3));
            process.signal(signal);
            assertEquals(exitCode, process.waitFor(Duration.ofMinutes(2)), process.stderr());
        }
        List<String> lines = process.stderr().lines().filter(l -> l.startsWith("seedgrid:")).toList();
        assertEquals(1, lines.size(), process.stderr());
        assertTrue(lines.get(0).matches("seedgrid: interrupted: \\d+ cells committed; a rerun resumes"), lines.get(0));
        assertEquals(List.of(), process.crashFiles(), "no JVM crash file");
        assertFalse(process.stderr().contains("SIGSEGV"), process.stderr());
        assertEquals("interrupted", attempts(config).get(0).path("status").asText());
        RunTables.cellCounts(config.runDirectory()).forEach((cell, n) -> assertEquals(1, n, cell));

        GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET, GenerateJob.Options.defaults());
        assertEveryCellOnce(config, 64);
        assertEquals("done", attempts(config).get(1).path("status").asText());
    }

    @Test
    void duckDbSeesEachCellOnceToo(@TempDir Path dir) throws Exception {
        String why = DuckDb.unavailable();
        if (why != null) {
            System.out.println("KillMatrixTest: DuckDB check skipped: " + why);
            return;
        }
        RunConfig config = tinyGrid(dir, "duck");
        try (SeedgridProcess process = SeedgridProcess.start(dir.resolve("process"),
                List.of("seedgrid.test.pause-at=after-publish:2"), "generate", config.source())) {
            process.awaitStderr("seedgrid-test: paused at after-publish", Duration.ofMinutes(3));
            process.kill9();
        }
        GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET, GenerateJob.Options.defaults());
        long[] counts = DuckDb.cellCounts(config.runDirectory());
        assertEquals(36, counts[0], "rows");
        assertEquals(36, counts[1], "cells");
        assertEquals(1, counts[2], "no cell twice");
    }

    static JsonNode attempts(RunConfig config) throws java.io.IOException {
        return JSON.readTree(Path.of(config.runDirectory(), "manifest.json").toFile()).path("generate").path("attempts");
    }

    /** Each cell once by rows, with the Parquet reader and with Spark. */
    static void assertEveryCellOnce(RunConfig config, int cells) {
        Map<String, Integer> counts = RunTables.cellCounts(config.runDirectory());
        assertEquals(cells, counts.size());
        counts.forEach((cell, n) -> assertEquals(1, n, cell));
        assertEquals(cells, TestSpark.session().read().parquet(config.runDirectory() + "/images").count());
    }
}
