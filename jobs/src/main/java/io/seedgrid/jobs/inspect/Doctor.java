package io.seedgrid.jobs.inspect;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.seedgrid.jobs.config.ModelConfig;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.onnx.ByteSize;
import io.seedgrid.udf.onnx.Device;
import io.seedgrid.udf.onnx.DeviceBenchmark;
import io.seedgrid.udf.onnx.DeviceLibraries;
import io.seedgrid.udf.onnx.GpuInfo;
import io.seedgrid.udf.onnx.GpuOptions;
import io.seedgrid.udf.onnx.OrtCalls;
import io.seedgrid.udf.onnx.OrtRuntime;
import io.seedgrid.udf.onnx.ResolvedDevice;
import io.seedgrid.udf.onnx.SessionCache;
import io.seedgrid.udf.onnx.SessionSettings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code seedgrid doctor}: what this machine offers seedgrid's executors and whether the configured devices
 * work. Java, ONNX Runtime and the execution providers in its jar, the CUDA, cuDNN and TensorRT libraries the
 * loader finds (and where), the GPUs nvidia-smi lists, Spark's GPU settings in effect, then each configured
 * device probed ({@link OrtRuntime#resolve}) and, where it works, benchmarked for a moment.
 *
 * <p>A device works when it resolves without error: {@code auto} always does (it falls back to the CPU and
 * the report says why); {@code cuda:N} and {@code tensorrt:N} work only when their probe passes.
 */
public final class Doctor {

    /** The report, and whether every configured device works. */
    public record Result(String report, boolean ok) {
    }

    private static final String[] NATIVE = {"libonnxruntime_providers_cuda.so", "libonnxruntime_providers_tensorrt.so"};

    private Doctor() {
    }

    /**
     * Checks the devices of {@code config}'s models (when given) or {@code devices}, benchmarking each usable
     * one for {@code benchmark}.
     */
    public static Result check(RunConfig config, List<String> devices, Duration benchmark) {
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        Map<String, GpuOptions> options = new LinkedHashMap<>();
        if (config != null) {
            for (ModelConfig m : config.models().values()) {
                wanted.computeIfAbsent(m.device(), d -> new ArrayList<>()).add(m.name());
                options.putIfAbsent(m.device(), m.gpu());
            }
        } else {
            for (String d : devices.isEmpty() ? List.of("auto") : devices) {
                Device.parse(d);
                wanted.putIfAbsent(d, List.of());
            }
        }
        StringBuilder out = new StringBuilder();
        List<String> problems = new ArrayList<>();
        java(out);
        onnxRuntime(out);
        libraries(out);
        gpus(out);
        spark(out, config, problems);
        out.append("\nDevices\n");
        boolean cpuBenchmarked = false;
        for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
            Device requested = Device.parse(e.getKey());
            String who = e.getValue().isEmpty() ? "" : " (model" + (e.getValue().size() > 1 ? "s " : " ")
                    + String.join(", ", e.getValue()) + ")";
            ResolvedDevice resolved;
            try {
                resolved = OrtRuntime.resolve(requested, false);
            } catch (IllegalStateException refused) {
                out.append("  ").append(requested).append(who).append(": DOES NOT WORK: ")
                        .append(refused.getMessage().substring(refused.getMessage().indexOf(": ") + 2)).append('\n');
                problems.add(requested + " does not work");
                continue;
            }
            out.append("  ").append(requested).append(who).append(": ");
            out.append(resolved.fellBack() ? "works on the CPU only: " + resolved.note() : "works: " + resolved.note());
            out.append('\n');
            if (resolved.actual().kind() == Device.Kind.CPU && cpuBenchmarked) {
                continue;
            }
            cpuBenchmarked |= resolved.actual().kind() == Device.Kind.CPU;
            GpuOptions gpu = options.getOrDefault(e.getKey(), GpuOptions.DEFAULTS);
            if (resolved.actual().isGpu()) {
                out.append("    options: ").append(gpu.describe()).append('\n');
            }
            out.append("    ").append(benchmark(new SessionSettings(resolved, resolved.actual().isGpu() ? 0 : 1, gpu, null),
                    benchmark, problems, requested)).append('\n');
        }
        out.append('\n').append(problems.isEmpty() ? "OK: every configured device works."
                : "NOT OK: " + String.join("; ", problems) + ".").append('\n');
        return new Result(out.toString(), problems.isEmpty());
    }

    private static void java(StringBuilder out) {
        Runtime rt = Runtime.getRuntime();
        out.append("Java\n  ").append(System.getProperty("java.version")).append(" (")
                .append(System.getProperty("java.vendor")).append("), ").append(System.getProperty("java.home"))
                .append(", max heap ").append(ByteSize.format(rt.maxMemory())).append(", ")
                .append(rt.availableProcessors()).append(" cores\n");
    }

    private static void onnxRuntime(StringBuilder out) {
        OrtEnvironment env = OrtRuntime.environment();
        out.append("\nONNX Runtime\n  ").append(env.getVersion()).append("; execution providers in its jar: ");
        List<String> providers = new ArrayList<>();
        for (OrtProvider p : OrtEnvironment.getAvailableProviders()) {
            providers.add(p.getName());
        }
        out.append(String.join(", ", providers)).append('\n');
        String platform = "ai/onnxruntime/native/" + platform() + "/";
        for (String lib : NATIVE) {
            boolean present = OrtEnvironment.class.getClassLoader().getResource(platform + lib) != null;
            out.append("  ").append(lib).append(": ").append(present ? "in the jar" : "not in the jar").append('\n');
        }
    }

    private static String platform() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return "linux-" + (arch.equals("amd64") || arch.equals("x86_64") ? "x64" : "aarch64");
    }

    private static void libraries(StringBuilder out) {
        out.append("\nCUDA, cuDNN and TensorRT libraries (what ONNX Runtime's GPU providers load)\n");
        if (!DeviceLibraries.searchable()) {
            out.append("  not searched: the search follows the Linux loader\n");
            return;
        }
        List<String> all = new ArrayList<>(DeviceLibraries.CUDA_SONAMES);
        all.addAll(DeviceLibraries.TENSORRT_SONAMES);
        for (String soname : all) {
            out.append("  ").append(soname).append(": ").append(DeviceLibraries.locate(soname)
                    .map(where -> "found, " + where)
                    .orElse("MISSING: install " + DeviceLibraries.INSTALLS.get(soname)
                            + (DeviceLibraries.TENSORRT_SONAMES.contains(soname) ? " (only for device tensorrt)" : "")))
                    .append('\n');
        }
        out.append("  LD_LIBRARY_PATH=").append(System.getenv().getOrDefault("LD_LIBRARY_PATH", "")).append('\n');
    }

    private static void gpus(StringBuilder out) {
        out.append("\nGPUs\n");
        List<GpuInfo.Gpu> gpus = GpuInfo.all();
        if (gpus.isEmpty()) {
            out.append("  nvidia-smi lists none (not installed, no driver, or no GPU)\n");
        }
        for (GpuInfo.Gpu g : gpus) {
            out.append("  ").append(g.index()).append(": ").append(g.describe()).append(", ")
                    .append(ByteSize.format(g.memoryBytes())).append(", ").append(g.uuid()).append('\n');
        }
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        out.append("  CUDA_VISIBLE_DEVICES=").append(visible == null ? "(not set: all)" : visible).append('\n');
        out.append("  ONNX Runtime calls at once per GPU: ").append(OrtCalls.limit("gpu:0")).append(" (")
                .append(OrtCalls.LIMIT_ENV).append(")\n");
        out.append("  session memory budget per GPU: ").append(gpus.isEmpty() && System.getenv(SessionCache.GPU_BUDGET_ENV) == null
                ? "half of its memory (" + SessionCache.GPU_BUDGET_ENV + ")"
                : ByteSize.format(SessionCache.budget("gpu:0")) + " for gpu:0 (" + SessionCache.GPU_BUDGET_ENV + ")").append('\n');
    }

    private static void spark(StringBuilder out, RunConfig config, List<String> problems) {
        out.append("\nSpark GPU settings\n");
        Map<String, String> settings = new TreeMap<>();
        Map<String, String> source = new TreeMap<>();
        sparkDefaults().forEach((k, v) -> put(settings, source, k, v, "spark-defaults.conf"));
        System.getProperties().forEach((k, v) -> put(settings, source, k.toString(), v.toString(), "JVM system property"));
        String master = System.getProperty("spark.master");
        if (config != null) {
            config.sparkConf().forEach((k, v) -> put(settings, source, k, v, "the run config"));
            if (config.master() != null) {
                master = config.master();
            }
        }
        out.append("  master: ").append(master == null ? "(not set: spark-submit's, else local[*])" : master).append('\n');
        if (settings.isEmpty()) {
            out.append("  no GPU resource keys set: Spark does not schedule GPUs; every task of an executor uses its GPUs\n");
        }
        settings.forEach((k, v) -> out.append("  ").append(k).append('=').append(v).append(" (").append(source.get(k))
                .append(")\n"));
        if (master != null && master.startsWith("local") && settings.keySet().stream().anyMatch(k -> k.contains("resource.gpu"))) {
            problems.add("Spark GPU resource keys are set with a local master (local mode offers no GPU resource and the"
                    + " job would wait forever): remove them for local runs");
            out.append("  PROBLEM: GPU resource keys with a local master\n");
        }
    }

    private static void put(Map<String, String> settings, Map<String, String> source, String key, String value, String from) {
        if (key.matches("spark\\.(executor|task|worker|driver)\\.resource\\.gpu\\..*|spark\\.task\\.cpus|spark\\.executor\\.cores")) {
            settings.put(key, value);
            source.put(key, from);
        }
    }

    private static Map<String, String> sparkDefaults() {
        String dir = System.getenv("SPARK_CONF_DIR");
        if (dir == null && System.getenv("SPARK_HOME") != null) {
            dir = System.getenv("SPARK_HOME") + "/conf";
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (dir == null) {
            return out;
        }
        Path file = Path.of(dir, "spark-defaults.conf");
        if (Files.isRegularFile(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                return out;
            }
            p.forEach((k, v) -> out.put(k.toString(), v.toString().strip()));
        }
        return out;
    }

    private static String benchmark(SessionSettings settings, Duration duration, List<String> problems, Device requested) {
        try {
            DeviceBenchmark b = DeviceBenchmark.run(settings, duration);
            return String.format(Locale.ROOT, "benchmark: the probe graph %d times in %.1f s on %s: %.0f calls/s, %.3f ms a call",
                    b.runs(), b.seconds(), settings.device().actual(), b.runsPerSecond(), 1000 / b.runsPerSecond());
        } catch (Exception e) {
            problems.add(requested + " failed its benchmark");
            return "benchmark FAILED: " + e.getMessage();
        }
    }
}
