package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real GPU probe on a machine without CUDA (this project's CI and build machines). It costs about
 * 5-7 s once per JVM (ONNX Runtime extracts its CUDA provider library first); skipped where the CUDA
 * libraries are installed.
 */
class CudaProbeTest {

    @Test
    void withoutCudaLibrariesCudaIsRefusedAndAutoFallsBack() {
        List<String> missing = requireNoCuda();

        DeviceUnavailableException refused = assertThrows(DeviceUnavailableException.class,
                () -> OrtRuntime.resolve(Device.cuda(0), false));
        String message = refused.getMessage();
        assertTrue(message.contains("CUDA 12 and cuDNN 9"), message);
        assertTrue(message.contains("Failed to load library"), message);
        for (String soname : missing) {
            assertTrue(message.contains(soname), message + " should name " + soname);
        }
        assertTrue(message.contains("Install ") && message.contains("cuDNN 9 for CUDA 12"), "says what to install: " + message);

        ResolvedDevice auto = OrtRuntime.resolve(Device.AUTO, false);
        assertEquals(Device.CPU, auto.actual());
        assertTrue(auto.fellBack());
        assertTrue(auto.note().startsWith("cpu (fallback from auto, cuda:0: ONNX Runtime could not add"), auto.note());

        DeviceProbe probe = OrtRuntime.cudaProbes().get(0);
        assertFalse(probe.available());
        assertSame(probe, OrtRuntime.probeCuda(0), "the probe is made once and remembered");
    }

    @Test
    void tensorRtNamesItsOwnLibrariesToo() {
        requireNoCuda();
        assumeFalse(DeviceLibraries.missing(DeviceLibraries.TENSORRT_SONAMES).isEmpty(), "TensorRT is installed here");

        DeviceUnavailableException refused = assertThrows(DeviceUnavailableException.class,
                () -> OrtRuntime.resolve(Device.tensorrt(1), false));
        assertTrue(refused.getMessage().startsWith("tensorrt:1 is not available: ONNX Runtime could not add its TensorRT"
                + " execution provider"), refused.getMessage());
        assertTrue(refused.getMessage().contains("libnvinfer.so.10"), refused.getMessage());
        assertTrue(refused.getMessage().contains("TensorRT 10"), refused.getMessage());
    }

    @Test
    void theCudaProviderTakesEveryOptionSeedgridWrites() throws Exception {
        requireNoCuda();
        GpuOptions options = new GpuOptions(GpuOptions.ConvAlgoSearch.EXHAUSTIVE, 3L << 30,
                GpuOptions.ArenaExtendStrategy.NEXT_POWER_OF_TWO, false, false, false, TensorRtOptions.DEFAULTS);
        // ONNX Runtime's own option object accepts the keys; only adding it to a session needs CUDA's libraries.
        try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(1)) {
            for (Map.Entry<String, String> e : options.cudaProviderOptions(1).entrySet()) {
                cuda.add(e.getKey(), e.getValue());
            }
            String written = cuda.getOptionsString();
            for (String pair : List.of("device_id=1", "cudnn_conv_algo_search=EXHAUSTIVE", "gpu_mem_limit=3221225472",
                    "arena_extend_strategy=kNextPowerOfTwo", "do_copy_in_default_stream=0", "use_tf32=0")) {
                assertTrue(written.contains(pair), written + " should hold " + pair);
            }
        }
    }

    @Test
    void autoFallsBackWhenAModelsSessionCannotBeCreatedOnTheGpu() {
        requireNoCuda();
        Path model = Path.of("src/test/resources/metrics/embed-tiny/model.onnx");
        // A resolution that chose the GPU (as a probe that passed would), then a session creation that fails.
        SessionSettings gpu = new SessionSettings(new ResolvedDevice(Device.AUTO, Device.cuda(5), "cuda:5 (auto)"), 1);

        OnnxModel loaded = SessionCache.get(model, gpu);

        assertEquals(Device.CPU, loaded.settings().device().actual());
        assertTrue(loaded.settings().device().note().startsWith("cpu (fallback from auto, cuda:5: creating the session for"
                + " model.onnx"), loaded.settings().device().note());
        assertTrue(loaded.settings().device().note().contains("libcudnn.so.9"), loaded.settings().device().note());
        assertFalse(OrtRuntime.probe(Device.cuda(5)).available(), "the GPU is not tried again in this JVM");

        SessionSettings strict = new SessionSettings(new ResolvedDevice(Device.cuda(6), Device.cuda(6), "cuda:6"), 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SessionCache.get(model, strict));
        assertTrue(e.getMessage().startsWith("cannot load " + model.toAbsolutePath().normalize()), e.getMessage());
        assertTrue(e.getMessage().contains("libcudnn.so.9"), e.getMessage());
    }

    private static List<String> requireNoCuda() {
        assumeTrue(DeviceLibraries.searchable(), "the library search follows the Linux loader");
        List<String> missing = DeviceLibraries.missingCuda();
        assumeFalse(missing.isEmpty(), "CUDA libraries are installed here");
        return missing;
    }
}
