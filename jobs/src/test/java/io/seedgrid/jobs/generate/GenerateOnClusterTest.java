package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.RunTables;
import io.seedgrid.jobs.testing.StandaloneCluster;
import io.seedgrid.jobs.testing.TestSpark;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation job on a Spark standalone cluster on 127.0.0.1 with two executor JVMs, one of which the test
 * kills (by the PID of a process its own workers started) while tasks run on it: a listener sees a task lost
 * with its executor and the same task succeed afterwards, every cell ends up exactly once, and every image
 * equals the one a local run renders (an image does not depend on its executor).
 */
class GenerateOnClusterTest {

    /** What the listener saw: tasks lost with their executor, and successful tasks, as "stage/partition". */
    private static final List<String> LOST = Collections.synchronizedList(new ArrayList<>());
    private static final List<String> SUCCEEDED = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aKilledExecutorsTasksAreRetriedAndCostNoCellAndChangeNoImage(@TempDir Path dir) throws Exception {
        // 6 parts of 3 cells, each unit slowed to 1.5 s: tasks run long enough to be lost with their executor
        RunConfig config = TinyRun.config(dir, "cluster", "chunk_size: 3\nbatch_size: 3");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        AtomicLong killed = new AtomicLong(-1);
        Map<String, byte[]> onCluster;
        try (StandaloneCluster cluster = StandaloneCluster.start(new StandaloneCluster.Options(2, 1, "3g", List.of()))) {
            SparkSession spark = cluster.startApp(TestSpark.spec(), 2);
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onTaskStart(SparkListenerTaskStart start) {
                    // the second task to start: kill an executor of this cluster while it runs
                    if (start.taskInfo().index() == 1 && killed.get() < 0) {
                        new Thread(() -> {
                            sleep(700);
                            List<ProcessHandle> executors = cluster.executors();
                            if (!executors.isEmpty() && killed.compareAndSet(-1, executors.get(0).pid())) {
                                executors.get(0).destroyForcibly();
                            }
                        }).start();
                    }
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    String task = end.stageId() + "/" + end.taskInfo().index();
                    if (end.reason() instanceof ExecutorLostFailure) {
                        LOST.add(task);
                    } else if (end.reason() == Success$.MODULE$) {
                        SUCCEEDED.add(task);
                    }
                }
            });
            GenerateJob.Summary summary = GenerateJob.run(config, Preflight.check(config), spark, quiet,
                    GenerateJob.Options.defaults().withRenderer(new TestRenderers.Slow(1500)));
            assertTrue(killed.get() > 0, "an executor JVM of this cluster was killed");
            assertFalse(ProcessHandle.of(killed.get()).map(ProcessHandle::isAlive).orElse(false));
            assertFalse(LOST.isEmpty(), "a task was lost with its executor");
            for (String task : LOST) {
                assertTrue(SUCCEEDED.contains(task), "lost task " + task + " succeeded when retried");
            }
            assertEquals(18, summary.rendered());
            List<Row> rows = spark.read().parquet(config.runDirectory() + "/images").select("cell_id", "image.bytes")
                    .collectAsList();
            assertEquals(18, rows.size());
            onCluster = new HashMap<>();
            for (Row row : rows) {
                onCluster.put(row.getString(0), row.getAs(1));
            }
            assertEquals(18, onCluster.size(), "every cell exactly once");
        }
        Map<String, Integer> counts = RunTables.cellCounts(config.runDirectory());
        assertEquals(18, counts.size());
        counts.forEach((cell, n) -> assertEquals(1, n, cell));

        RunConfig local = TinyRun.config(dir, "local", "");
        GenerateJob.run(local, Preflight.check(local), TestSpark.session(), quiet, GenerateJob.Options.defaults());
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
