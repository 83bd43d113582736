package io.seedgrid.jobs.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configs in conf/ are read by the same strict parser users run them with. */
class ShippedConfigsTest {

    private static Path conf(String name) {
        String repo = System.getProperty("seedgrid.repo");
        return (repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize()).resolve("conf").resolve(name);
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
