package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.testing.SeedgridProcess;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code seedgrid measure} in a JVM of its own, killed with {@code kill -9} while a bucket's new files are
 * written but none is replaced, after a bucket's files are replaced but before the driver heard of it, and
 * while the driver saves the manifest; a rerun then leaves every table with each group's rows once and
 * consistent: one {@code groups/} row per group, n(n-1)/2 current pairs and n embeddings per encoder.
 */
class MeasureKillTest {

    @ParameterizedTest(name = "kill -9 at {0}")
    @ValueSource(strings = {"measuring", "measured", "manifest"})
    void aMeasureKilledAnywhereIsCompletedByARerun(String point, @TempDir Path dir) throws Exception {
        Path models = TinyGrid.copyMetricModels(dir.resolve("models"));
        RunConfig config = MeasureFixtures.config(dir, "killed", """
                  lpips: %s
                  encoders: [%s]
                """.formatted(models.resolve("lpips-tiny"), models.resolve("embed-tiny")),
                "prompt_buckets: 2\nspark:\n  partitions: 1\n  master: local[2]");
        MeasureFixtures.generate(config);
        try (SeedgridProcess process = SeedgridProcess.start(dir.resolve("process"),
                List.of("seedgrid.test.pause-at=" + point), "measure", config.source())) {
            process.awaitStderr("seedgrid-test: paused at " + point, Duration.ofMinutes(3));
            assertEquals(137, process.kill9());
        }
        MeasureJob.run(config, TestSpark.session(), MeasureFixtures.QUIET, GenerateJob.WaveListener.NONE);

        String run = config.runDirectory();
        Map<String, Integer> groups = new HashMap<>();
        for (Row g : MeasureOutputs.allGroups(TestSpark.session(), run).select("prompt_id", "recipe", "n").collectAsList()) {
            assertEquals(3, g.getInt(2));
            groups.merge(g.getString(0) + "/" + g.getString(1), 1, Integer::sum);
        }
        assertEquals(4, groups.size());
        groups.forEach((group, rows) -> assertEquals(1, rows, group));
        assertEquals(4 * 3, MeasureOutputs.currentPairs(TestSpark.session(), run).count());
        assertEquals(4 * 3, MeasureOutputs.currentEmbeddings(TestSpark.session(), run).count());
        assertEquals(4 * 3, TestSpark.session().read().parquet(run + "/pairs").count(), "no stale pairs left");
    }
}
