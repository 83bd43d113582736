package io.seedgrid.udf.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's one ONNX Runtime: its {@link OrtEnvironment}, the GPU probe, and session options for a device.
 *
 * <p>A GPU is usable only once it has proved it: the probe creates a session for a tiny graph embedded in
 * the jar ({@code probe.onnx}: a convolution, a ReLU and a matrix product, so cuDNN and cuBLAS load) with the
 * requested execution provider on the requested device, runs it once, and compares the result with the CPU's.
 * A missing library, an old driver, a bad device index or a broken GPU all fail here, where {@code auto} can
 * still fall back, with a message that names what is missing ({@link DeviceDiagnosis}). On a machine without
 * CUDA a probe costs about 5 s (ONNX Runtime first extracts its 600 MB CUDA provider library to the temp
 * folder), so it is made at most once per JVM and device, its answer is remembered, and it is never made for
 * {@code cpu}.
 *
 * <p>Resolution rules ({@link #resolve}): {@code cpu} is the CPU; {@code cuda:N} and {@code tensorrt:N} are
 * that GPU or, when the probe fails, a {@link DeviceUnavailableException} saying why, unless the caller allows
 * the CPU fallback; {@code auto} is {@code cuda:0} when it proves itself, else the CPU. A GPU that passed the
 * probe but then fails to create a model's session ({@link #markUnusable}) is treated as failed from then on.
 * Every fallback is logged once and named in the {@link ResolvedDevice#note() note}.
 */
public final class OrtRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);

    /** The probe graph's resource (tools/probe/make_probe_model.py writes it). */
    static final String PROBE_MODEL = "probe.onnx";
    static final long[] PROBE_SHAPE = {1, 4, 16, 16};

    private static final Map<Device, DeviceProbe> PROBES = new ConcurrentHashMap<>();
    private static final Set<String> LOGGED_FALLBACKS = ConcurrentHashMap.newKeySet();
    private static volatile OrtEnvironment environment;

    private OrtRuntime() {
    }

    /**
     * The JVM's ONNX Runtime environment, created (and the native library loaded) on first use. It is
     * never closed: sessions cached for the executor's lifetime depend on it.
     */
    public static OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env == null) {
            synchronized (OrtRuntime.class) {
                env = environment;
                if (env == null) {
                    env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "seedgrid");
                    LOG.info("ONNX Runtime {} loaded on thread '{}', providers {}", env.getVersion(),
                            Thread.currentThread().getName(), OrtEnvironment.getAvailableProviders());
                    environment = env;
                }
            }
        }
        return env;
    }

    /**
     * The version of the ONNX Runtime native library this JVM loaded ({@link OrtEnvironment#getVersion()}),
     * or empty while {@link #environment()} has not loaded it; never loads it.
     */
    public static Optional<String> loadedVersion() {
        OrtEnvironment env = environment;
        return env == null ? Optional.empty() : Optional.of(env.getVersion());
    }

    /**
     * Whether {@code gpu} ({@code cuda:N} or {@code tensorrt:N}) can run models here; probed on the first
     * call for that device, remembered afterwards.
     */
    public static DeviceProbe probe(Device gpu) {
        if (gpu == null || !gpu.isGpu()) {
            throw new IllegalArgumentException("only cuda:N and tensorrt:N are probed, got " + gpu);
        }
        DeviceProbe known = PROBES.get(gpu);
        if (known != null) {
            return known;
        }
        synchronized (PROBES) {
            return PROBES.computeIfAbsent(gpu, OrtRuntime::probeNow);
        }
    }

    /** {@link #probe} for {@code cuda:index}. */
    public static DeviceProbe probeCuda(int index) {
        return probe(Device.cuda(index));
    }

    /** The CUDA probes this JVM has made so far, by device index. */
    public static Map<Integer, DeviceProbe> cudaProbes() {
        Map<Integer, DeviceProbe> cuda = new TreeMap<>();
        PROBES.forEach((device, probe) -> {
            if (device.kind() == Device.Kind.CUDA) {
                cuda.put(device.index(), probe);
            }
        });
        return Map.copyOf(cuda);
    }

    /**
     * Records that {@code gpu} failed after its probe passed (a model's session could not be created on it),
     * so that later resolutions fall back or fail at once with {@code reason}.
     */
    public static void markUnusable(Device gpu, String reason) {
        PROBES.put(gpu, DeviceProbe.unavailable(gpu, reason));
        LOG.warn("{} is not used any more in this JVM: {}", gpu, reason);
    }

    /**
     * The device to use for {@code requested}. Probes (once per JVM and device) only when {@code requested}
     * is {@code cuda:N}, {@code tensorrt:N} or {@code auto}.
     *
     * @param allowCpuFallback whether {@code cuda:N} and {@code tensorrt:N} may fall back to the CPU;
     *                         {@code auto} always may
     * @throws DeviceUnavailableException when the GPU does not work and the fallback is not allowed
     */
    public static ResolvedDevice resolve(Device requested, boolean allowCpuFallback) {
        ResolvedDevice resolved = resolve(requested, allowCpuFallback, OrtRuntime::probe);
        if (resolved.fellBack() && LOGGED_FALLBACKS.add(resolved.note())) {
            LOG.warn("ONNX Runtime runs on {}", resolved.note());
        }
        return resolved;
    }

    /** {@link #resolve(Device, boolean)} with the probe given, so that the rules can be tested alone. */
    static ResolvedDevice resolve(Device requested, boolean allowCpuFallback, Function<Device, DeviceProbe> probe) {
        if (requested == null) {
            throw new IllegalArgumentException("device must be one of " + Device.ACCEPTED_FORMS + ", got null");
        }
        switch (requested.kind()) {
            case CPU:
                return new ResolvedDevice(requested, Device.CPU, "cpu", allowCpuFallback);
            case CUDA:
            case TENSORRT: {
                DeviceProbe result = probe.apply(requested);
                if (result.available()) {
                    return new ResolvedDevice(requested, requested,
                            result.gpu().isEmpty() ? requested.toString() : requested + " (" + result.gpu() + ")",
                            allowCpuFallback);
                }
                if (!allowCpuFallback) {
                    throw new DeviceUnavailableException(requested, result.reason()
                            + ". Ask for device 'auto' (or allow the CPU fallback) to run on the CPU instead.");
                }
                return new ResolvedDevice(requested, Device.CPU,
                        "cpu (fallback from " + requested + ": " + result.reason() + ")", true);
            }
            case AUTO: {
                Device gpu = Device.cuda(requested.index());
                DeviceProbe result = probe.apply(gpu);
                if (result.available()) {
                    return new ResolvedDevice(requested, gpu,
                            gpu + (result.gpu().isEmpty() ? " (auto)" : " (auto; " + result.gpu() + ")"), true);
                }
                return new ResolvedDevice(requested, Device.CPU,
                        "cpu (fallback from auto, " + gpu + ": " + result.reason() + ")", true);
            }
            default:
                throw new IllegalStateException("unknown device kind " + requested.kind());
        }
    }

    /**
     * New session options for {@code settings}: optimisation level, threads, the execution provider of its
     * device with its {@link GpuOptions} (and TensorRT profile), deterministic compute when asked. The caller
     * owns (and closes) them.
     */
    public static SessionOptions options(SessionSettings settings) throws OrtException {
        environment();
        SessionOptions options = new SessionOptions();
        try {
            options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            Device actual = settings.device().actual();
            if (actual.isGpu()) {
                try {
                    addProvider(options, actual, settings.gpu(), settings.tensorRtProfile());
                } catch (OrtException | RuntimeException e) {
                    throw new DeviceUnavailableException(actual, DeviceDiagnosis.explain(e, actual));
                }
                if (settings.gpu().deterministic()) {
                    options.setDeterministicCompute(true);
                }
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /**
     * New session options with only {@code device}'s execution provider (default {@link GpuOptions}). The
     * caller owns (and closes) them and may add its own settings.
     */
    public static SessionOptions options(ResolvedDevice device) {
        environment();
        SessionOptions options = new SessionOptions();
        if (device.actual().isGpu()) {
            try {
                addProvider(options, device.actual(), GpuOptions.DEFAULTS, null);
            } catch (OrtException | RuntimeException e) {
                options.close();
                throw new DeviceUnavailableException(device.actual(), DeviceDiagnosis.explain(e, device.actual()));
            }
        }
        return options;
    }

    /** {@link #options(ResolvedDevice)} for {@link #resolve(Device, boolean) resolve(requested, allowCpuFallback)}. */
    public static SessionOptions options(Device requested, boolean allowCpuFallback) {
        return options(resolve(requested, allowCpuFallback));
    }

    /**
     * The options ONNX Runtime gets for {@code gpu}, provider by provider in the order they are added
     * ({@code tensorrt:N}: TensorRT, then CUDA for the nodes TensorRT does not take).
     */
    public static Map<String, Map<String, String>> providerOptions(Device gpu, GpuOptions options, TensorRtProfile profile) {
        Map<String, Map<String, String>> providers = new LinkedHashMap<>();
        if (gpu.kind() == Device.Kind.TENSORRT) {
            providers.put("tensorrt", options.tensorRt().providerOptions(gpu.index(), profile));
        }
        providers.put("cuda", options.cudaProviderOptions(gpu.index()));
        return providers;
    }

    private static void addProvider(SessionOptions options, Device gpu, GpuOptions gpuOptions, TensorRtProfile profile)
            throws OrtException {
        Map<String, Map<String, String>> providers = providerOptions(gpu, gpuOptions, profile);
        if (providers.containsKey("tensorrt")) {
            try {
                Files.createDirectories(gpuOptions.tensorRt().engineCacheFolder());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the TensorRT engine cache "
                        + gpuOptions.tensorRt().engineCacheFolder(), e);
            }
            try (OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(gpu.index())) {
                for (Map.Entry<String, String> e : providers.get("tensorrt").entrySet()) {
                    trt.add(e.getKey(), e.getValue());
                }
                options.addTensorrt(trt);
            }
        }
        try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(gpu.index())) {
            for (Map.Entry<String, String> e : providers.get("cuda").entrySet()) {
                cuda.add(e.getKey(), e.getValue());
            }
            options.addCUDA(cuda);
        }
    }

    /** The probe graph's bytes. */
    static byte[] probeModel() {
        try (InputStream in = OrtRuntime.class.getResourceAsStream(PROBE_MODEL)) {
            if (in == null) {
                throw new IllegalStateException(PROBE_MODEL + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROBE_MODEL, e);
        }
    }

    /** Runs the probe graph once on {@code settings}' device and returns its output. */
    static float[] runProbe(SessionSettings settings) throws OrtException {
        OrtEnvironment env = environment();
        float[] input = probeInput();
        try (SessionOptions options = options(settings);
             OrtSession session = env.createSession(probeModel(), options);
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), PROBE_SHAPE);
             OrtSession.Result result = session.run(Map.of("x", x))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] y = new float[out.remaining()];
            out.get(y);
            return y;
        }
    }

    /** A fixed, non-trivial input: values in [-1, 1). */
    static float[] probeInput() {
        float[] x = new float[4 * 16 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((i * 37) % 64) / 32f - 1f;
        }
        return x;
    }

    private static DeviceProbe probeNow(Device gpu) {
        long start = System.nanoTime();
        DeviceProbe probe;
        try {
            float[] cpu = runProbe(SessionSettings.cpu(1));
            float[] onGpu = runProbe(new SessionSettings(new ResolvedDevice(gpu, gpu, gpu.toString()), 0,
                    GpuOptions.DEFAULTS, null));
            String mismatch = compare(cpu, onGpu);
            probe = mismatch == null
                    ? DeviceProbe.available(gpu, GpuInfo.forCudaIndex(gpu.index()).map(GpuInfo.Gpu::describe).orElse(""))
                    : DeviceProbe.unavailable(gpu, "the probe graph ran on " + gpu + " but " + mismatch);
        } catch (DeviceUnavailableException e) {
            probe = DeviceProbe.unavailable(gpu, e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
        } catch (OrtException | RuntimeException e) {
            probe = DeviceProbe.unavailable(gpu, DeviceDiagnosis.explain(e, gpu));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (probe.available()) {
            LOG.info("GPU probe: {} works ({} ms){}", gpu, millis, probe.gpu().isEmpty() ? "" : ": " + probe.gpu());
        } else {
            LOG.warn("GPU probe: {} does not work ({} ms): {}", gpu, millis, probe.reason());
        }
        return probe;
    }

    /**
     * Null when the GPU's output matches the CPU's (TF32 and other kernels differ in the last bits: within
     * 1e-2 of the output's scale), else what differs.
     */
    static String compare(float[] cpu, float[] gpu) {
        if (cpu.length != gpu.length) {
            return "returned " + gpu.length + " values instead of " + cpu.length;
        }
        double scale = 0;
        for (float v : cpu) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < cpu.length; i++) {
            if (!Float.isFinite(gpu[i]) || Math.abs(gpu[i] - cpu[i]) > 1e-2 * Math.max(scale, 1e-6)) {
                return "value " + i + " is " + gpu[i] + " where the CPU computes " + cpu[i];
            }
        }
        return null;
    }
}
