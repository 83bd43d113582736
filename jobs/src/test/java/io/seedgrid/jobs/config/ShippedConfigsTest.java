package io.seedgrid.jobs.config;

import org.junit.jupiter.api.Test;

import io.seedgrid.udf.metrics.MetricModelSpec;
import io.seedgrid.udf.pipeline.ModelDirectory;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configs in conf/ are read by the same strict parser users run them with. */
class ShippedConfigsTest {

    private static Path conf(String name) {
        String repo = System.getProperty("seedgrid.repo");
        return (repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize()).resolve("conf").resolve(name);
    }

    @Test
    void theDemoConfigIsTheIssuesGridOnTheShippedModels() {
        RunConfig demo = RunConfigParser.parse(conf("demo.yaml"));
        assertEquals(8 * 8 * 4, demo.gridSize());
        assertEquals(List.of("base", "dmd2", "hybrid", "blend-0.5"), demo.recipes().stream().map(r -> r.name()).toList());
        assertEquals("base", demo.measure().referenceRecipe());
        for (ModelConfig model : demo.models().values()) {
            ModelDirectory.open(Path.of(model.path()));   // every file of the model, and dmd2's base, exist
        }
        assertEquals("clip", MetricModelSpec.read(Path.of(demo.measure().clip())).type());
    }

    @Test
    void theBenchmarkConfigIsTheDemoWithMoreSeedsAndLargerChunks() {
        RunConfig demo = RunConfigParser.parse(conf("demo.yaml"));
        RunConfig bench = RunConfigParser.parse(conf("bench-generate.yaml"));
        assertEquals(demo.recipes(), bench.recipes());
        assertEquals(demo.prompts(), bench.prompts());
        assertEquals(1024, bench.gridSize());
        assertEquals(256, bench.chunkSize());
    }

    /** The tune demo: its space on the shipped models, and a budget of at most a third of the exhaustive grid. */
    @Test
    void theTuneDemoSearchesAlphaBaseStepsAndCadsOnTheShippedModels() {
        io.seedgrid.jobs.tune.TuneConfig tune = io.seedgrid.jobs.tune.TuneConfigParser.parse(conf("tune-demo.yaml"));
        assertEquals(List.of("base", "dmd2"), tune.references().stream().map(c -> c.name()).toList());
        assertEquals(List.of("blend", "hybrid", "cads"), tune.space().stream().map(c -> c.family()).distinct().toList());
        assertEquals(11 + 6 + 5, tune.space().size());
        long grid = (long) tune.candidates().size() * tune.run().prompts().size() * tune.run().seeds().size();
        assertEquals(6144, grid);
        assertTrue(3 * tune.images() <= grid, "the budget is at most a third of the grid");
        for (ModelConfig model : tune.run().models().values()) {
            ModelDirectory.open(Path.of(model.path()));
        }
        assertEquals("clip", MetricModelSpec.read(Path.of(tune.run().measure().clip())).type());
    }

    @Test
    void theSweepConfigIsValid() {
        RunConfig sweep = RunConfigParser.parse(conf("sdxl-dmd2-sweep.yaml"));
        assertEquals(8, sweep.recipes().size());
        assertEquals(5 * 16 * 8, sweep.gridSize());
        assertEquals("sdxl-50", sweep.measure().referenceRecipe());
        assertTrue(sweep.models().get("dmd2").path().endsWith("models/dmd2"));
    }
}
