package io.seedgrid.jobs.report;

import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.RunLock;
import io.seedgrid.jobs.measure.MeasureOutputs;
import io.seedgrid.jobs.testing.TestSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code seedgrid run}: generate, measure and report in one call, through {@code Main.run}. */
class RunCommandTest {

    private static final String ONE_PROMPT = "  - prompt: a red cube on a blue floor\n    id: cube\n";

    @Test
    void oneCallGeneratesMeasuresAndReportsAStoppedRunContinuesAndARerunDoesNothingAgain(@TempDir Path dir) throws IOException {
        TestSpark.session();
        RunConfig config = ReportFixtures.config(dir, "whole", ONE_PROMPT + "  - a green sphere\n", "");
        Path run = Path.of(config.runDirectory());

        // another run holds the folder: the generate stage stops the run with exit 1 and its message
        Cli stopped;
        try (RunLock held = RunLock.acquire(config.runDirectory(), new Configuration())) {
            stopped = Cli.run("run", config.source());
        }
        assertEquals(1, stopped.code(), stopped.err());
        assertTrue(stopped.err().contains("seedgrid: failed: the generate stage stopped the run: another seedgrid run is"
                + " writing"), stopped.err());
        assertTrue(stopped.err().contains("rerun `seedgrid run` to continue"), stopped.err());
        assertFalse(Files.exists(run.resolve("images")));

        Cli first = Cli.run("run", config.source());
        assertEquals(0, first.code(), first.err());
        String out = first.out();
        int generate = out.indexOf("generate: 12 cells in the grid, 0 already done, 12 rendered now (ok 12, nan 0, error 0)");
        int measure = out.indexOf("measure: 4 groups, 0 already measured, 4 measured now (12 images");
        int report = out.indexOf("report: " + run.resolve(ReportJob.FILE) + ", ");
        assertTrue(generate >= 0 && measure > generate && report > measure, out);
        assertTrue(out.contains("(2 of 2 prompts, 12 thumbnails, measured, 0 failed cells)"), out);
        // the recipe table on the console: a row per metric, a column per recipe, the means of recipes/
        int table = out.indexOf("recipes: mean over prompts");
        assertTrue(table > measure && table < report, out);
        List<String> lines = out.substring(table).lines().toList();
        List<String> header = List.of(lines.get(1).trim().split("\\s+"));
        assertEquals("metric", header.get(0), out);
        assertEquals(config.recipes().size() + 1, header.size(), out);
        for (Row r : TestSpark.session().read().parquet(config.runDirectory() + "/recipes").collectAsList()) {
            String metric = r.getAs("metric");
            String row = lines.stream().filter(l -> l.trim().startsWith(metric + " ")).findFirst().orElseThrow(
                    () -> new AssertionError("no row for " + metric + " in\n" + out));
            List<String> cells = List.of(row.trim().split("\\s{2,}"));
            String cell = cells.get(header.indexOf(r.<String>getAs("recipe")));
            assertEquals(ReportNumbers.format(r.<Double>getAs("mean")), cell.split(" ")[0], row);
        }
        assertEquals(4, MeasureOutputs.currentGroups(TestSpark.session(), config.runDirectory()).count());
        assertTrue(Files.exists(run.resolve("recipes/recipes.parquet")));
        String html = Files.readString(run.resolve(ReportJob.FILE));
        assertTrue(html.contains("<table class=\"recipes\">"));
        assertFalse(html.contains("Not measured yet"));

        Cli again = Cli.run("run", config.source());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("12 already done, 0 rendered now"), again.out());
        assertTrue(again.out().contains("4 already measured, 0 measured now"), again.out());
        assertTrue(again.out().contains("report: " + run.resolve(ReportJob.FILE)), again.out());
    }

    @Test
    void badInputExitsWithTwoBeforeAnySparkWork(@TempDir Path dir) throws IOException {
        // a config key that does not exist
        Path unknownKey = dir.resolve("unknown.yaml");
        Files.writeString(unknownKey, Files.readString(Path.of(ReportFixtures.config(dir, "unknown", ONE_PROMPT, "")
                .source())) + "colour: blue\n");
        Cli cli = Cli.run("run", unknownKey.toString());
        assertEquals(2, cli.code(), cli.err());
        assertTrue(cli.err().contains("colour"), cli.err());

        // a generation model that is not an SDXL model directory (Preflight.check)
        Path notAModel = Files.createDirectories(dir.resolve("not-a-model"));
        RunConfig badModel = ReportFixtures.config(dir, "bad-model", ONE_PROMPT, "");
        Path badModelYaml = dir.resolve("bad-model.yaml");
        Files.writeString(badModelYaml, Files.readString(badModelYaml).replaceFirst(
                "path: \\S*tiny-sdxl/fp32\n", "path: " + notAModel + "\n"));
        cli = Cli.run("run", badModelYaml.toString());
        assertEquals(2, cli.code(), cli.err());
        assertTrue(cli.err().contains("model 'base'"), cli.err());
        assertFalse(Files.exists(Path.of(badModel.runDirectory())));

        // an LPIPS model whose declared weights do not match its network (MeasureJob.checkModels): refused before
        // anything is generated
        Path models = TinyGrid.copyMetricModels(dir.resolve("models"));
        ObjectMapper json = new ObjectMapper();
        Path declaration = models.resolve("lpips-tiny/seedgrid-metric.json");
        ObjectNode lpips = (ObjectNode) json.readTree(declaration.toFile());
        ((ArrayNode) lpips.get("weights").get(0)).remove(0);
        Files.writeString(declaration, lpips.toString());
        RunConfig badMetric = ReportFixtures.config(dir, "bad-metric", ONE_PROMPT, "  lpips: " + models.resolve("lpips-tiny") + "\n");
        cli = Cli.run("run", badMetric.source());
        assertEquals(2, cli.code(), cli.err());
        assertTrue(cli.err().contains("channels"), cli.err());
        assertFalse(Files.exists(Path.of(badMetric.runDirectory())), "nothing generated");
    }
}
