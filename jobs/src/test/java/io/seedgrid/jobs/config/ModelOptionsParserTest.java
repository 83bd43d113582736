package io.seedgrid.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.udf.onnx.GpuOptions;
import io.seedgrid.udf.onnx.TensorRtOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model entry's gpu: and tensorrt: keys, through the run config parser to ONNX Runtime's option strings. */
class ModelOptionsParserTest {

    private static String config(String models, String extra) {
        return """
                run: gpu
                output: out
                models:
                %s
                prompts: [a red circle]
                seeds: [1]
                width: 1024
                height: 768
                batch_size: 4
                %s
                recipes:
                  - {name: base, kind: base, model: sdxl, steps: 4}
                """.formatted(models.indent(2).stripTrailing(), extra);
    }

    private static RunConfig parse(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, yaml);
        return RunConfigParser.parse(file);
    }

    private static String error(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, yaml);
        return assertThrows(ConfigException.class, () -> RunConfigParser.parse(file)).getMessage();
    }

    @Test
    void everyGpuKeyReachesOnnxRuntimesOptions(@TempDir Path dir) throws Exception {
        RunConfig c = parse(dir, config("""
                sdxl:
                  path: models/sdxl
                  device: cuda:1
                  gpu:
                    conv_algo_search: exhaustive
                    memory_limit: 20g
                    arena_extend_strategy: next_power_of_two
                    copy_in_default_stream: false
                    tf32: false
                """, ""));
        GpuOptions gpu = c.models().get("sdxl").gpu();
        assertEquals(Map.of("device_id", "1", "cudnn_conv_algo_search", "EXHAUSTIVE", "gpu_mem_limit", "21474836480",
                "arena_extend_strategy", "kNextPowerOfTwo", "do_copy_in_default_stream", "0", "use_tf32", "0"),
                gpu.cudaProviderOptions(1));
        assertTrue(c.canonicalJson().contains("\"conv_algo_search\":\"exhaustive\""), c.canonicalJson());
    }

    @Test
    void withoutGpuKeysTheDefaultsApplyAndTheRunsIdentityIsUnchanged(@TempDir Path dir) throws Exception {
        RunConfig plain = parse(dir, config("sdxl: {path: models/sdxl, device: cuda}", ""));
        assertEquals(GpuOptions.DEFAULTS, plain.models().get("sdxl").gpu());
        assertFalse(plain.canonicalJson().contains("\"gpu\":{"), plain.canonicalJson());
        RunConfig deterministic = parse(dir, config("sdxl: {path: models/sdxl, device: cuda, gpu: {deterministic: true}}", ""));
        assertEquals(GpuOptions.deterministicDefaults(), deterministic.models().get("sdxl").gpu());
        assertNotEquals(plain.identityHash(), deterministic.identityHash(), "deterministic mode changes the pixels");
    }

    @Test
    void tensorRtIsOptInWithAProfileForTheRunsBatchAndSize(@TempDir Path dir) throws Exception {
        RunConfig c = parse(dir, config("""
                sdxl:
                  path: models/sdxl
                  device: tensorrt:2
                  tensorrt: {fp16: false, engine_cache: trt-engines}
                """, "long_prompt: chunk"));
        ModelConfig m = c.models().get("sdxl");
        assertEquals("tensorrt:2", m.device());
        assertEquals(new TensorRtOptions(false, dir.resolve("trt-engines").toString(), 4, 1024, 768,
                ModelOptionsParser.CHUNKED_PROMPT_CHUNKS), m.gpu().tensorRt());
        Map<String, String> trt = m.gpu().tensorRt().providerOptions(2, null);
        assertEquals("0", trt.get("trt_fp16_enable"));
        assertEquals(dir.resolve("trt-engines").toString(), trt.get("trt_engine_cache_path"));
    }

    @Test
    void optionsTravelWithTheModelToExecutors(@TempDir Path dir) throws Exception {
        Path tiny = Path.of(System.getProperty("seedgrid.repo"), "udf/src/test/resources/tiny-sdxl/fp32");
        RunConfig c = parse(dir, config("sdxl: {path: " + tiny + ", device: cuda:0, gpu: {memory_limit: 8g}}", ""));
        ModelIdentity identity = ModelIdentity.of(c.models().get("sdxl"));
        assertEquals(8L << 30, identity.gpu().memoryLimit());
        assertEquals(c.models().get("sdxl").gpu(), c.withModelDevice("sdxl", "cpu").models().get("sdxl").gpu());
    }

    @Test
    void badOptionsAreNamedWithTheirLine(@TempDir Path dir) throws Exception {
        assertTrue(error(dir, config("sdxl: {path: m, device: gpu:0}", "")).contains("tensorrt or tensorrt:N"));
        String search = error(dir, config("sdxl: {path: m, gpu: {conv_algo_search: fastest}}", ""));
        assertTrue(search.contains("heuristic, exhaustive or default") && search.contains("run.yaml:"), search);
        assertTrue(error(dir, config("sdxl: {path: m, gpu: {memory_limit: lots}}", "")).contains("memory_limit is a size"));
        assertTrue(error(dir, config("sdxl: {path: m, gpu: {deterministic: true, tf32: true}}", "")).contains("TF32"));
        assertTrue(error(dir, config("sdxl: {path: m, gpu: {warp_speed: 9}}", "")).contains("warp_speed"));
        assertTrue(error(dir, config("sdxl: {path: m, device: cuda, tensorrt: {fp16: true}}", ""))
                .contains("tensorrt options need device tensorrt"));
    }
}
