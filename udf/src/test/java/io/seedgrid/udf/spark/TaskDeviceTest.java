package io.seedgrid.udf.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seedgrid.udf.onnx.Device;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** The resource mapping; tasks of a real cluster with GPU resources are in the jobs module's cluster test. */
class TaskDeviceTest {

    private static Map<String, ResourceInformation> gpus(String... addresses) {
        return Map.of("gpu", new ResourceInformation("gpu", addresses));
    }

    @Test
    void firstGpuAddressIsTheCudaDevice() {
        assertEquals(Device.cuda(0), TaskDevice.fromResources(gpus("0"), Device.CPU));
        assertEquals(Device.cuda(3), TaskDevice.fromResources(gpus("3", "1"), Device.CPU));
        assertEquals(Device.tensorrt(2), TaskDevice.fromResources(gpus("2"), Device.tensorrt(0)),
                "a TensorRT request stays TensorRT on the task's GPU");
    }

    @Test
    void noGpuResourceGivesTheFallback() {
        assertEquals(Device.CPU, TaskDevice.fromResources(Map.of(), Device.CPU));
        assertEquals(Device.AUTO, TaskDevice.fromResources(null, Device.AUTO));
        assertEquals(Device.CPU, TaskDevice.fromResources(gpus(), Device.CPU));
        assertEquals(Device.CPU, TaskDevice.fromResources(
                Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"})), Device.CPU));
    }

    @Test
    void outsideATaskTheFallbackIsUsed() {
        assertEquals(Device.cuda(1), TaskDevice.current(Device.cuda(1)));
        assertEquals(Device.CPU, TaskDevice.current(Device.CPU));
    }

    @Test
    void nonNumericAddressIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskDevice.fromResources(gpus("GPU-5f3a"), Device.CPU));
        assertTrue(e.getMessage().contains("'GPU-5f3a'") && e.getMessage().contains("gpu-discovery.sh"), e.getMessage());
    }

    @Test
    void fallbackIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> TaskDevice.fromResources(Map.of(), null));
    }
}
