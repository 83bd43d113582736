package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OrtSession.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The resolution rules with stand-in probes; the real probe is in {@link CudaProbeTest}. */
class OrtRuntimeTest {

    private static final String REASON = "libcudart.so.12 missing";

    private static final IntFunction<DeviceProbe> NEVER = i -> fail("cpu must never probe CUDA");
    private static final IntFunction<DeviceProbe> GPU = i -> DeviceProbe.available(Device.cuda(i));
    private static final IntFunction<DeviceProbe> NO_GPU = i -> DeviceProbe.unavailable(Device.cuda(i), REASON);

    @Test
    void cpuIsCpuWithoutProbing() {
        ResolvedDevice d = OrtRuntime.resolve(Device.CPU, false, NEVER);
        assertEquals(Device.CPU, d.actual());
        assertEquals("cpu", d.note());
        assertFalse(d.fellBack());
    }

    @Test
    void cudaThatLoadsIsUsed() {
        List<Integer> probed = new ArrayList<>();
        ResolvedDevice d = OrtRuntime.resolve(Device.cuda(1), false, i -> {
            probed.add(i);
            return GPU.apply(i);
        });
        assertEquals(List.of(1), probed);
        assertEquals(Device.cuda(1), d.actual());
        assertEquals("cuda:1", d.note());
        assertFalse(d.fellBack());
    }

    @Test
    void cudaThatCannotLoadIsAnErrorSayingWhy() {
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> OrtRuntime.resolve(Device.cuda(0), false, NO_GPU));
        assertEquals(Device.cuda(0), e.device());
        assertTrue(e.getMessage().startsWith("cuda:0 is not available: " + REASON), e.getMessage());
        assertTrue(e.getMessage().contains("'auto'"), e.getMessage());
    }

    @Test
    void cudaWithFallbackAllowedFallsBackAndSaysSo() {
        ResolvedDevice d = OrtRuntime.resolve(Device.cuda(2), true, NO_GPU);
        assertEquals(Device.CPU, d.actual());
        assertEquals(Device.cuda(2), d.requested());
        assertTrue(d.fellBack());
        assertEquals("cpu (fallback from cuda:2: " + REASON + ")", d.note());
    }

    @Test
    void autoPrefersCudaZero() {
        ResolvedDevice d = OrtRuntime.resolve(Device.AUTO, false, GPU);
        assertEquals(Device.cuda(0), d.actual());
        assertEquals("cuda:0 (auto)", d.note());
        assertFalse(d.fellBack());
    }

    @Test
    void autoFallsBackEvenWhenFallbackIsNotAllowed() {
        ResolvedDevice d = OrtRuntime.resolve(Device.AUTO, false, NO_GPU);
        assertEquals(Device.CPU, d.actual());
        assertTrue(d.fellBack());
        assertEquals("cpu (fallback from auto, cuda:0: " + REASON + ")", d.note());
        assertEquals(d.note(), d.toString());
    }

    @Test
    void cpuOptionsNeverProbe() {
        var before = OrtRuntime.cudaProbes();
        try (SessionOptions options = OrtRuntime.options(Device.CPU, false)) {
            assertNotNull(options);
        }
        assertEquals(before, OrtRuntime.cudaProbes());
    }

    @Test
    void oneEnvironmentPerJvm() {
        assertSame(OrtRuntime.environment(), OrtRuntime.environment());
        assertEquals("1.28.0", OrtRuntime.environment().getVersion());
    }

    @Test
    void resolvedDeviceIsNeverAuto() {
        assertThrows(IllegalArgumentException.class, () -> new ResolvedDevice(Device.AUTO, Device.AUTO, "auto"));
        assertThrows(IllegalArgumentException.class, () -> new ResolvedDevice(Device.CPU, Device.CPU, " "));
    }
}
