package io.seedgrid.jobs.tune;

import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.RunTables;
import io.seedgrid.jobs.testing.SeedgridProcess;
import io.seedgrid.jobs.testing.TestSpark;
import org.apache.avro.generic.GenericRecord;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code seedgrid tune}'s bookkeeping on the tiny test models: the budget holds, no cell is rendered twice, a
 * rerun renders nothing, a tune killed with {@code kill -9} resumes with every image it had and takes the same
 * path, and the tune folder is an ordinary run the other commands read.
 */
class TuneJobTest {

    static Path config(Path dir, String run) throws IOException {
        return TuneFixtures.config(dir, run, "[a red cube, a green sphere, a blue cone, a pink ring]");
    }

    @TempDir
    static Path shared;
    private static Path file;
    private static TuneConfig tune;
    private static Cli first;
    private static List<Row> firstTable;

    @BeforeAll
    static void tuneOnce() throws IOException {
        TestSpark.session();
        file = config(shared, "tiny-tune");
        tune = TuneConfigParser.parse(file);
        first = Cli.run("tune", file.toString());
        assertEquals(0, first.code(), first.out() + first.err());
        firstTable = table(tune.directory());
    }

    static List<Row> table(String dir) {
        return TestSpark.session().read().parquet(dir + "/tune/candidates.parquet").orderBy("candidate").collectAsList();
    }

    @Test
    void theBudgetHoldsAndEveryCellIsRenderedOnce() {
        Map<String, Integer> cells = RunTables.cellCounts(tune.directory());
        cells.forEach((cell, n) -> assertEquals(1, n, cell));
        Map<String, Integer> perRecipe = new TreeMap<>();
        cells.keySet().forEach(c -> perRecipe.merge(c.substring(c.lastIndexOf('/') + 1), 1, Integer::sum));
        long promoted = firstTable.stream().filter(r -> r.<Integer>getAs("rung") == 1 && !r.<Boolean>getAs("reference"))
                .count();
        assertEquals(2, promoted, "the budget pays for two candidates at rung 1: " + first.out());
        int total = cells.size();
        assertEquals(32 + 20 + 12 * promoted, total);
        assertTrue(total <= 76, "the budget");
        for (Row r : firstTable) {
            String name = r.getAs("candidate");
            int expected = r.<Boolean>getAs("reference") || r.<Integer>getAs("rung") == 1 ? 16 : 4;
            assertEquals(expected, perRecipe.get(name), name);
            assertEquals((long) expected, r.<Long>getAs("images"), name);
        }
        assertTrue(first.out().contains("images: " + total + " rendered for the tune, "), first.out());
    }

    @Test
    void theTableSaysWhatBecameOfEveryCandidate() {
        assertEquals(List.of("base", "blend-alpha0", "blend-alpha0.5", "blend-alpha1", "dmd2", "hybrid-base_steps1",
                "hybrid-base_steps2"), firstTable.stream().map(r -> r.<String>getAs("candidate")).toList());
        for (Row r : firstTable) {
            String status = r.getAs("status");
            assertTrue(List.of("front", "dominated", "stopped").contains(status), status);
            assertEquals(status.equals("front"), r.<Boolean>getAs("on_front"));
            assertEquals(status.equals("front"), r.getAs("reason") == null, r.toString());
            assertEquals(status.equals("stopped"), r.<Integer>getAs("rung") == 0, r.toString());
            double mean = r.getAs("diversity_mean");
            assertTrue(r.<Double>getAs("diversity_low") <= mean && mean <= r.<Double>getAs("diversity_high"));
            assertEquals("clip_tiny_distance_mean", r.getAs("diversity_metric"), "the first embedding distance");
            assertEquals("clip_score_mean", r.getAs("adherence_metric"));
        }
        assertEquals(8, firstTable.get(0).<Integer>getAs("unet_evaluations"), "base: 4 guided steps");
        assertEquals(4, firstTable.stream().filter(r -> r.getAs("candidate").equals("blend-alpha0.5")).findFirst()
                .orElseThrow().<Integer>getAs("unet_evaluations"));
        assertEquals(2 * 2 + 2, firstTable.stream().filter(r -> r.getAs("candidate").equals("hybrid-base_steps2"))
                .findFirst().orElseThrow().<Integer>getAs("unet_evaluations"));
        assertTrue(firstTable.stream().anyMatch(r -> r.<Boolean>getAs("on_front")));
        assertTrue(first.out().contains("recommended recipes:"), first.out());
        assertTrue(first.out().contains("      - {name: "), "a YAML line to paste: " + first.out());
    }

    @Test
    void aRerunRendersNothingAndFindsTheSame() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TuneJob.Summary again = TuneJob.run(tune, Preflight.check(TuneJob.gridConfig(tune, null, null)), TestSpark.session(),
                new PrintStream(log, true, StandardCharsets.UTF_8), GenerateJob.Options.defaults());
        String out = log.toString(StandardCharsets.UTF_8);
        assertFalse(out.matches("(?s).*[1-9]\\d* rendered now.*"), out);
        assertEquals(without(firstTable), without(table(tune.directory())));
        assertEquals(answer(first.out()), answer(again.report()), "the same answer");
    }

    /** The console's answer: from the front to the images line (the elapsed time after it differs). */
    private static String answer(String out) {
        int from = out.indexOf("front at rung");
        return out.substring(from, out.indexOf("tune: ", out.indexOf("images: ", from)));
    }

    /**
     * The table without what another tune of the same search may differ in: its name, attempt, code version and
     * the measured seconds per image.
     */
    static List<String> without(List<Row> rows) {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            StringBuilder line = new StringBuilder();
            for (String column : r.schema().fieldNames()) {
                if (!List.of("tune", "attempt", "code_version", "seconds_per_image").contains(column)) {
                    line.append(column).append('=').append((Object) r.getAs(column)).append(' ');
                }
            }
            out.add(line.toString());
        }
        return out;
    }

    @Test
    void aTuneKilledInItsSecondRungResumesWithEveryImageAndTakesTheSamePath(@TempDir Path dir) throws Exception {
        Path killed = config(dir, "killed");
        TuneConfig other = TuneConfigParser.parse(killed);
        // parts published: the references' 12 and rung 0's 10 (local[2]: four parts per task slot, never below a
        // batch), then rung 1's: stop after its first
        try (SeedgridProcess process = SeedgridProcess.start(dir.resolve("process"),
                List.of("seedgrid.test.pause-at=after-publish:23"), "tune", killed.toString())) {
            process.awaitStderr("seedgrid-test: paused at after-publish", Duration.ofMinutes(4));
            assertEquals(137, process.kill9());
        }
        Map<String, String> before = attempts(other.directory());
        // the references, rung 0 and at least one part of rung 1 (the other task slot may have published more of
        // it before the kill); the tune had not decided
        assertTrue(before.size() > 32 + 20 && before.size() <= 32 + 20 + 24, "cells before the kill: " + before.size());
        assertFalse(Files.exists(Path.of(other.directory(), "tune", "candidates.parquet")), "killed before its result");
        TuneJob.Summary resumed = TuneJob.run(other, Preflight.check(TuneJob.gridConfig(other, null, null)),
                TestSpark.session(), new PrintStream(new ByteArrayOutputStream()), GenerateJob.Options.defaults());
        Map<String, String> after = attempts(other.directory());
        before.forEach((cell, attempt) -> assertEquals(attempt, after.get(cell), "kept, not rendered again: " + cell));
        RunTables.cellCounts(other.directory()).forEach((cell, n) -> assertEquals(1, n, cell));
        assertEquals(RunTables.cellCounts(tune.directory()).keySet(), RunTables.cellCounts(other.directory()).keySet(),
                "the same cells as the tune that was not killed");
        assertEquals(without(firstTable), without(table(other.directory())), "the same decisions and measurements");
        assertEquals(firstTable.stream().filter(r -> r.<Boolean>getAs("on_front")).count(),
                resumed.result().entries().stream().filter(TuneResult.Entry::onFront).count());
    }

    /** cell_id → the generate attempt that published it. */
    private static Map<String, String> attempts(String runDir) {
        Map<String, String> out = new HashMap<>();
        for (GenericRecord r : RunTables.rows(runDir, "cell_id", "attempt")) {
            out.put(r.get("cell_id").toString(), r.get("attempt").toString());
        }
        return out;
    }

    @Test
    void theTuneFolderIsARunTheOtherCommandsRead() throws IOException {
        Cli report = Cli.run("report", file.toString());
        assertEquals(0, report.code(), report.out() + report.err());
        String html = Files.readString(Path.of(tune.directory(), "report.html"));
        assertTrue(html.contains("<section id=\"tune\">"));
        assertTrue(html.contains("<svg class=\"chart\" id=\"chart-cost-diversity\""));
        Cli dry = Cli.run("generate", file.toString(), "--dry-run");
        assertEquals(0, dry.code(), dry.out() + dry.err());
        assertTrue(dry.out().contains("112 cells"), "the exhaustive grid: 7 recipes x 4 prompts x 4 seeds; " + dry.out());
    }

    @Test
    void aTuneFolderMadeByAnotherSearchIsRefused() throws IOException {
        Path changed = shared.resolve("changed.yaml");
        Files.writeString(changed, Files.readString(file).replace("images: 76", "images: 80"));
        Cli cli = Cli.run("tune", changed.toString());
        assertEquals(2, cli.code());
        assertTrue(cli.err().contains("was made by a tune with other prompts, seeds, models, size, search space, metrics,"
                + " budget or fidelity"), cli.err());
    }
}
