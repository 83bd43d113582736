package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.output.RunPaths;
import io.seedgrid.jobs.testing.RunTables;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.udf.image.PngFile;
import org.apache.avro.generic.GenericRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateJobTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static GenerateJob.Summary generate(RunConfig config) {
        return generate(config, GenerateJob.Options.defaults());
    }

    private static GenerateJob.Summary generate(RunConfig config, GenerateJob.Options options) {
        return GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET, options);
    }

    private static Dataset<Row> images(RunConfig config) {
        return TestSpark.session().read().parquet(config.runDirectory() + "/images");
    }

    private static Map<String, byte[]> pngsByCell(RunConfig config) {
        Map<String, byte[]> pngs = new HashMap<>();
        for (Row row : images(config).select("cell_id", "image.bytes").collectAsList()) {
            pngs.put(row.getString(0), row.getAs(1));
        }
        return pngs;
    }

    /** Every (prompt, seed, recipe) of the 18-cell grid exactly once, counted by Spark and by the Parquet reader. */
    private static void assertEveryCellOnce(RunConfig config, int cells) {
        Map<String, Integer> counts = RunTables.cellCounts(config.runDirectory());
        assertEquals(cells, counts.size());
        counts.forEach((cell, n) -> assertEquals(1, n, cell));
        assertEquals(cells, images(config).count());
        assertEquals(cells, images(config).select("cell_id").distinct().count());
    }

    @Test
    void rendersEveryCellOnceIntoPartsByRecipeAndBucketAndARerunRendersNothing(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "grid", "chunk_size: 3\nprompt_buckets: 2");
        GenerateJob.Summary first = generate(config);
        assertEquals(18, first.rendered());
        assertEquals(18, first.ok());
        assertEveryCellOnce(config, 18);

        // one part file per recipe and prompt (3 seeds = chunk_size), in its recipe's and bucket's folder
        List<org.apache.hadoop.fs.Path> files = RunTables.imageFiles(config.runDirectory());
        assertEquals(6, files.size());
        for (org.apache.hadoop.fs.Path file : files) {
            assertTrue(file.getName().matches("part-[0-9a-f]{12}-\\d{5}\\.parquet"), file.getName());
            try (var reader = io.seedgrid.jobs.output.ParquetFiles.reader(file,
                    io.seedgrid.jobs.output.ImageTable.projection("prompt_id", "recipe"), new org.apache.hadoop.conf.Configuration(),
                    null)) {
                for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                    assertEquals(RunPaths.RECIPE_KEY + "=" + row.get("recipe"), file.getParent().getParent().getName());
                    assertEquals(RunPaths.BUCKET_KEY + "=" + RunPaths.bucket(row.get("prompt_id").toString(), 2),
                            file.getParent().getName());
                }
            }
        }
        for (Row row : images(config).select("image.bytes", "prompt", "seed", "status", "device", "recipe_json")
                .collectAsList()) {
            byte[] png = row.getAs(0);
            assertEquals(64, PngFile.decode(png).width());
            String parameters = PngFile.text(png).get("parameters");
            assertTrue(parameters.startsWith(row.getString(1)), parameters);
            assertTrue(parameters.contains("Seed: " + row.getDecimal(2).toPlainString()), parameters);
            assertEquals("ok", row.getString(3));
            assertEquals("cpu", row.getString(4));
        }
        assertEquals(6, images(config).filter("seed = 18446744073709551615").count());
        JsonNode manifest = new ObjectMapper().readTree(Path.of(config.runDirectory(), "manifest.json").toFile());
        assertEquals(2, manifest.path("layout").path("prompt_buckets").asInt());
        assertEquals("done", manifest.path("generate").path("attempts").get(0).path("status").asText());
        assertFalse(Files.exists(Path.of(config.runDirectory(), "_tmp")), "the attempt's temporary folder is gone");

        GenerateJob.Summary again = generate(config);
        assertEquals(0, again.rendered());
        assertEquals(18, again.alreadyDone());
        assertEveryCellOnce(config, 18);
        assertEquals(files, RunTables.imageFiles(config.runDirectory()));
    }

    @Test
    void aCellGivesTheSameBytesWhateverItsBatchAndPart(@TempDir Path dir) {
        RunConfig batch8 = TinyRun.config(dir, "batch8", "batch_size: 8\nspark:\n  partitions: 1");
        RunConfig batch1 = TinyRun.config(dir, "batch1", "batch_size: 1\nchunk_size: 1\nprompt_buckets: 4\nspark:\n  partitions: 3");
        generate(batch8);
        generate(batch1);
        Map<String, byte[]> a = pngsByCell(batch8);
        Map<String, byte[]> b = pngsByCell(batch1);
        assertEquals(18, a.size());
        assertEquals(a.keySet(), b.keySet());
        a.forEach((cell, png) -> assertArrayEquals(png, b.get(cell), cell));
        assertEquals(18, RunTables.imageFiles(batch1.runDirectory()).size(), "one cell per part: one file each");
    }

    @Test
    void aRunStoppedAfterSomeWavesFinishesOnRerunWithEveryCellOnce(@TempDir Path dir) throws Exception {
        // parts of 2 cells (a batch: the grid is cut finer for 2 task slots), waves of 2 parts: the driver dies after the
        // first wave (or while the next runs)
        RunConfig config = TinyRun.config(dir, "crash", "chunk_size: 3\nbatch_size: 2\nspark:\n  partitions: 2");
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> generate(config,
                GenerateJob.Options.defaults().withListener((parts, cells) -> {
                    throw new IllegalStateException("simulated crash after " + parts + " parts");
                })));
        assertTrue(crash.getMessage().contains("simulated"));
        long committed = RunTables.rows(config.runDirectory(), "cell_id").size();
        assertTrue(committed >= 4 && committed < 18, "committed " + committed);

        GenerateJob.Summary rerun = generate(config);
        assertEquals(18 - committed, rerun.rendered());
        assertEveryCellOnce(config, 18);
        JsonNode attempts = new ObjectMapper().readTree(Path.of(config.runDirectory(), "manifest.json").toFile())
                .path("generate").path("attempts");
        assertEquals("failed", attempts.get(0).path("status").asText());
        assertEquals("done", attempts.get(1).path("status").asText());
    }

    @Test
    void aGridThatGrowsRendersOnlyItsNewCells(@TempDir Path dir) throws Exception {
        RunConfig small = TinyRun.config(dir, "grow", "");
        Path yaml = dir.resolve("grow.yaml");
        Files.writeString(yaml, Files.readString(yaml).replace("seeds: [0, 1, 18446744073709551615]", "seeds: [0, 1]"));
        generate(io.seedgrid.jobs.config.RunConfigParser.parse(yaml));
        assertEquals(12, RunTables.rows(small.runDirectory(), "cell_id").size());

        GenerateJob.Summary grown = generate(TinyRun.config(dir, "grow", ""));
        assertEquals(6, grown.rendered(), "only the third seed's cells");
        assertEquals(12, grown.alreadyDone());
        assertEveryCellOnce(small, 18);
    }

    @Test
    void aSecondRunIntoALockedFolderIsRefused(@TempDir Path dir) {
        RunConfig config = TinyRun.config(dir, "locked", "");
        SparkSession spark = TestSpark.session();
        try (RunLock lock = RunLock.acquire(config.runDirectory(), spark.sparkContext().hadoopConfiguration())) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> generate(config));
            assertTrue(refused.getMessage().contains("another seedgrid run"), refused.getMessage());
        }
    }

    @Test
    void aRerunWithOtherRecipesIntoTheSameFolderIsRefused(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "same", "chunk_size: 100");
        generate(config);
        Path yaml = dir.resolve("same.yaml");
        Files.writeString(yaml, Files.readString(yaml).replace("steps: 4", "steps: 5"));
        RunConfig changed = io.seedgrid.jobs.config.RunConfigParser.parse(yaml);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> generate(changed));
        assertTrue(refused.getMessage().contains("use another run name"), refused.getMessage());
    }

    @Test
    void badInputBecomesFinalErrorRowsTooManyStopTheRunAndRetryErrorsRendersThemAgain(@TempDir Path dir) throws Exception {
        // the sphere prompt fails as bad input in every recipe: 9 of 18 cells
        RunConfig config = TinyRun.config(dir, "errors", "max_failed_share: 0.6");
        GenerateJob.Summary first = generate(config, GenerateJob.Options.defaults()
                .withRenderer(new TestRenderers.BadPrompt("sphere")));
        assertEquals(9, first.errors());
        assertEquals(9, first.ok());
        for (GenericRecord row : RunTables.rows(config.runDirectory(), "prompt_id", "status", "message", "image")) {
            boolean sphere = row.get("prompt_id").toString().equals("sphere");
            assertEquals(sphere ? "error" : "ok", row.get("status").toString());
            if (sphere) {
                assertTrue(row.get("message").toString().contains("cannot take prompt sphere"), row.toString());
                assertEquals(null, row.get("image"));
            }
        }
        GenerateJob.Summary rerun = generate(config);
        assertEquals(0, rerun.rendered(), "error rows are final: a plain rerun renders nothing");

        GenerateJob.Summary retried = generate(config, GenerateJob.Options.defaults().withRetryErrors(true));
        assertEquals(9, retried.retried());
        assertEveryCellOnce(config, 18);
        assertEquals(18, images(config).filter("status = 'ok'").count());

        RunConfig strict = TinyRun.config(dir, "strict", "max_failed_share: 0.2");
        IllegalStateException stop = assertThrows(IllegalStateException.class, () -> generate(strict,
                GenerateJob.Options.defaults().withRenderer(new TestRenderers.BadPrompt("sphere"))));
        assertTrue(stop.getMessage().contains("max_failed_share"), stop.getMessage());
    }

    @Test
    void outOfMemoryRetriesAtHalfTheBatchDownToOneSeed(@TempDir Path dir) {
        RunConfig config = TinyRun.config(dir, "oom", "batch_size: 3\nmax_failed_share: 0.5");
        GenerateJob.Summary summary = generate(config, GenerateJob.Options.defaults()
                .withRenderer(new TestRenderers.OutOfMemory(1, 1L)));
        assertEquals(12, summary.ok(), "units of 3 and 2 seeds are split until one seed fits");
        assertEquals(6, summary.errors(), "seed 1 runs out of memory even alone");
        for (GenericRecord row : RunTables.rows(config.runDirectory(), "seed", "status", "message")) {
            boolean hopeless = row.get("seed").toString().equals("1");
            assertEquals(hopeless ? "error" : "ok", row.get("status").toString());
            if (hopeless) {
                assertTrue(row.get("message").toString().startsWith("out of memory at batch size 1"), row.toString());
            }
        }
        assertEveryCellOnce(config, 18);
    }

    @Test
    void anInfrastructureFailureFailsTheTaskAndPublishesNothing(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "lost", "");
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> generate(config,
                GenerateJob.Options.defaults().withRenderer(new TestRenderers.LostDevice())));
        assertTrue(failed.getMessage().contains("device lost"), failed.getMessage());
        assertEquals(0, RunTables.imageFiles(config.runDirectory()).size(), "no error rows: Spark retries such tasks");
        JsonNode attempt = new ObjectMapper().readTree(Path.of(config.runDirectory(), "manifest.json").toFile())
                .path("generate").path("attempts").get(0);
        assertEquals("failed", attempt.path("status").asText());
        assertTrue(attempt.path("message").asText().contains("device lost"), attempt.toString());

        // CUDA asked for on a machine without it is the same kind of failure, named in the message
        RunConfig cuda = TinyRun.config(dir, "nocuda", "").withModelDevice("base", "cuda");
        IllegalStateException noCuda = assertThrows(IllegalStateException.class, () -> generate(cuda));
        assertTrue(noCuda.getMessage().contains("CUDA"), noCuda.getMessage());
    }

    @Test
    void aDryRunCountsTheWorkLeftAndWritesNothing(@TempDir Path dir) {
        RunConfig config = TinyRun.config(dir, "dry", "chunk_size: 3\nspark:\n  partitions: 2");
        var models = Preflight.check(config);
        var hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
        String before = DryRun.report(config, models, hadoop, 2, () -> {
            throw new AssertionError("no Spark needed before anything is rendered");
        });
        assertTrue(before.contains("18 cells = 2 prompts x 3 seeds x 3 recipes"), before);
        assertTrue(before.contains("whole grid:  6 parts"), before);
        assertTrue(before.contains("to do:       18 cells in 6 parts"), before);
        assertFalse(Files.exists(Path.of(config.runDirectory())), "a dry run writes nothing");

        assertThrows(IllegalStateException.class, () -> generate(config, GenerateJob.Options.defaults()
                .withListener((parts, cells) -> {
                    throw new IllegalStateException("stop after the first wave");
                }).withRenderer(new TestRenderers.AllNan())));
        long left = 18 - RunTables.rows(config.runDirectory(), "cell_id").size();
        String after = DryRun.report(config, models, hadoop, 2, TestSpark::session);
        assertTrue(after.contains("to do:       " + left + " cells in " + left / 3 + " parts"), after);
    }
}
