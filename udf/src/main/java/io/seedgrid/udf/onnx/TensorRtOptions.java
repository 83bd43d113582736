package io.seedgrid.udf.onnx;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX Runtime's TensorRT execution provider for a model ({@code device: tensorrt[:N]}): FP16, the folder
 * where built engines are kept (building an SDXL UNet engine takes minutes; the cache makes it once per
 * machine), and the shapes its optimisation profiles must cover.
 *
 * <p>TensorRT builds an engine for ranges of input shapes (a profile). A profile is built per sub-model from
 * {@code maxImages} (a batch's seeds: the UNet sees B rows without and 2B with guidance, and interval CFG
 * switches between them within one image), the image size and the number of 77-token prompt chunks; a shape
 * outside it makes TensorRT rebuild. 0 for {@code maxImages} means: no explicit profile (TensorRT builds for
 * the shapes it meets).
 *
 * @param fp16         TensorRT may run layers in FP16 ({@code trt_fp16_enable})
 * @param engineCache  folder for built engines and timing caches, or null for the executor's local cache folder
 * @param maxImages    images per UNet call (the run's batch size), 0 = no explicit profile
 * @param width        image width the profile covers (pixels)
 * @param height       image height the profile covers (pixels)
 * @param promptChunks 77-token chunks a prompt may use (1 unless prompts are chunked)
 */
public record TensorRtOptions(boolean fp16, String engineCache, int maxImages, int width, int height, int promptChunks)
        implements Serializable {

    /** FP16 on, engines in the local cache folder, no explicit profile. */
    public static final TensorRtOptions DEFAULTS = new TensorRtOptions(true, null, 0, 0, 0, 1);

    public TensorRtOptions {
        if (maxImages < 0 || width < 0 || height < 0 || promptChunks < 1) {
            throw new IllegalArgumentException("TensorRT profile sizes must be >= 0 (prompt chunks >= 1)");
        }
        if (maxImages > 0 && (width % 8 != 0 || height % 8 != 0 || width == 0 || height == 0)) {
            throw new IllegalArgumentException("a TensorRT profile needs the image size, a positive multiple of 8, got "
                    + width + "x" + height);
        }
    }

    /** These options with a profile for the run's batch size, image size and prompt chunks. */
    public TensorRtOptions forRun(int images, int imageWidth, int imageHeight, int chunks) {
        return new TensorRtOptions(fp16, engineCache, images, imageWidth, imageHeight, chunks);
    }

    /** The engine cache folder: the configured one, else {@code <local cache>/tensorrt}. */
    public Path engineCacheFolder() {
        return engineCache != null ? Path.of(engineCache) : LocalCache.root().resolve("tensorrt");
    }

    /**
     * The TensorRT provider's options for GPU {@code deviceId} and one sub-model's {@code profile} (null:
     * none), as ONNX Runtime 1.28's TensorRT provider reads them ({@code trt_*} keys).
     */
    public Map<String, String> providerOptions(int deviceId, TensorRtProfile profile) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("device_id", Integer.toString(deviceId));
        options.put("trt_fp16_enable", fp16 ? "1" : "0");
        String folder = engineCacheFolder().toAbsolutePath().toString();
        options.put("trt_engine_cache_enable", "1");
        options.put("trt_engine_cache_path", folder);
        options.put("trt_timing_cache_enable", "1");
        options.put("trt_timing_cache_path", folder);
        if (profile != null) {
            options.put("trt_profile_min_shapes", profile.min());
            options.put("trt_profile_opt_shapes", profile.opt());
            options.put("trt_profile_max_shapes", profile.max());
        }
        return options;
    }
}
