package io.seedgrid.udf.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * How a session is built: the device it runs on (already resolved by {@link OrtRuntime#resolve}) and
 * the number of intra-op threads (0 = ONNX Runtime's default, all cores). Part of the session cache key.
 */
public record SessionSettings(ResolvedDevice device, int intraOpThreads) {

    private static final ResolvedDevice CPU = new ResolvedDevice(Device.CPU, Device.CPU, "cpu");

    public SessionSettings {
        if (device == null) {
            throw new IllegalArgumentException("a session needs a device");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, got " + intraOpThreads);
        }
    }

    /** CPU with ONNX Runtime's default thread count. */
    public static SessionSettings cpu() {
        return cpu(0);
    }

    /** CPU with {@code threads} intra-op threads (0 = all cores). */
    public static SessionSettings cpu(int threads) {
        return new SessionSettings(CPU, threads);
    }

    /**
     * Settings for a device as the user names it ({@code cpu}, {@code cuda}, {@code cuda:N}, {@code auto}):
     * {@code auto} falls back to the CPU when CUDA cannot load, {@code cuda} fails saying why.
     */
    public static SessionSettings forDevice(String device, int threads) {
        Device requested = Device.parse(device);
        return new SessionSettings(OrtRuntime.resolve(requested, requested.kind() == Device.Kind.AUTO), threads);
    }

    /** Fresh session options for these settings; the caller closes them. */
    public OrtSession.SessionOptions toOptions() throws OrtException {
        OrtSession.SessionOptions options = OrtRuntime.options(device);
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
