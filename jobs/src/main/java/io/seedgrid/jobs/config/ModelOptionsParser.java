package io.seedgrid.jobs.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.udf.onnx.ByteSize;
import io.seedgrid.udf.onnx.GpuOptions;
import io.seedgrid.udf.onnx.TensorRtOptions;
import io.seedgrid.udf.pipeline.LongPromptMode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A model entry's GPU options: its {@code gpu:} keys (ONNX Runtime's CUDA provider options) and, for
 * {@code device: tensorrt[:N]}, its {@code tensorrt:} keys. Every key is optional; the defaults are
 * {@link GpuOptions#DEFAULTS}, or {@link GpuOptions#deterministicDefaults()} under {@code deterministic: true}.
 *
 * <pre>
 *   gpu:
 *     conv_algo_search: heuristic        # heuristic | exhaustive | default
 *     memory_limit: 20g                  # ONNX Runtime's GPU arena limit; none by default
 *     arena_extend_strategy: same_as_requested   # or next_power_of_two
 *     copy_in_default_stream: true
 *     tf32: true                         # false under deterministic
 *     deterministic: false
 *   tensorrt:                            # only with device tensorrt[:N]
 *     fp16: true
 *     engine_cache: /local/ssd/trt       # default: the executor's local cache folder
 * </pre>
 */
final class ModelOptionsParser {

    /** Prompt chunks a TensorRT profile covers when prompts are chunked (231 tokens of text). */
    static final int CHUNKED_PROMPT_CHUNKS = 3;

    private ModelOptionsParser() {
    }

    /** The GPU options of model entry {@code m} asking for {@code device}. */
    static GpuOptions gpu(ConfigNode m, String device, Path dir) {
        ConfigNode gpu = m.get("gpu");
        GpuOptions options = GpuOptions.DEFAULTS;
        if (gpu != null) {
            gpu.allowOnly("conv_algo_search", "memory_limit", "arena_extend_strategy", "copy_in_default_stream", "tf32",
                    "deterministic");
            boolean deterministic = gpu.bool("deterministic", false);
            GpuOptions base = deterministic ? GpuOptions.deterministicDefaults() : GpuOptions.DEFAULTS;
            try {
                options = new GpuOptions(
                        gpu.has("conv_algo_search") ? GpuOptions.ConvAlgoSearch.parse(gpu.text("conv_algo_search", null))
                                : base.convAlgoSearch(),
                        gpu.has("memory_limit") ? ByteSize.parse(gpu.get("memory_limit").text(), "memory_limit") : 0,
                        gpu.has("arena_extend_strategy")
                                ? GpuOptions.ArenaExtendStrategy.parse(gpu.text("arena_extend_strategy", null))
                                : base.arenaExtendStrategy(),
                        gpu.bool("copy_in_default_stream", base.copyInDefaultStream()),
                        gpu.bool("tf32", base.tf32()),
                        deterministic,
                        TensorRtOptions.DEFAULTS);
            } catch (IllegalArgumentException e) {
                throw gpu.error(e.getMessage());
            }
        }
        ConfigNode trt = m.get("tensorrt");
        if (trt != null) {
            if (!device.startsWith("tensorrt")) {
                throw trt.error("tensorrt options need device tensorrt or tensorrt:N (the device is " + device + ")");
            }
            trt.allowOnly("fp16", "engine_cache");
            String cache = trt.has("engine_cache")
                    ? dir.resolve(trt.get("engine_cache").nonEmptyText()).normalize().toString() : null;
            options = options.withTensorRt(new TensorRtOptions(trt.bool("fp16", true), cache, 0, 0, 0, 1));
        }
        return options;
    }

    /**
     * The models with TensorRT profiles sized for the run: {@code batchSize} images per UNet call (2× rows
     * under guidance), the image size, and one prompt chunk ({@value #CHUNKED_PROMPT_CHUNKS} when prompts are
     * chunked). Models on other devices are returned as they are.
     */
    static Map<String, ModelConfig> sizeTensorRt(Map<String, ModelConfig> models, int batchSize, int width, int height,
                                                 LongPromptMode longPrompt) {
        Map<String, ModelConfig> sized = new LinkedHashMap<>();
        int chunks = longPrompt == LongPromptMode.CHUNK ? CHUNKED_PROMPT_CHUNKS : 1;
        models.forEach((name, m) -> sized.put(name, !m.device().startsWith("tensorrt") ? m
                : new ModelConfig(m.name(), m.path(), m.base(), m.device(), m.precision(),
                        m.gpu().withTensorRt(m.gpu().tensorRt().forRun(batchSize, width, height, chunks)))));
        return sized;
    }

    /** The options for the run's canonical form, when they are not the defaults. */
    static Optional<ObjectNode> canonical(GpuOptions gpu) {
        if (gpu.equals(GpuOptions.DEFAULTS)) {
            return Optional.empty();
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("conv_algo_search", gpu.convAlgoSearch().name().toLowerCase(java.util.Locale.ROOT));
        node.put("memory_limit", gpu.memoryLimit());
        node.put("arena_extend_strategy", gpu.arenaExtendStrategy().name().toLowerCase(java.util.Locale.ROOT));
        node.put("copy_in_default_stream", gpu.copyInDefaultStream());
        node.put("tf32", gpu.tf32());
        node.put("deterministic", gpu.deterministic());
        if (!gpu.tensorRt().equals(TensorRtOptions.DEFAULTS)) {
            node.putObject("tensorrt").put("fp16", gpu.tensorRt().fp16()).put("engine_cache", gpu.tensorRt().engineCache());
        }
        return Optional.of(node);
    }
}
