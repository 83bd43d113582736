package io.seedgrid.udf.onnx;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How ONNX Runtime's CUDA (and TensorRT) execution provider runs a model: the options of
 * {@code OrtCUDAProviderOptions} that matter for SDXL, with seedgrid's defaults, which differ from ONNX
 * Runtime's where its defaults hurt a long batch job (see {@link #DEFAULTS}). Ignored on the CPU.
 *
 * <p>The option names and values written by {@link #cudaProviderOptions} are those ONNX Runtime 1.28's CUDA
 * provider parses (its {@code CUDAExecutionProviderInfo}: {@code device_id}, {@code cudnn_conv_algo_search}
 * EXHAUSTIVE|HEURISTIC|DEFAULT, {@code gpu_mem_limit} bytes, {@code arena_extend_strategy}
 * kNextPowerOfTwo|kSameAsRequested, {@code do_copy_in_default_stream} and {@code use_tf32} 0|1).
 *
 * @param convAlgoSearch      how cuDNN picks a convolution algorithm for each new input shape
 * @param memoryLimit         bytes ONNX Runtime's GPU memory arena may hold; 0 = no limit (ONNX Runtime's default)
 * @param arenaExtendStrategy how the arena grows when it needs more memory
 * @param copyInDefaultStream copies between host and GPU on the compute stream (ONNX Runtime's default; off may race)
 * @param tf32                TensorFloat-32 for fp32 matrix products and convolutions on Ampere and later GPUs
 * @param deterministic       reproducible mode: ONNX Runtime's deterministic compute, TF32 off, no exhaustive search
 * @param tensorRt            TensorRT options, used when the device is {@code tensorrt:N}
 */
public record GpuOptions(ConvAlgoSearch convAlgoSearch, long memoryLimit, ArenaExtendStrategy arenaExtendStrategy,
                         boolean copyInDefaultStream, boolean tf32, boolean deterministic, TensorRtOptions tensorRt)
        implements Serializable {

    /** cuDNN's convolution algorithm choice, per input shape ({@code cudnn_conv_algo_search}). */
    public enum ConvAlgoSearch {
        /**
         * cuDNN's heuristics ({@code cudnnGetConvolutionForwardAlgorithm_v7}): instant, the same choice for
         * the same shape on the same GPU and cuDNN. seedgrid's default.
         */
        HEURISTIC,
        /**
         * Benchmark every algorithm on the first call of each shape ({@code cudnnFindConvolutionForwardAlgorithmEx})
         * and keep the fastest: ONNX Runtime's default. Seconds per new shape, a large temporary workspace, and
         * the choice can change from one run to the next (timing noise).
         */
        EXHAUSTIVE,
        /** Always {@code CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM}. */
        DEFAULT;

        /** The name ONNX Runtime reads. */
        public String ortName() {
            return name();
        }

        /** Reads {@code heuristic}, {@code exhaustive} or {@code default} (any case). */
        public static ConvAlgoSearch parse(String text) {
            for (ConvAlgoSearch s : values()) {
                if (s.name().equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("conv_algo_search is heuristic, exhaustive or default, got '" + text + "'");
        }
    }

    /** How ONNX Runtime's GPU memory arena grows ({@code arena_extend_strategy}). */
    public enum ArenaExtendStrategy {
        /**
         * Grow by what is asked for: seedgrid's default. With SDXL's multi-GB weights and activations, growing
         * to the next power of two reserves up to twice what is used.
         */
        SAME_AS_REQUESTED("kSameAsRequested"),
        /** Grow to the next power of two: ONNX Runtime's default. */
        NEXT_POWER_OF_TWO("kNextPowerOfTwo");

        private final String ortName;

        ArenaExtendStrategy(String ortName) {
            this.ortName = ortName;
        }

        public String ortName() {
            return ortName;
        }

        /** Reads {@code same_as_requested} or {@code next_power_of_two} (any case). */
        public static ArenaExtendStrategy parse(String text) {
            for (ArenaExtendStrategy s : values()) {
                if (s.name().equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("arena_extend_strategy is same_as_requested or next_power_of_two, got '"
                    + text + "'");
        }
    }

    /**
     * seedgrid's defaults: heuristic convolution search (ONNX Runtime: exhaustive), no memory limit, the arena
     * growing by what is requested (ONNX Runtime: next power of two), copies in the default stream, TF32 on
     * (as ONNX Runtime and PyTorch's cuDNN convolutions), not deterministic, TensorRT with FP16.
     */
    public static final GpuOptions DEFAULTS = new GpuOptions(ConvAlgoSearch.HEURISTIC, 0,
            ArenaExtendStrategy.SAME_AS_REQUESTED, true, true, false, TensorRtOptions.DEFAULTS);

    public GpuOptions {
        if (convAlgoSearch == null || arenaExtendStrategy == null || tensorRt == null) {
            throw new IllegalArgumentException("GPU options need a conv algorithm search, an arena strategy and TensorRT options");
        }
        if (memoryLimit < 0) {
            throw new IllegalArgumentException("the GPU memory limit is bytes >= 0 (0 = no limit), got " + memoryLimit);
        }
        if (deterministic && tf32) {
            throw new IllegalArgumentException("deterministic mode turns TF32 off: do not set tf32: true with deterministic: true");
        }
        if (deterministic && convAlgoSearch == ConvAlgoSearch.EXHAUSTIVE) {
            throw new IllegalArgumentException("deterministic mode needs conv_algo_search heuristic or default: exhaustive"
                    + " search keeps whichever algorithm was fastest in this run, which can change from run to run");
        }
    }

    /**
     * The reproducible variant of the defaults: ONNX Runtime's deterministic compute, TF32 off, heuristic
     * search (a choice that depends only on the shape, the GPU and cuDNN).
     */
    public static GpuOptions deterministicDefaults() {
        return new GpuOptions(ConvAlgoSearch.HEURISTIC, 0, ArenaExtendStrategy.SAME_AS_REQUESTED, true, false, true,
                TensorRtOptions.DEFAULTS);
    }

    /** These options with other TensorRT options. */
    public GpuOptions withTensorRt(TensorRtOptions options) {
        return new GpuOptions(convAlgoSearch, memoryLimit, arenaExtendStrategy, copyInDefaultStream, tf32, deterministic,
                options);
    }

    /** The CUDA provider's options for GPU {@code deviceId}, as ONNX Runtime's key/value strings. */
    public Map<String, String> cudaProviderOptions(int deviceId) {
        if (deviceId < 0) {
            throw new IllegalArgumentException("a CUDA device id is >= 0, got " + deviceId);
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("device_id", Integer.toString(deviceId));
        options.put("cudnn_conv_algo_search", convAlgoSearch.ortName());
        if (memoryLimit > 0) {
            options.put("gpu_mem_limit", Long.toString(memoryLimit));
        }
        options.put("arena_extend_strategy", arenaExtendStrategy.ortName());
        options.put("do_copy_in_default_stream", copyInDefaultStream ? "1" : "0");
        options.put("use_tf32", tf32 ? "1" : "0");
        return options;
    }

    /** One line for logs and for {@code seedgrid doctor}. */
    public String describe() {
        return "conv_algo_search=" + convAlgoSearch.name().toLowerCase(Locale.ROOT)
                + ", memory_limit=" + (memoryLimit == 0 ? "none" : memoryLimit + " bytes")
                + ", arena_extend_strategy=" + arenaExtendStrategy.name().toLowerCase(Locale.ROOT)
                + ", copy_in_default_stream=" + copyInDefaultStream + ", tf32=" + tf32
                + ", deterministic=" + deterministic;
    }
}
