package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.spark.SparkSessions;
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
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generation job writing to s3a:// on an in-process S3Proxy, through the S3A magic committer. */
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
    void aRunOnS3CommitsWithTheMagicCommitterAndResumes(@TempDir java.nio.file.Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "s3run", s3.s3a("runs"), "png_files: true\nchunk_size: 9");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        GenerateJob.Summary summary = GenerateJob.run(config, Preflight.check(config), spark, quiet, GenerateJob.ChunkListener.NONE);
        assertEquals(18, summary.ok());

        String images = config.runDirectory() + "/images";
        assertEquals(18, spark.read().parquet(images).select("cell_id").distinct().count());
        FileSystem fs = new Path(images).getFileSystem(spark.sparkContext().hadoopConfiguration());
        try (FSDataInputStream in = fs.open(new Path(images, "_SUCCESS"))) {
            String success = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("magic", new ObjectMapper().readTree(success).get("committer").asText(), success);
        }
        Row first = spark.read().parquet(images).select("image.bytes", "image.path").first();
        String pngPath = first.getString(1);
        assertTrue(pngPath.startsWith("png/"), pngPath);
        try (FSDataInputStream in = fs.open(new Path(config.runDirectory() + "/" + pngPath))) {
            assertArrayEquals((byte[]) first.getAs(0), in.readAllBytes());
        }
        assertEquals(64, PngFile.decode(first.getAs(0)).width());
        assertTrue(fs.exists(new Path(config.runDirectory(), "manifest.json")));
        assertFalse(fs.exists(new Path(config.runDirectory(), "_seedgrid_lease")), "the lease is released at the end");

        GenerateJob.Summary again = GenerateJob.run(config, Preflight.check(config), spark, quiet, GenerateJob.ChunkListener.NONE);
        assertEquals(0, again.rendered());
    }
}
