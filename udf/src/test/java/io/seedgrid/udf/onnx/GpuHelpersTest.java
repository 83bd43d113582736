package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** nvidia-smi's rows, CUDA_VISIBLE_DEVICES, sizes, the local cache folder and the diagnosis of ONNX Runtime's errors. */
class GpuHelpersTest {

    private static final String SMI = """
            0, GPU-5f3a1111-2222-3333-4444-555566667777, NVIDIA L4, 550.54.15, 23034
            1, GPU-9b2c1111-2222-3333-4444-555566667777, NVIDIA A100-SXM4-80GB, 550.54.15, 81920
            [N/A]
            """;

    @Test
    void nvidiaSmiRowsAreReadAndMappedThroughCudaVisibleDevices() {
        List<GpuInfo.Gpu> gpus = GpuInfo.parse(SMI);
        assertEquals(2, gpus.size());
        assertEquals("NVIDIA L4, driver 550.54.15", gpus.get(0).describe());
        assertEquals(81920L << 20, gpus.get(1).memoryBytes());

        assertEquals("NVIDIA L4", GpuInfo.select(gpus, null, 0).orElseThrow().name());
        assertEquals("NVIDIA A100-SXM4-80GB", GpuInfo.select(gpus, "1", 0).orElseThrow().name(), "cuda:0 is GPU 1");
        assertEquals("NVIDIA L4", GpuInfo.select(gpus, "1,0", 1).orElseThrow().name());
        assertEquals("NVIDIA A100-SXM4-80GB", GpuInfo.select(gpus, "GPU-9b2c", 0).orElseThrow().name(), "UUID prefix");
        assertEquals(Optional.empty(), GpuInfo.select(gpus, "0", 1), "only one GPU is visible");
        assertEquals(Optional.empty(), GpuInfo.select(gpus, null, 5));
    }

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertEquals(20L << 30, ByteSize.parse("20g", "x"));
        assertEquals(20L << 30, ByteSize.parse("20GiB", "x"));
        assertEquals(512L << 20, ByteSize.parse(" 512M ", "x"));
        assertEquals(1536L << 20, ByteSize.parse("1.5g", "x"));
        assertEquals(1000, ByteSize.parse("1000", "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("lots", "memory_limit"));
        assertTrue(e.getMessage().startsWith("memory_limit is a size"), e.getMessage());
        assertEquals("1.5 GiB", ByteSize.format(1536L << 20));
        assertEquals("12 bytes", ByteSize.format(12));
    }

    @Test
    void theLocalCacheIsOnSparksLocalDiskWhenItIsKnown() {
        assertEquals(Path.of("/mnt/ssd1/seedgrid"), LocalCache.root(Map.of("SPARK_LOCAL_DIRS", "/mnt/ssd1,/mnt/ssd2"), "/home/u"));
        assertEquals(Path.of("/xdg/seedgrid"), LocalCache.root(Map.of("XDG_CACHE_HOME", "/xdg"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/seedgrid"), LocalCache.root(Map.of(), "/home/u"));
    }

    @Test
    void errorsAreExplainedWithWhatToDo() {
        String badIndex = DeviceDiagnosis.explain(new RuntimeException(
                "Error code - ORT_FAIL - message: Invalid device ID: 7, must be between 0 (inclusive) and 1 (exclusive)."),
                Device.cuda(7));
        assertTrue(badIndex.startsWith("cuda:7 does not exist here: "), badIndex);
        assertTrue(badIndex.contains("(ONNX Runtime: Invalid device ID: 7"), badIndex);

        String driver = DeviceDiagnosis.explain(new RuntimeException(
                "CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version"), Device.cuda(0));
        assertTrue(driver.startsWith("the NVIDIA driver is too old for CUDA 12: ONNX Runtime 1.28.0 needs 525 or later"), driver);

        String noGpu = DeviceDiagnosis.explain(new RuntimeException("CUDA failure 100: no CUDA-capable device is detected"),
                Device.cuda(0));
        assertTrue(noGpu.startsWith("no GPU is visible to CUDA"), noGpu);
    }
}
