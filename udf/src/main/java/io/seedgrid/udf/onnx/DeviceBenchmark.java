package io.seedgrid.udf.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A short benchmark of a device: the probe graph (a 3x3 convolution over [1, 4, 16, 16], a ReLU and a 16x16
 * matrix product: about 0.18 million multiply-adds) run back to back for a while. It shows that the device
 * runs and how long one small call takes there (launch and copy overhead on a GPU); it says nothing about
 * SDXL's speed.
 *
 * @param runs    calls made in the timed period (after 3 untimed ones)
 * @param seconds length of the timed period
 */
public record DeviceBenchmark(long runs, double seconds) {

    /** Calls per second. */
    public double runsPerSecond() {
        return runs / seconds;
    }

    /** Runs the probe graph on {@code settings}' device for about {@code duration}. */
    public static DeviceBenchmark run(SessionSettings settings, Duration duration) throws OrtException {
        float[] input = OrtRuntime.probeInput();
        try (OrtSession.SessionOptions options = settings.toOptions();
             OrtSession session = OrtRuntime.environment().createSession(OrtRuntime.probeModel(), options);
             OnnxTensor x = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(input),
                     OrtRuntime.PROBE_SHAPE)) {
            OrtCalls.register(session, settings.device().actual());
            try {
                for (int i = 0; i < 3; i++) {
                    OrtCalls.run(session, Map.of("x", x), Set.of("y")).close();
                }
                long start = System.nanoTime();
                long end = start + duration.toNanos();
                long runs = 0;
                long now;
                do {
                    OrtCalls.run(session, Map.of("x", x), Set.of("y")).close();
                    runs++;
                    now = System.nanoTime();
                } while (now < end);
                return new DeviceBenchmark(runs, (now - start) / 1e9);
            } finally {
                OrtCalls.forget(session);
            }
        }
    }
}
