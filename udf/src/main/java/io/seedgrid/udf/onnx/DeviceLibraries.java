package io.seedgrid.udf.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the dynamic loader finds the shared libraries that ONNX Runtime's CUDA and TensorRT execution
 * providers need, and which it cannot find. ONNX Runtime's own exception says only "Failed to load shared
 * library"; this names the missing files and what installs them.
 *
 * <p>The lists are the {@code NEEDED} entries of {@code libonnxruntime_providers_cuda.so} and {@code
 * libonnxruntime_providers_tensorrt.so} 1.28.0 ({@code readelf -d}) plus cuDNN 9, which the CUDA provider
 * loads at run time (ONNX Runtime's CUDA EP requirements page). The search follows the Linux loader:
 * {@code LD_LIBRARY_PATH}, then {@code /etc/ld.so.cache}, then the default directories. It only explains a
 * failed probe and never decides whether CUDA is used.
 */
public final class DeviceLibraries {

    /** Shared libraries ONNX Runtime 1.28 CUDA needs: the NVIDIA driver, CUDA 12 and cuDNN 9. */
    public static final List<String> CUDA_SONAMES = List.of(
            "libcuda.so.1",
            "libcudart.so.12",
            "libcublas.so.12",
            "libcublasLt.so.12",
            "libcurand.so.10",
            "libcudnn.so.9");

    /** What TensorRT adds (ONNX Runtime 1.28's TensorRT provider links TensorRT 10). */
    public static final List<String> TENSORRT_SONAMES = List.of("libnvinfer.so.10", "libnvonnxparser.so.10");

    /** What installs each library (Debian/Ubuntu packages from NVIDIA's repository, or the pip wheels). */
    public static final Map<String, String> INSTALLS = installs();

    private static final List<String> DEFAULT_DIRS = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib");

    private DeviceLibraries() {
    }

    private static Map<String, String> installs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("libcuda.so.1", "the NVIDIA driver (525 or later for CUDA 12)");
        m.put("libcudart.so.12", "the CUDA 12 runtime (cuda-cudart-12-x, or pip nvidia-cuda-runtime-cu12)");
        m.put("libcublas.so.12", "cuBLAS 12 (libcublas-12-x, or pip nvidia-cublas-cu12)");
        m.put("libcublasLt.so.12", "cuBLAS 12 (libcublas-12-x, or pip nvidia-cublas-cu12)");
        m.put("libcurand.so.10", "cuRAND for CUDA 12 (libcurand-12-x, or pip nvidia-curand-cu12)");
        m.put("libcudnn.so.9", "cuDNN 9 for CUDA 12 (libcudnn9-cuda-12, or pip nvidia-cudnn-cu12)");
        m.put("libnvinfer.so.10", "TensorRT 10 (libnvinfer10, or pip tensorrt-cu12-libs)");
        m.put("libnvonnxparser.so.10", "TensorRT 10's ONNX parser (libnvonnxparsers10, or pip tensorrt-cu12-libs)");
        return Map.copyOf(m);
    }

    /** Whether the search can run: it follows the Linux loader. */
    public static boolean searchable() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    /** The libraries {@code device} needs: CUDA's, plus TensorRT's for {@code tensorrt:N}. */
    static List<String> needed(Device device) {
        if (device.kind() != Device.Kind.TENSORRT) {
            return CUDA_SONAMES;
        }
        List<String> all = new ArrayList<>(CUDA_SONAMES);
        all.addAll(TENSORRT_SONAMES);
        return List.copyOf(all);
    }

    /** The CUDA libraries this Linux machine's loader would not find. */
    static List<String> missingCuda() {
        return missing(CUDA_SONAMES);
    }

    /** Which of {@code sonames} this Linux machine's loader would not find. */
    static List<String> missing(List<String> sonames) {
        return missing(sonames, ldLibraryPath(), Path.of("/etc/ld.so.cache"), DEFAULT_DIRS);
    }

    /**
     * Where the loader would find {@code soname}: the file in a searched directory, else "ld.so.cache"'s
     * entry, else empty.
     */
    public static Optional<String> locate(String soname) {
        for (String d : dirs(ldLibraryPath(), DEFAULT_DIRS)) {
            Path candidate = Path.of(d).resolve(soname);
            if (Files.exists(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        String cache = readCache(Path.of("/etc/ld.so.cache"));
        int at = cache.indexOf("/" + soname + "\0");
        if (at >= 0) {
            int begin = cache.lastIndexOf('\0', at) + 1;
            return Optional.of(cache.substring(begin, at + soname.length() + 1) + " (ld.so.cache)");
        }
        return cache.contains("\0" + soname + "\0") ? Optional.of(soname + " (ld.so.cache)") : Optional.empty();
    }

    /**
     * The sonames found neither in a directory of {@code ldLibraryPath} (colon-separated), nor in the
     * loader cache file, nor in one of {@code defaultDirs}.
     */
    static List<String> missing(List<String> sonames, String ldLibraryPath, Path ldSoCache, List<String> defaultDirs) {
        List<String> dirs = dirs(ldLibraryPath, defaultDirs);
        String cache = readCache(ldSoCache);
        List<String> missing = new ArrayList<>();
        for (String soname : sonames) {
            if (!inDirs(soname, dirs) && !inCache(soname, cache)) {
                missing.add(soname);
            }
        }
        return List.copyOf(missing);
    }

    /** "what installs it" for each of {@code missing}, without repeats, for messages. */
    public static String installHint(List<String> missing) {
        List<String> hints = new ArrayList<>();
        for (String soname : missing) {
            String hint = INSTALLS.getOrDefault(soname, soname);
            if (!hints.contains(hint)) {
                hints.add(hint);
            }
        }
        return String.join("; ", hints);
    }

    private static String ldLibraryPath() {
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        return ldPath == null ? "" : ldPath;
    }

    private static List<String> dirs(String ldLibraryPath, List<String> defaultDirs) {
        List<String> dirs = new ArrayList<>();
        for (String d : ldLibraryPath.split(":")) {
            if (!d.isBlank()) {
                dirs.add(d);
            }
        }
        dirs.addAll(defaultDirs);
        return dirs;
    }

    private static boolean inDirs(String soname, List<String> dirs) {
        for (String d : dirs) {
            if (Files.exists(Path.of(d).resolve(soname))) {
                return true;
            }
        }
        return false;
    }

    /** ld.so.cache holds each soname and each full path as NUL-terminated strings. */
    private static boolean inCache(String soname, String cache) {
        return cache.contains("\0" + soname + "\0") || cache.contains("/" + soname + "\0");
    }

    private static String readCache(Path ldSoCache) {
        try {
            return Files.isReadable(ldSoCache)
                    ? new String(Files.readAllBytes(ldSoCache), StandardCharsets.ISO_8859_1)
                    : "";
        } catch (IOException e) {
            return "";
        }
    }
}
