package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mapping from seedgrid's GPU options to the key/value strings ONNX Runtime's providers read. */
class GpuOptionsTest {

    @Test
    void defaultsDifferFromOnnxRuntimesWhereTheyHurtABatchJob() {
        assertEquals(Map.of("device_id", "0", "cudnn_conv_algo_search", "HEURISTIC",
                "arena_extend_strategy", "kSameAsRequested", "do_copy_in_default_stream", "1", "use_tf32", "1"),
                GpuOptions.DEFAULTS.cudaProviderOptions(0), "no gpu_mem_limit key: ONNX Runtime's no-limit default");
    }

    @Test
    void everyOptionReachesItsKey() {
        GpuOptions options = new GpuOptions(GpuOptions.ConvAlgoSearch.DEFAULT, 20L << 30,
                GpuOptions.ArenaExtendStrategy.NEXT_POWER_OF_TWO, false, false, false, TensorRtOptions.DEFAULTS);
        Map<String, String> cuda = options.cudaProviderOptions(3);
        assertEquals(List.of("device_id", "cudnn_conv_algo_search", "gpu_mem_limit", "arena_extend_strategy",
                "do_copy_in_default_stream", "use_tf32"), List.copyOf(cuda.keySet()));
        assertEquals("3", cuda.get("device_id"));
        assertEquals("DEFAULT", cuda.get("cudnn_conv_algo_search"));
        assertEquals("21474836480", cuda.get("gpu_mem_limit"));
        assertEquals("kNextPowerOfTwo", cuda.get("arena_extend_strategy"));
        assertEquals("0", cuda.get("do_copy_in_default_stream"));
        assertEquals("0", cuda.get("use_tf32"));
    }

    @Test
    void deterministicModeTurnsTf32OffAndRefusesExhaustiveSearch() {
        GpuOptions deterministic = GpuOptions.deterministicDefaults();
        assertEquals("0", deterministic.cudaProviderOptions(0).get("use_tf32"));
        assertEquals("HEURISTIC", deterministic.cudaProviderOptions(0).get("cudnn_conv_algo_search"));
        IllegalArgumentException tf32 = assertThrows(IllegalArgumentException.class, () -> new GpuOptions(
                GpuOptions.ConvAlgoSearch.HEURISTIC, 0, GpuOptions.ArenaExtendStrategy.SAME_AS_REQUESTED, true, true, true,
                TensorRtOptions.DEFAULTS));
        assertTrue(tf32.getMessage().contains("TF32"), tf32.getMessage());
        IllegalArgumentException exhaustive = assertThrows(IllegalArgumentException.class, () -> new GpuOptions(
                GpuOptions.ConvAlgoSearch.EXHAUSTIVE, 0, GpuOptions.ArenaExtendStrategy.SAME_AS_REQUESTED, true, false, true,
                TensorRtOptions.DEFAULTS));
        assertTrue(exhaustive.getMessage().contains("exhaustive"), exhaustive.getMessage());
    }

    @Test
    void namesAreReadInAnyCaseAndBadOnesListTheChoices() {
        assertEquals(GpuOptions.ConvAlgoSearch.EXHAUSTIVE, GpuOptions.ConvAlgoSearch.parse(" Exhaustive "));
        assertEquals(GpuOptions.ArenaExtendStrategy.NEXT_POWER_OF_TWO, GpuOptions.ArenaExtendStrategy.parse("next_power_of_two"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GpuOptions.ConvAlgoSearch.parse("fast"))
                .getMessage().contains("heuristic, exhaustive or default"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GpuOptions.ArenaExtendStrategy.parse("double"))
                .getMessage().contains("same_as_requested or next_power_of_two"));
        assertThrows(IllegalArgumentException.class, () -> GpuOptions.DEFAULTS.cudaProviderOptions(-1));
    }

    @Test
    void tensorRtComesFirstWithItsCacheAndProfileThenCuda() {
        TensorRtOptions trt = new TensorRtOptions(false, "/local/trt", 4, 1024, 768, 1);
        TensorRtProfile profile = new TensorRtProfile("sample:1x4x96x128", "sample:8x4x96x128", "sample:8x4x96x128");
        Map<String, Map<String, String>> providers = OrtRuntime.providerOptions(Device.tensorrt(2),
                GpuOptions.DEFAULTS.withTensorRt(trt), profile);

        assertEquals(List.of("tensorrt", "cuda"), List.copyOf(providers.keySet()));
        Map<String, String> t = providers.get("tensorrt");
        assertEquals("2", t.get("device_id"));
        assertEquals("0", t.get("trt_fp16_enable"));
        assertEquals("1", t.get("trt_engine_cache_enable"));
        assertEquals(Path.of("/local/trt").toString(), t.get("trt_engine_cache_path"));
        assertEquals(Path.of("/local/trt").toString(), t.get("trt_timing_cache_path"));
        assertEquals("sample:1x4x96x128", t.get("trt_profile_min_shapes"));
        assertEquals("sample:8x4x96x128", t.get("trt_profile_opt_shapes"));
        assertEquals("sample:8x4x96x128", t.get("trt_profile_max_shapes"));
        assertEquals("2", providers.get("cuda").get("device_id"));
        assertEquals(List.of("cuda"), List.copyOf(OrtRuntime.providerOptions(Device.cuda(0), GpuOptions.DEFAULTS, null)
                .keySet()));
    }

    @Test
    void tensorRtEnginesGoToTheLocalCacheByDefault() {
        assertEquals(LocalCache.root().resolve("tensorrt"), TensorRtOptions.DEFAULTS.engineCacheFolder());
        assertTrue(TensorRtOptions.DEFAULTS.fp16());
        assertThrows(IllegalArgumentException.class, () -> TensorRtOptions.DEFAULTS.forRun(4, 1001, 1024, 1));
    }

    @Test
    void profilesListEveryDynamicInput() {
        TensorRtProfile p = TensorRtProfile.of(new java.util.LinkedHashMap<>(Map.of(
                "timestep", new TensorRtProfile.Range(new long[] {1}, new long[] {8}, new long[] {8}))));
        assertEquals("timestep:1", p.min());
        assertEquals("timestep:8", p.max());
        assertThrows(IllegalArgumentException.class,
                () -> new TensorRtProfile.Range(new long[] {2}, new long[] {1}, new long[] {8}));
        assertThrows(IllegalArgumentException.class, () -> TensorRtProfile.of(Map.of("a:b", TensorRtProfile.Range.fixed(1))));
    }
}
