package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real CUDA probe on a machine without CUDA (this project's CI and build machines). It costs about
 * 5-7 s once per JVM (ONNX Runtime extracts its CUDA provider library first); skipped where the CUDA
 * libraries are installed.
 */
class CudaProbeTest {

    @Test
    void withoutCudaLibrariesCudaIsRefusedAndAutoFallsBack() {
        assumeTrue(DeviceLibraries.searchable(), "the library search follows the Linux loader");
        List<String> missing = DeviceLibraries.missingCuda();
        assumeFalse(missing.isEmpty(), "CUDA libraries are installed here");

        DeviceUnavailableException refused = assertThrows(DeviceUnavailableException.class,
                () -> OrtRuntime.resolve(Device.cuda(0), false));
        String message = refused.getMessage();
        assertTrue(message.contains("CUDA 12 and cuDNN 9"), message);
        assertTrue(message.contains("Failed to load shared library"), message);
        for (String soname : missing) {
            assertTrue(message.contains(soname), message + " should name " + soname);
        }

        ResolvedDevice auto = OrtRuntime.resolve(Device.AUTO, false);
        assertEquals(Device.CPU, auto.actual());
        assertTrue(auto.fellBack());
        assertTrue(auto.note().startsWith("cpu (fallback from auto, cuda:0: ONNX Runtime could not add"), auto.note());

        DeviceProbe probe = OrtRuntime.cudaProbes().get(0);
        assertFalse(probe.available());
        assertSame(probe, OrtRuntime.probeCuda(0), "the probe is made once and remembered");
    }
}
