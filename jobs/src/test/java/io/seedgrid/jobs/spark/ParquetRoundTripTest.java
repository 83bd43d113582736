package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.testing.S3ProxyServer;
import io.seedgrid.jobs.testing.TestSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet written and read back on the local filesystem and, through s3a:// and the S3A magic
 * committer, on an in-process S3Proxy. The S3 session is built by {@link SparkSessions} from a spec with
 * an s3a:// output, as a job's would be.
 */
class ParquetRoundTripTest {

    private static S3ProxyServer s3;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.startTransient();
        TestSpark.stop();
        spark = SparkSessions.getOrCreate(TestSpark.spec()
                .withOutput(s3.s3a("runs/"))
                .withConf(s3.sparkConf()));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            spark.stop();
        } finally {
            s3.close();
        }
    }

    private static Dataset<Row> cells() {
        return spark.range(0, 100, 1, 4).selectExpr(
                "id AS seed",
                "concat('prompt-', CAST(id % 3 AS STRING)) AS prompt_id",
                "CAST(id * 0.5 AS DOUBLE) AS score");
    }

    @Test
    void s3aWriteGoesThroughTheMagicCommitter() throws Exception {
        String out = s3.s3a("runs/r1/cells");
        cells().write().mode(SaveMode.ErrorIfExists).parquet(out);

        Dataset<Row> back = spark.read().parquet(out);
        assertEquals(100, back.count());
        assertEquals(4950L, back.selectExpr("sum(seed)").first().getLong(0));
        assertEquals(3, back.select("prompt_id").distinct().count());

        FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(spark.sparkContext().hadoopConfiguration());
        JsonNode success;
        try (FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(out, "_SUCCESS"))) {
            success = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals("magic", success.path("committer").asText(), "the _SUCCESS manifest names the committer: " + success);
        assertTrue(success.path("success").asBoolean(), success.toString());
        assertEquals(4, success.path("filenames").size(), "one file per task: " + success);

        List<String> keys = s3.blobStore().list(s3.bucket(), ListContainerOptions.Builder.recursive()).stream()
                .map(StorageMetadata::getName).collect(Collectors.toList());
        assertFalse(keys.stream().anyMatch(k -> k.contains("__magic")), "no __magic left behind: " + keys);
        assertEquals(4, keys.stream().filter(k -> k.startsWith("runs/r1/cells/part-") && k.endsWith(".parquet")).count(), keys.toString());
    }

    @Test
    void appendAddsAChunkAndKeepsTheFirst() throws Exception {
        String out = s3.s3a("runs/r2/cells");
        cells().where("seed < 50").write().mode(SaveMode.Append).parquet(out);
        cells().where("seed >= 50").write().mode(SaveMode.Append).parquet(out);

        Dataset<Row> back = spark.read().parquet(out);
        assertEquals(100, back.count());
        assertEquals(100, back.select("seed").distinct().count());
    }

    @Test
    void localFilesystemRoundTrip(@TempDir Path dir) throws Exception {
        String out = dir.resolve("cells").toUri().toString();
        cells().write().partitionBy("prompt_id").parquet(out);

        Dataset<Row> back = spark.read().parquet(out);
        assertEquals(100, back.count());
        assertEquals(List.of(34L, 33L, 33L), back.groupBy("prompt_id").count().orderBy("prompt_id")
                .collectAsList().stream().map(r -> r.getLong(1)).toList());
        assertTrue(Files.exists(dir.resolve("cells/_SUCCESS")));
        assertTrue(Files.isDirectory(dir.resolve("cells/prompt_id=prompt-0")));
        assertEquals(0L, Files.size(dir.resolve("cells/_SUCCESS")), "the classic file committer writes an empty _SUCCESS");
        List<FileStatus> leftovers = listAll(dir.resolve("cells")).stream()
                .filter(s -> s.getPath().getName().startsWith("_temporary")).toList();
        assertTrue(leftovers.isEmpty(), leftovers.toString());
    }

    private static List<FileStatus> listAll(Path dir) throws Exception {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir.toUri());
        FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        List<FileStatus> all = new java.util.ArrayList<>();
        while (it.hasNext()) {
            all.add(it.next());
        }
        return all;
    }
}
