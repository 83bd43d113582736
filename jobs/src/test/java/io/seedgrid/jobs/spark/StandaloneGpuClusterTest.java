package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.jobs.testing.StandaloneCluster;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyOnnxModel;
import io.seedgrid.udf.onnx.Device;
import io.seedgrid.udf.onnx.OrtRuntime;
import io.seedgrid.udf.spark.TaskDevice;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A standalone master and a worker offering two stand-in GPUs (found by conf/gpu-discovery.sh), two
 * executors in their own JVMs with one GPU each: tasks read cuda:0 / cuda:1 from their real task
 * resources, and load ONNX Runtime for the first time in an executor's task thread.
 */
class StandaloneGpuClusterTest {

    private static StandaloneCluster cluster;
    private static SparkSession spark;

    /** Where one task ran and what it saw. */
    record TaskReport(String executorId, long pid, String device, float[] input, float[] output) implements Serializable {
    }

    @BeforeAll
    static void start() throws Exception {
        cluster = StandaloneCluster.start(new StandaloneCluster.Options(1, 2, "1g", List.of("0", "1")));
        spark = cluster.startApp(TestSpark.spec()
                .withConf("spark.executor.resource.gpu.amount", "1")
                .withConf("spark.task.resource.gpu.amount", "1"), 2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void workerOffersTheGpusTheDiscoveryScriptFound() throws Exception {
        JsonNode workers = cluster.masterState().path("workers");
        assertEquals(1, workers.size(), workers.toString());
        JsonNode gpu = workers.get(0).path("resources").path("gpu");
        assertEquals("gpu", gpu.path("name").asText(), workers.toString());
        assertEquals(List.of("0", "1"), stream(gpu.path("addresses")), workers.toString());
    }

    @Test
    void eachExecutorsTasksRunOnItsOwnGpu() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        byte[] model = TinyOnnxModel.bytes();
        // Both executors are registered (startApp waits), so the first round of offers gives each a task.
        List<TaskReport> reports = jsc.parallelize(List.of(0, 1, 2, 3, 4, 5, 6, 7), 8)
                .mapPartitions(values -> report(values, model), false)
                .collect();

        assertEquals(8, reports.size());
        long driverPid = ProcessHandle.current().pid();
        for (TaskReport r : reports) {
            assertNotEquals(driverPid, r.pid(), "tasks run in executor JVMs, not the driver");
            assertArrayEquals(TinyOnnxModel.expected(r.input()), r.output(), 0f);
        }
        Map<String, Set<String>> devicesByExecutor = reports.stream().collect(Collectors.groupingBy(
                TaskReport::executorId, Collectors.mapping(TaskReport::device, Collectors.toCollection(TreeSet::new))));
        assertEquals(2, devicesByExecutor.size(), "both executors ran tasks: " + devicesByExecutor);
        devicesByExecutor.values().forEach(d -> assertEquals(1, d.size(), "one GPU per executor: " + devicesByExecutor));
        assertEquals(Set.of("cuda:0", "cuda:1"), devicesByExecutor.values().stream().flatMap(Set::stream)
                .collect(Collectors.toSet()), devicesByExecutor.toString());
        assertEquals(2, reports.stream().map(TaskReport::pid).distinct().count(), "two executor JVMs");
    }

    static Iterator<TaskReport> report(Iterator<Integer> values, byte[] model) throws Exception {
        String device = TaskDevice.current(Device.CPU).toString();
        // The stand-in GPUs have no CUDA behind them: the model runs on the CPU of the executor JVM.
        OrtEnvironment env = OrtRuntime.environment();
        List<TaskReport> out = new ArrayList<>();
        try (OrtSession.SessionOptions options = OrtRuntime.options(Device.CPU, false);
                OrtSession session = env.createSession(model, options)) {
            while (values.hasNext()) {
                int v = values.next();
                float[] x = {v, v * v, -v, 0.5f};
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {4});
                        OrtSession.Result result = session.run(Map.of(TinyOnnxModel.INPUT, in))) {
                    out.add(new TaskReport(SparkEnv.get().executorId(), ProcessHandle.current().pid(), device, x,
                            (float[]) result.get(0).getValue()));
                }
            }
        }
        return out.iterator();
    }

    private static List<String> stream(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
