package io.seedgrid.udf.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's one ONNX Runtime: its {@link OrtEnvironment}, the CUDA probe, and session options for a
 * device.
 *
 * <p>Probing CUDA means adding the CUDA execution provider to throwaway session options. On a machine
 * without CUDA that costs about 5 s (ONNX Runtime first extracts its 600 MB CUDA provider library to
 * the temp folder), so it is done at most once per JVM and device index, its answer is remembered, and
 * it is never done for {@code cpu}.
 *
 * <p>Resolution rules ({@link #resolve}): {@code cpu} is the CPU; {@code cuda:N} is that GPU or, when
 * CUDA cannot load, a {@link DeviceUnavailableException} saying why, unless the caller allows the CPU
 * fallback; {@code auto} is {@code cuda:0} when CUDA loads, else the CPU. Every fallback is logged once
 * and named in the {@link ResolvedDevice#note() note}.
 */
public final class OrtRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);

    private static final Map<Integer, DeviceProbe> CUDA_PROBES = new ConcurrentHashMap<>();
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
     * Whether ONNX Runtime can add its CUDA execution provider for GPU {@code index}; probed on the
     * first call for that index, remembered afterwards.
     */
    public static DeviceProbe probeCuda(int index) {
        DeviceProbe known = CUDA_PROBES.get(index);
        if (known != null) {
            return known;
        }
        synchronized (CUDA_PROBES) {
            return CUDA_PROBES.computeIfAbsent(index, i -> probeNow(Device.cuda(i)));
        }
    }

    /** The CUDA probes this JVM has made so far, by device index. */
    public static Map<Integer, DeviceProbe> cudaProbes() {
        return Map.copyOf(CUDA_PROBES);
    }

    /**
     * The device to use for {@code requested}. Probes CUDA (once per JVM and index) only when
     * {@code requested} is {@code cuda:N} or {@code auto}.
     *
     * @param allowCpuFallback whether {@code cuda:N} may fall back to the CPU; {@code auto} always may
     * @throws DeviceUnavailableException when {@code cuda:N} cannot load and the fallback is not allowed
     */
    public static ResolvedDevice resolve(Device requested, boolean allowCpuFallback) {
        ResolvedDevice resolved = resolve(requested, allowCpuFallback, OrtRuntime::probeCuda);
        if (resolved.fellBack() && LOGGED_FALLBACKS.add(resolved.note())) {
            LOG.warn("ONNX Runtime runs on {}", resolved.note());
        }
        return resolved;
    }

    /** {@link #resolve(Device, boolean)} with the probe given, so that the rules can be tested alone. */
    static ResolvedDevice resolve(Device requested, boolean allowCpuFallback, IntFunction<DeviceProbe> cudaProbe) {
        if (requested == null) {
            throw new IllegalArgumentException("device must be one of " + Device.ACCEPTED_FORMS + ", got null");
        }
        switch (requested.kind()) {
            case CPU:
                return new ResolvedDevice(requested, Device.CPU, "cpu");
            case CUDA: {
                DeviceProbe probe = cudaProbe.apply(requested.index());
                if (probe.available()) {
                    return new ResolvedDevice(requested, requested, requested.toString());
                }
                if (!allowCpuFallback) {
                    throw new DeviceUnavailableException(requested, probe.reason()
                            + ". Ask for device 'auto' (or allow the CPU fallback) to run on the CPU instead.");
                }
                return new ResolvedDevice(requested, Device.CPU,
                        "cpu (fallback from " + requested + ": " + probe.reason() + ")");
            }
            case AUTO: {
                Device gpu = Device.cuda(requested.index());
                DeviceProbe probe = cudaProbe.apply(gpu.index());
                if (probe.available()) {
                    return new ResolvedDevice(requested, gpu, gpu + " (auto)");
                }
                return new ResolvedDevice(requested, Device.CPU,
                        "cpu (fallback from auto, " + gpu + ": " + probe.reason() + ")");
            }
            default:
                throw new IllegalStateException("unknown device kind " + requested.kind());
        }
    }

    /**
     * New session options for {@code device}: the CUDA execution provider added for {@code cuda:N},
     * nothing for the CPU. The caller owns (and closes) them and may add its own settings.
     */
    public static SessionOptions options(ResolvedDevice device) {
        environment();
        SessionOptions options = new SessionOptions();
        if (device.actual().kind() == Device.Kind.CUDA) {
            try {
                options.addCUDA(device.actual().index());
            } catch (OrtException e) {
                options.close();
                throw new DeviceUnavailableException(device.actual(), cudaFailure(e));
            }
        }
        return options;
    }

    /** {@link #options(ResolvedDevice)} for {@link #resolve(Device, boolean) resolve(requested, allowCpuFallback)}. */
    public static SessionOptions options(Device requested, boolean allowCpuFallback) {
        return options(resolve(requested, allowCpuFallback));
    }

    private static DeviceProbe probeNow(Device gpu) {
        environment();
        long start = System.nanoTime();
        DeviceProbe probe;
        try (SessionOptions throwaway = new SessionOptions()) {
            throwaway.addCUDA(gpu.index());
            probe = DeviceProbe.available(gpu);
        } catch (OrtException e) {
            probe = DeviceProbe.unavailable(gpu, cudaFailure(e));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (probe.available()) {
            LOG.info("CUDA probe: {} available ({} ms)", gpu, millis);
        } else {
            LOG.warn("CUDA probe: {} not available ({} ms): {}", gpu, millis, probe.reason());
        }
        return probe;
    }

    /** ONNX Runtime's error, plus the CUDA and cuDNN libraries the loader cannot find. */
    private static String cudaFailure(OrtException e) {
        String ort = e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage().replaceFirst("^Error code - \\S+ - message: ", "");
        String failed = "ONNX Runtime could not add its CUDA execution provider (" + ort + "); ONNX Runtime "
                + environment().getVersion() + " CUDA needs the NVIDIA driver, CUDA 12 and cuDNN 9 shared libraries";
        if (!DeviceLibraries.searchable()) {
            return failed;
        }
        List<String> missing = DeviceLibraries.missingCuda();
        if (missing.isEmpty()) {
            return failed + ", and all of " + String.join(", ", DeviceLibraries.CUDA_SONAMES)
                    + " were found, so see ONNX Runtime's log for the one that failed to load";
        }
        return failed + ", and the loader cannot find " + String.join(", ", missing)
                + " (searched LD_LIBRARY_PATH, /etc/ld.so.cache and the default library directories)";
    }
}
