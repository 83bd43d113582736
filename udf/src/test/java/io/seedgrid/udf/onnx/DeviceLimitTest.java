package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-device limit on concurrent ONNX Runtime calls, with real sessions on the CPU: the limit that a GPU
 * gets by default is set here on the CPU device, shared by two models and six task threads.
 */
class DeviceLimitTest {

    @TempDir
    Path tmp;

    @Test
    void concurrentThreadsNeverExceedTheDeviceLimit() throws Exception {
        Path a = Files.write(tmp.resolve("a.onnx"), OrtRuntime.probeModel());
        Path b = Files.write(tmp.resolve("b.onnx"), OrtRuntime.probeModel());
        SessionSettings settings = SessionSettings.cpu(1);
        OnnxModel modelA = SessionCache.get(a, settings);
        OnnxModel modelB = SessionCache.get(b, settings);
        try {
            for (int limit : new int[] {1, 2}) {
                OrtCalls.setLimit("cpu", limit);
                // on a busy machine two threads may not meet inside a call in one round: a few rounds at most
                for (int round = 0; round < 20 && OrtCalls.peak("cpu") < limit; round++) {
                    int seen = hammer(List.of(modelA, modelB), 6, 150);
                    assertTrue(seen <= limit, "at most " + limit + " calls inside at once, saw " + seen);
                }
                assertEquals(limit, OrtCalls.peak("cpu"), "the threads did run " + limit + " at a time");
            }
        } finally {
            OrtCalls.setLimit("cpu", Integer.MAX_VALUE);
        }
    }

    @Test
    void gpusAreLimitedToOneCallByDefaultAndCpusNotAtAll() {
        assertEquals(OrtCalls.defaultLimit(), OrtCalls.limit("gpu:3"));
        if (System.getenv(OrtCalls.LIMIT_ENV) == null) {
            assertEquals(1, OrtCalls.limit("gpu:3"));
        }
        assertEquals(Integer.MAX_VALUE, OrtCalls.limit("cpu-unused-device"));
    }

    /** Runs {@code calls} calls per thread round-robin over the models; returns the most calls seen inside at once. */
    private static int hammer(List<OnnxModel> models, int threads, int calls) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger most = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                most.accumulateAndGet(OrtCalls.inside(), Math::max);
            }
        });
        sampler.start();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                OnnxModel model = models.get(t % models.size());
                futures.add(pool.submit(() -> {
                    float[] input = OrtRuntime.probeInput();
                    for (int i = 0; i < calls; i++) {
                        try (OnnxTensor x = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(input),
                                OrtRuntime.PROBE_SHAPE);
                             OrtSession.Result out = model.run(Map.of("x", x), Set.of("y"))) {
                            assertEquals(1, out.size());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            done.set(true);
            sampler.join();
        }
        return most.get();
    }
}
