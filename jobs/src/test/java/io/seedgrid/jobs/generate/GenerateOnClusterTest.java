package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.StandaloneCluster;
import io.seedgrid.jobs.testing.TestSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation job on a Spark standalone cluster on 127.0.0.1 with two executor JVMs, one of which is
 * killed while the run goes on: Spark retries its tasks elsewhere, every cell ends up exactly once, and
 * every image equals the one a local run renders (an image does not depend on its executor).
 */
class GenerateOnClusterTest {

    @Test
    void aKilledExecutorCostsNoCellAndChangesNoImage(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRun.config(dir, "cluster", "chunk_size: 6\nbatch_size: 3");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        AtomicLong killed = new AtomicLong(-1);
        Map<String, byte[]> onCluster;
        try (StandaloneCluster cluster = StandaloneCluster.start(new StandaloneCluster.Options(1, 2, "3g", List.of()))) {
            SparkSession spark = cluster.startApp(TestSpark.spec(), 2);
            GenerateJob.Summary summary = GenerateJob.run(config, Preflight.check(config), spark, quiet, (chunk, chunks, cells) -> {
                if (chunk == 1) {
                    // Kill an executor as the next chunk starts.
                    Optional<ProcessHandle> executor = ProcessHandle.allProcesses()
                            .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                            .findFirst();
                    executor.ifPresent(p -> {
                        killed.set(p.pid());
                        new Thread(() -> {
                            sleep(300);
                            p.destroyForcibly();
                        }).start();
                    });
                }
            });
            assertTrue(killed.get() > 0, "an executor JVM was found and killed");
            assertEquals(18, summary.rendered());
            List<Row> rows = spark.read().parquet(config.runDirectory() + "/images").select("cell_id", "image.bytes").collectAsList();
            assertEquals(18, rows.size());
            onCluster = new HashMap<>();
            for (Row row : rows) {
                onCluster.put(row.getString(0), row.getAs(1));
            }
            assertEquals(18, onCluster.size(), "every cell exactly once");
        }

        RunConfig local = TinyRun.config(dir, "local", "");
        GenerateJob.run(local, Preflight.check(local), TestSpark.session(), quiet, GenerateJob.ChunkListener.NONE);
        for (Row row : TestSpark.session().read().parquet(local.runDirectory() + "/images").select("cell_id", "image.bytes")
                .collectAsList()) {
            assertArrayEquals(onCluster.get(row.getString(0)), (byte[]) row.getAs(1), row.getString(0));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
