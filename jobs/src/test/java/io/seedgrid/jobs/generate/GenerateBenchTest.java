package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code seedgrid bench generate}: alternating loop and Spark runs, each Spark run against its neighbours. */
class GenerateBenchTest {

    @Test
    void everyRoundRendersTheWholeGridAndIsComparedWithTheLoopsAroundIt(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "bench", "chunk_size: 6");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        GenerateBench.Result result = GenerateBench.run(config, TestSpark.session(), 2, 2, dir.resolve("scratch"),
                new PrintStream(console, true, StandardCharsets.UTF_8));

        assertEquals(18, result.cells());
        assertEquals(3, result.loops().size());
        assertEquals(2, result.sparks().size());
        for (int r = 1; r <= 2; r++) {
            long rows = TestSpark.session().read().parquet(dir.resolve("scratch/spark-" + r + "/bench/images").toString())
                    .count();
            assertEquals(18, rows, "round " + r + " renders every cell into its own folder");
        }
        for (int i = 0; i < 2; i++) {
            double expected = result.sparks().get(i) / ((result.loops().get(i) + result.loops().get(i + 1)) / 2);
            assertEquals(expected, result.ratio(i), 1e-12);
            assertTrue(result.report().contains(String.format(Locale.ROOT, "ratio %.3f", expected)), result.report());
        }
        assertEquals((result.ratio(0) + result.ratio(1)) / 2, result.medianRatio(), 1e-12);
        assertTrue(result.report().endsWith(String.format(Locale.ROOT, "median = %.3f", result.medianRatio())),
                result.report());
    }

    @Test
    void noRoundsIsBadInput(@TempDir Path dir) {
        RunConfig config = TinyRun.config(dir, "none", "");
        Cli cli = Cli.run("bench", "generate", "--rounds", "0", config.source());
        assertEquals(2, cli.code(), cli.err());
        assertTrue(cli.err().contains("--rounds"), cli.err());
    }
}
