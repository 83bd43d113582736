package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The refusal of a cluster that starts no executor, in words (ClusterSubmitTest sees it end to end on a
 * standalone cluster whose workers have no GPUs).
 */
class FirstExecutorTest {

    @Test
    void aGpuRequestIsNamedWithTheWaysOut() {
        String line = FirstExecutor.noExecutor("spark://head:7077", 300, Map.of(
                "spark.executor.resource.gpu.amount", "1", "spark.executor.memory", "12g", "spark.executor.cores", "4"));
        assertTrue(line.startsWith("no executor started within 300 s on spark://head:7077: each executor asks for 1 gpu"
                + " (spark.executor.resource.gpu.amount), 12g memory (spark.executor.memory), 4 cores (spark.executor.cores),"
                + " and no worker offered that."), line);
        assertTrue(line.contains("conf/spark-defaults.cluster.conf (no GPU keys)"), line);
        assertTrue(line.contains("spark.worker.resource.gpu.amount"), line);
        assertTrue(line.endsWith("Wait longer: spark.seedgrid.firstExecutorTimeout."), line);
        assertFalse(line.contains("\n"), "one line");
    }

    @Test
    void withoutGpusOnlySizingIsAdvised() {
        String line = FirstExecutor.noExecutor("yarn", 60, Map.of());
        assertTrue(line.contains("asks for 1g memory (spark.executor.memory), the default cores (spark.executor.cores unset)"),
                line);
        assertFalse(line.contains("gpu"), line);
        assertTrue(line.contains("lower spark.executor.memory or spark.executor.cores"), line);
    }

    @Test
    void aZeroGpuAmountAsksForNoGpu() {
        assertEquals(List.of("2g memory (spark.executor.memory)", "the default cores (spark.executor.cores unset)"),
                FirstExecutor.request(Map.of("spark.executor.resource.gpu.amount", "0", "spark.executor.memory", "2g")));
    }

    @Test
    void dynamicAllocationWithoutInitialExecutorsIsNotWaitedFor() {
        assertEquals(-1, FirstExecutor.initialExecutors(Map.of()));
        assertEquals(0, FirstExecutor.initialExecutors(Map.of("spark.dynamicAllocation.enabled", "true")));
        assertEquals(3, FirstExecutor.initialExecutors(Map.of("spark.dynamicAllocation.enabled", "true",
                "spark.dynamicAllocation.minExecutors", "1", "spark.dynamicAllocation.initialExecutors", "3")));
        assertEquals(-1, FirstExecutor.initialExecutors(Map.of("spark.dynamicAllocation.enabled", "false",
                "spark.executor.instances", "0")));
    }
}
