package io.seedgrid.udf.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which of the shared libraries that ONNX Runtime's CUDA execution provider needs the dynamic loader
 * cannot find. ONNX Runtime's own exception says only "Failed to load shared library"; this names the
 * missing files so that the error tells the user what to install.
 *
 * <p>The list is the {@code NEEDED} entries of {@code libonnxruntime_providers_cuda.so} 1.28.0 ({@code
 * readelf -d}) plus cuDNN 9, which it loads at run time (ONNX Runtime's CUDA EP requirements page). The
 * search follows the Linux loader: {@code LD_LIBRARY_PATH}, then {@code /etc/ld.so.cache}, then the
 * default directories. It only explains a failed probe and never decides whether CUDA is used.
 */
final class DeviceLibraries {

    /** Shared libraries ONNX Runtime 1.28 CUDA needs: the NVIDIA driver, CUDA 12 and cuDNN 9. */
    static final List<String> CUDA_SONAMES = List.of(
            "libcuda.so.1",
            "libcudart.so.12",
            "libcublas.so.12",
            "libcublasLt.so.12",
            "libcurand.so.10",
            "libcudnn.so.9");

    private static final List<String> DEFAULT_DIRS = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib");

    private DeviceLibraries() {
    }

    /** Whether {@link #missingCuda()} can search: the search follows the Linux loader. */
    static boolean searchable() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    /** The CUDA libraries this Linux machine's loader would not find. */
    static List<String> missingCuda() {
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        return missing(CUDA_SONAMES, ldPath == null ? "" : ldPath, Path.of("/etc/ld.so.cache"), DEFAULT_DIRS);
    }

    /**
     * The sonames found neither in a directory of {@code ldLibraryPath} (colon-separated), nor in the
     * loader cache file, nor in one of {@code defaultDirs}.
     */
    static List<String> missing(List<String> sonames, String ldLibraryPath, Path ldSoCache, List<String> defaultDirs) {
        List<String> dirs = new ArrayList<>();
        for (String d : ldLibraryPath.split(":")) {
            if (!d.isBlank()) {
                dirs.add(d);
            }
        }
        dirs.addAll(defaultDirs);
        String cache = readCache(ldSoCache);
        List<String> missing = new ArrayList<>();
        for (String soname : sonames) {
            if (!inDirs(soname, dirs) && !inCache(soname, cache)) {
                missing.add(soname);
            }
        }
        return List.copyOf(missing);
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
