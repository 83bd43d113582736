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
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The resolution rules with stand-in probes; the real probe is in {@link CudaProbeTest}. */
class OrtRuntimeTest {

    private static final String REASON = "libcudart.so.12 missing";

    private static final Function<Device, DeviceProbe> NEVER = d -> fail("cpu must never probe CUDA");
    private static final Function<Device, DeviceProbe> GPU = DeviceProbe::available;
    private static final Function<Device, DeviceProbe> NO_GPU = d -> DeviceProbe.unavailable(d, REASON);

    @Test
    void cpuIsCpuWithoutProbing() {
        ResolvedDevice d = OrtRuntime.resolve(Device.CPU, false, NEVER);
        assertEquals(Device.CPU, d.actual());
        assertEquals("cpu", d.note());
        assertFalse(d.fellBack());
    }

    @Test
    void cudaThatLoadsIsUsed() {
        List<Device> probed = new ArrayList<>();
        ResolvedDevice d = OrtRuntime.resolve(Device.cuda(1), false, g -> {
            probed.add(g);
            return GPU.apply(g);
        });
        assertEquals(List.of(Device.cuda(1)), probed);
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
    void aGpuThatWorksIsNamedWithItsDriverInTheNote() {
        Function<Device, DeviceProbe> l4 = g -> DeviceProbe.available(g, "NVIDIA L4, driver 550.54.15");
        assertEquals("cuda:1 (NVIDIA L4, driver 550.54.15)", OrtRuntime.resolve(Device.cuda(1), false, l4).note());
        assertEquals("cuda:0 (auto; NVIDIA L4, driver 550.54.15)", OrtRuntime.resolve(Device.AUTO, false, l4).note());
        assertEquals("tensorrt:2 (NVIDIA L4, driver 550.54.15)", OrtRuntime.resolve(Device.tensorrt(2), false, l4).note());
    }

    @Test
    void tensorRtIsProbedAsItselfAndFallsBackOnlyWhenAllowed() {
        List<Device> probed = new ArrayList<>();
        Function<Device, DeviceProbe> noTrt = g -> {
            probed.add(g);
            return DeviceProbe.unavailable(g, "libnvinfer.so.10 missing");
        };
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> OrtRuntime.resolve(Device.tensorrt(0), false, noTrt));
        assertTrue(e.getMessage().startsWith("tensorrt:0 is not available: libnvinfer.so.10 missing"), e.getMessage());
        ResolvedDevice d = OrtRuntime.resolve(Device.tensorrt(0), true, noTrt);
        assertEquals(Device.CPU, d.actual());
        assertTrue(d.fallbackAllowed());
        assertEquals(List.of(Device.tensorrt(0), Device.tensorrt(0)), probed);
    }

    @Test
    void onlyAutoAndAllowedFallbacksMayLeaveTheGpuAtSessionCreation() {
        assertTrue(OrtRuntime.resolve(Device.AUTO, false, GPU).fallbackAllowed());
        assertFalse(OrtRuntime.resolve(Device.cuda(0), false, GPU).fallbackAllowed());
        assertTrue(OrtRuntime.resolve(Device.cuda(0), true, GPU).fallbackAllowed());
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
