package io.seedgrid.udf.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * How a session is built: the device it runs on (already resolved by {@link OrtRuntime#resolve}), the number
 * of intra-op threads (0 = ONNX Runtime's default, all cores), the GPU provider options, and for TensorRT the
 * sub-model's optimisation profile (null: none). Part of the session cache key.
 */
public record SessionSettings(ResolvedDevice device, int intraOpThreads, GpuOptions gpu, TensorRtProfile tensorRtProfile) {

    private static final ResolvedDevice CPU = new ResolvedDevice(Device.CPU, Device.CPU, "cpu");

    public SessionSettings {
        if (device == null) {
            throw new IllegalArgumentException("a session needs a device");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, got " + intraOpThreads);
        }
        gpu = gpu == null ? GpuOptions.DEFAULTS : gpu;
    }

    /** Settings with the default GPU options. */
    public SessionSettings(ResolvedDevice device, int intraOpThreads) {
        this(device, intraOpThreads, GpuOptions.DEFAULTS, null);
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
     * Settings for a device as the user names it ({@code cpu}, {@code cuda}, {@code cuda:N}, {@code tensorrt:N},
     * {@code auto}): {@code auto} falls back to the CPU when CUDA does not work, the others fail saying why.
     */
    public static SessionSettings forDevice(String device, int threads) {
        Device requested = Device.parse(device);
        return new SessionSettings(OrtRuntime.resolve(requested, requested.kind() == Device.Kind.AUTO), threads);
    }

    /** These settings with other GPU options. */
    public SessionSettings withGpu(GpuOptions options) {
        return new SessionSettings(device, intraOpThreads, options, tensorRtProfile);
    }

    /** These settings with a TensorRT profile for one sub-model (only used on {@code tensorrt:N}). */
    public SessionSettings withTensorRtProfile(TensorRtProfile profile) {
        return new SessionSettings(device, intraOpThreads, gpu, profile);
    }

    /**
     * The CPU instead of this GPU, because of {@code reason}: what {@code auto} (or an allowed fallback) does
     * when a model's session cannot be created on the GPU.
     */
    SessionSettings onCpuBecause(String reason) {
        ResolvedDevice cpu = new ResolvedDevice(device.requested(), Device.CPU, "cpu (fallback from "
                + (device.requested().kind() == Device.Kind.AUTO ? "auto, " + device.actual() : device.actual().toString())
                + ": " + reason + ")", true);
        return new SessionSettings(cpu, intraOpThreads, gpu, null);
    }

    /** Fresh session options for these settings; the caller closes them. */
    public OrtSession.SessionOptions toOptions() throws OrtException {
        return OrtRuntime.options(this);
    }
}
