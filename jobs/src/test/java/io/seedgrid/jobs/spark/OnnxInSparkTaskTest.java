package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyOnnxModel;
import io.seedgrid.udf.onnx.Device;
import io.seedgrid.udf.onnx.OrtRuntime;
import io.seedgrid.udf.onnx.ResolvedDevice;
import io.seedgrid.udf.spark.TaskDevice;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime loaded and run inside Spark tasks. Regression guard for onnxruntime 1.29.0, which
 * crashes the JVM (SIGSEGV) when first loaded in a Spark task thread: run first in its JVM, this test
 * makes the task threads load the library (the cluster test always does, in fresh executor JVMs).
 */
class OnnxInSparkTaskTest {

    /** One task's answer: where it ran and what the model computed. */
    record TaskResult(int partition, String thread, String device, String note, float[] input, float[] output)
            implements Serializable {
    }

    @Test
    void tasksLoadOnnxRuntimeAndRunATinyModel() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        byte[] model = TinyOnnxModel.bytes();

        List<TaskResult> results = jsc.parallelize(List.of(0, 1, 2, 3), 4)
                .mapPartitionsWithIndex((partition, values) -> runModel(partition, values, model), false)
                .collect();

        assertEquals(4, results.size());
        for (TaskResult r : results) {
            assertTrue(r.thread().startsWith("Executor task launch worker"), "ran in a Spark task thread: " + r.thread());
            assertEquals("cpu", r.device(), "local mode has no gpu resource, so the fallback is used");
            assertEquals("cpu", r.note());
            assertArrayEquals(TinyOnnxModel.expected(r.input()), r.output(), 0f);
        }
    }

    static Iterator<TaskResult> runModel(int partition, Iterator<Integer> values, byte[] model) throws Exception {
        Device device = TaskDevice.current(Device.CPU);
        ResolvedDevice resolved = OrtRuntime.resolve(device, false);
        OrtEnvironment env = OrtRuntime.environment();
        List<TaskResult> out = new ArrayList<>();
        try (OrtSession.SessionOptions options = OrtRuntime.options(resolved);
                OrtSession session = env.createSession(model, options)) {
            while (values.hasNext()) {
                int v = values.next();
                float[] x = {v, -v, 0.25f * v, 100f + v};
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {4});
                        OrtSession.Result result = session.run(Map.of(TinyOnnxModel.INPUT, in))) {
                    float[] y = (float[]) result.get(0).getValue();
                    out.add(new TaskResult(partition, Thread.currentThread().getName(), device.toString(),
                            resolved.note(), x, y));
                }
            }
        }
        return out.iterator();
    }
}
