package io.seedgrid.udf.onnx;

import java.util.List;
import java.util.Locale;

/**
 * Turns ONNX Runtime's error for a GPU into a sentence that says what is missing and what to do: the
 * libraries the loader cannot find and what installs them, a device index this machine does not have, a
 * driver too old for CUDA 12, no visible GPU. ONNX Runtime's own words are kept in parentheses.
 */
final class DeviceDiagnosis {

    private DeviceDiagnosis() {
    }

    /** Why {@code gpu} does not work, from the exception ONNX Runtime threw for it. */
    static String explain(Throwable e, Device gpu) {
        String ort = e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage().replaceFirst("^Error code - \\S+ - message: ", "").strip();
        String lower = ort.toLowerCase(Locale.ROOT);
        String provider = gpu.kind() == Device.Kind.TENSORRT ? "TensorRT" : "CUDA";
        String version = OrtRuntime.environment().getVersion();
        if (lower.contains("invalid device") || lower.contains("invalid device ordinal")
                || lower.contains("device id") && lower.contains("less than")) {
            int count = GpuInfo.all().size();
            return gpu + " does not exist here: " + (count == 0 ? "nvidia-smi lists no GPU"
                    : "nvidia-smi lists " + count + " GPU" + (count == 1 ? "" : "s") + " (cuda:0 to cuda:" + (count - 1) + ")")
                    + visible() + " (ONNX Runtime: " + ort + ")";
        }
        if (lower.contains("insufficient") && lower.contains("driver")) {
            String driver = GpuInfo.all().stream().findFirst().map(g -> ", this one is " + g.driver()).orElse("");
            return "the NVIDIA driver is too old for CUDA 12: ONNX Runtime " + version + " needs 525 or later" + driver
                    + " (ONNX Runtime: " + ort + ")";
        }
        if (lower.contains("no cuda-capable device") || lower.contains("cudaerrornodevice")) {
            return "no GPU is visible to CUDA" + visible() + "; nvidia-smi lists " + GpuInfo.all().size()
                    + " (ONNX Runtime: " + ort + ")";
        }
        String failed = "ONNX Runtime could not add its " + provider + " execution provider (" + ort + "); ONNX Runtime "
                + version + " " + provider + " needs the NVIDIA driver, CUDA 12 and cuDNN 9 shared libraries"
                + (gpu.kind() == Device.Kind.TENSORRT ? " and TensorRT 10" : "");
        if (!DeviceLibraries.searchable()) {
            return failed;
        }
        List<String> needed = DeviceLibraries.needed(gpu);
        List<String> missing = DeviceLibraries.missing(needed);
        if (missing.isEmpty()) {
            return failed + ", and all of " + String.join(", ", needed)
                    + " were found, so see ONNX Runtime's log for the one that failed to load";
        }
        return failed + ", and the loader cannot find " + String.join(", ", missing)
                + " (searched LD_LIBRARY_PATH, /etc/ld.so.cache and the default library directories). Install "
                + DeviceLibraries.installHint(missing);
    }

    private static String visible() {
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        return visible == null ? "" : " (CUDA_VISIBLE_DEVICES=" + visible + ")";
    }
}
