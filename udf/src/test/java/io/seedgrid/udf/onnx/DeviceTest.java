package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceTest {

    @Test
    void parsesTheFourForms() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(Device.AUTO, Device.parse("auto"));
        assertEquals(new Device(Device.Kind.CUDA, 0), Device.parse("cuda"));
        assertEquals(new Device(Device.Kind.CUDA, 0), Device.parse("cuda:0"));
        assertEquals(new Device(Device.Kind.CUDA, 3), Device.parse("cuda:3"));
        assertEquals(Device.cuda(12), Device.parse("  CUDA:12 "));
        assertEquals(Device.CPU, Device.parse("CPU"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "auto", "cuda:0", "cuda:7", "tensorrt:0", "tensorrt:3"})
    void toStringIsReadBack(String text) {
        assertEquals(text, Device.parse(text).toString());
        assertEquals(Device.parse(text), Device.parse(Device.parse(text).toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gpu", "cuda:", "cuda:-1", "cuda:x", "cuda 0", "cuda:0:1", "mps", "cpu:0", "trt", "tensorrt:x"})
    void badTextNamesTheAcceptedForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(text));
        assertTrue(e.getMessage().contains("cpu, cuda, cuda:N"), e.getMessage());
        assertTrue(e.getMessage().contains("auto"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void nullIsRefusedWithTheAcceptedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(null));
        assertTrue(e.getMessage().contains(Device.ACCEPTED_FORMS), e.getMessage());
    }

    @Test
    void tensorRtIsAGpuDeviceSharingItsGpuWithCuda() {
        assertEquals(Device.tensorrt(0), Device.parse("TensorRT"));
        assertEquals(Device.tensorrt(2), Device.parse("tensorrt:2"));
        assertTrue(Device.tensorrt(1).isGpu());
        assertTrue(Device.tensorrt(1).wantsCuda());
        assertEquals(Device.cuda(1).physical(), Device.tensorrt(1).physical());
        assertEquals("cpu", Device.CPU.physical());
        assertFalse(Device.AUTO.isGpu());
    }

    @Test
    void onlyCudaHasAnIndex() {
        assertThrows(IllegalArgumentException.class, () -> new Device(Device.Kind.CPU, 1));
        assertThrows(IllegalArgumentException.class, () -> new Device(Device.Kind.AUTO, 1));
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
        assertThrows(IllegalArgumentException.class, () -> new Device(null, 0));
    }

    @Test
    void travelsInSparkClosures() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(Device.cuda(3));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(Device.cuda(3), in.readObject());
        }
    }

    @Test
    void cudaAndAutoWantCuda() {
        assertFalse(Device.CPU.wantsCuda());
        assertTrue(Device.AUTO.wantsCuda());
        assertTrue(Device.cuda(1).wantsCuda());
    }
}
