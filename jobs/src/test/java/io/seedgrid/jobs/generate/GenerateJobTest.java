package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.udf.image.PngFile;
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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateJobTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static GenerateJob.Summary generate(RunConfig config) {
        return generate(config, GenerateJob.ChunkListener.NONE);
    }

    private static GenerateJob.Summary generate(RunConfig config, GenerateJob.ChunkListener listener) {
        return GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET, listener);
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

    @Test
    void rendersEveryCellOnceAndARerunRendersNothing(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "grid", "chunk_size: 6");
        GenerateJob.Summary first = generate(config);
        assertEquals(18, first.rendered());
        assertEquals(18, first.ok());

        Dataset<Row> rows = images(config);
        assertEquals(18, rows.count());
        assertEquals(18, rows.select("cell_id").distinct().count());
        assertEquals(3, rows.select("recipe").distinct().count());
        for (Row row : rows.select("image.bytes", "prompt", "seed", "status", "device", "recipe_json").collectAsList()) {
            byte[] png = row.getAs(0);
            assertEquals(64, PngFile.decode(png).width());
            String parameters = PngFile.text(png).get("parameters");
            assertTrue(parameters.startsWith(row.getString(1)), parameters);
            assertTrue(parameters.contains("Seed: " + row.getDecimal(2).toPlainString()), parameters);
            assertEquals("ok", row.getString(3));
            assertEquals("cpu", row.getString(4));
        }
        assertEquals(1, rows.filter("seed = 18446744073709551615").select("seed").distinct().count());
        assertTrue(Files.isRegularFile(Path.of(config.runDirectory(), "manifest.json")));
        long files = parquetFiles(config);

        GenerateJob.Summary again = generate(config);
        assertEquals(0, again.rendered());
        assertEquals(18, again.alreadyDone());
        assertEquals(18, images(config).count());
        assertEquals(files, parquetFiles(config));
    }

    @Test
    void aCellGivesTheSameBytesWhateverItsBatchAndPartitioning(@TempDir Path dir) {
        RunConfig batch8 = TinyRun.config(dir, "batch8", "batch_size: 8\nspark:\n  partitions: 1");
        RunConfig batch1 = TinyRun.config(dir, "batch1", "batch_size: 1\nspark:\n  partitions: 3");
        generate(batch8);
        generate(batch1);
        Map<String, byte[]> a = pngsByCell(batch8);
        Map<String, byte[]> b = pngsByCell(batch1);
        assertEquals(18, a.size());
        assertEquals(a.keySet(), b.keySet());
        a.forEach((cell, png) -> assertArrayEquals(png, b.get(cell), cell));
    }

    @Test
    void aRunStoppedAfterSomeChunksFinishesOnRerunWithEveryCellOnce(@TempDir Path dir) {
        RunConfig config = TinyRun.config(dir, "crash", "chunk_size: 4\nbatch_size: 2");
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> generate(config, (chunk, chunks, cells) -> {
            if (chunk == 2) {
                throw new IllegalStateException("simulated crash after chunk 2 of " + chunks);
            }
        }));
        assertTrue(crash.getMessage().contains("simulated"));
        long committed = images(config).count();
        assertTrue(committed > 0 && committed < 18, "committed " + committed);

        GenerateJob.Summary rerun = generate(config);
        assertEquals(18 - committed, rerun.rendered());
        assertEquals(18, images(config).count());
        assertEquals(18, images(config).select("cell_id").distinct().count());
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
    void failedCellsAreRecordedWithTheirErrorAndTooManyStopTheRun(@TempDir Path dir) {
        // CUDA asked for explicitly on a machine without it: every cell fails in its task, none at preflight.
        RunConfig config = TinyRun.config(dir, "nocuda", "chunk_size: 6\nmax_failed_share: 0.5")
                .withModelDevice("base", "cuda");
        IllegalStateException stop = assertThrows(IllegalStateException.class, () -> generate(config));
        assertTrue(stop.getMessage().contains("max_failed_share"), stop.getMessage());
        // Chunk 1 (base: 3 errors, dmd2: 3 ok) fails half its cells, which the share allows; chunk 2 (hybrid
        // and the second prompt's base, both on the base model) brings it to 9 of 12: the run stops there.
        List<Row> rows = images(config).select("status", "message", "image", "recipe").collectAsList();
        assertEquals(12, rows.size(), "both chunks are committed, then the run stops");
        int errors = 0;
        for (Row row : rows) {
            if (row.getString(3).equals("dmd2")) {
                assertEquals("ok", row.getString(0));
                continue;
            }
            errors++;
            assertEquals("error", row.getString(0));
            assertTrue(row.getString(1).contains("CUDA"), row.getString(1));
            assertTrue(row.isNullAt(2));
        }
        assertEquals(9, errors);
        assertTrue(stop.getMessage().contains("9 of 12 cells failed"), stop.getMessage());
    }

    private static long parquetFiles(RunConfig config) throws Exception {
        try (Stream<Path> files = Files.walk(Path.of(config.runDirectory(), "images"))) {
            return files.filter(p -> p.toString().endsWith(".parquet")).count();
        }
    }

    static List<String> recipes(RunConfig config) {
        return config.recipes().stream().map(r -> r.name()).toList();
    }
}
