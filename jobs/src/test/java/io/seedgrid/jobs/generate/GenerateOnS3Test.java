package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.spark.SparkSessions;
import io.seedgrid.jobs.testing.RunTables;
import io.seedgrid.jobs.testing.S3ProxyServer;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.udf.image.PngFile;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation job writing to s3a:// on an in-process S3Proxy: each task writes its part under the attempt's
 * temporary prefix and publishes it with one rename (a server-side copy of the complete object), so a driver
 * that dies leaves only unpublished temporary objects and a rerun completes the grid with every cell once.
 */
class GenerateOnS3Test {

    private static S3ProxyServer s3;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.startTransient();
        TestSpark.stop();
        spark = SparkSessions.getOrCreate(TestSpark.spec().withOutput(s3.s3a("runs/")).withConf(s3.sparkConf()));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            spark.stop();
        } finally {
            s3.close();
        }
    }

    @Test
    void aRunOnS3PublishesWholePartsAndResumesAfterTheDriverDies(@TempDir java.nio.file.Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "s3run", s3.s3a("runs"), "png_files: true\nchunk_size: 3\nspark:\n  partitions: 2");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        assertThrows(IllegalStateException.class, () -> GenerateJob.run(config, Preflight.check(config), spark, quiet,
                GenerateJob.Options.defaults().withListener((parts, cells) -> {
                    throw new IllegalStateException("the driver dies after a wave");
                })));
        long committed = RunTables.rows(config.runDirectory(), hadoop, "cell_id").size();
        assertTrue(committed > 0 && committed < 18 && committed % 3 == 0, "whole parts only: " + committed);

        GenerateJob.Summary summary = GenerateJob.run(config, Preflight.check(config), spark, quiet,
                GenerateJob.Options.defaults());
        assertEquals(18 - committed, summary.ok());
        java.util.Map<String, Integer> counts = RunTables.cellCounts(config.runDirectory(), hadoop);
        assertEquals(18, counts.size());
        counts.forEach((cell, n) -> assertEquals(1, n, cell));
        String images = config.runDirectory() + "/images";
        assertEquals(18, spark.read().parquet(images).count());

        FileSystem fs = new Path(images).getFileSystem(hadoop);
        Row first = spark.read().parquet(images).select("image.bytes", "image.path").first();
        String pngPath = first.getString(1);
        assertTrue(pngPath.startsWith("png/"), pngPath);
        try (FSDataInputStream in = fs.open(new Path(config.runDirectory() + "/" + pngPath))) {
            assertArrayEquals((byte[]) first.getAs(0), in.readAllBytes());
        }
        assertEquals(64, PngFile.decode(first.getAs(0)).width());
        assertTrue(fs.exists(new Path(config.runDirectory(), "manifest.json")));
        assertFalse(fs.exists(new Path(config.runDirectory(), "_tmp")), "temporary objects are gone");
        assertFalse(fs.exists(new Path(config.runDirectory(), "_seedgrid_lease")), "the lease is released at the end");

        GenerateJob.Summary again = GenerateJob.run(config, Preflight.check(config), spark, quiet, GenerateJob.Options.defaults());
        assertEquals(0, again.rendered());
        assertEquals(18, RunTables.rows(config.runDirectory(), hadoop, "cell_id").size());
    }

    @Test
    void aGenerateKilledMidRunOnS3IsCompletedByARerunWithEveryCellOnce(@TempDir java.nio.file.Path dir) throws Exception {
        StringBuilder conf = new StringBuilder("chunk_size: 3\nspark:\n  partitions: 2\n  master: local[2]\n  conf:\n");
        s3.sparkConf().forEach((k, v) -> conf.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        RunConfig config = TinyRun.config(dir, "s3kill", s3.s3a("runs"), conf.toString());
        org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        try (io.seedgrid.jobs.testing.SeedgridProcess process = io.seedgrid.jobs.testing.SeedgridProcess.start(
                dir.resolve("process"), java.util.List.of("seedgrid.test.pause-at=after-publish:2"), "generate",
                config.source())) {
            process.awaitStderr("seedgrid-test: paused at after-publish", java.time.Duration.ofMinutes(3));
            assertEquals(137, process.kill9());
        }
        long committed = RunTables.rows(config.runDirectory(), hadoop, "cell_id").size();
        assertTrue(committed > 0 && committed < 18, "published before the kill: " + committed);
        FileSystem fs = new Path(config.runDirectory()).getFileSystem(hadoop);
        assertTrue(fs.exists(new Path(config.runDirectory(), "_tmp")), "the killed attempt's temporary objects");

        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        GenerateJob.Summary rerun = GenerateJob.run(config, Preflight.check(config), spark, quiet,
                GenerateJob.Options.defaults());
        assertEquals(18 - committed, rerun.rendered());
        java.util.Map<String, Integer> counts = RunTables.cellCounts(config.runDirectory(), hadoop);
        assertEquals(18, counts.size());
        counts.forEach((cell, n) -> assertEquals(1, n, "rows of " + cell));
        assertEquals(18, RunTables.rows(config.runDirectory(), hadoop, "cell_id").size(), "rows, not distinct ids");
        assertFalse(fs.exists(new Path(config.runDirectory(), "_tmp")));
    }
}
