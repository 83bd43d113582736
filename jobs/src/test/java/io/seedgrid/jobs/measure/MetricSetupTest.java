package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.testing.TinyGrid;

import io.seedgrid.jobs.config.MeasureConfig;
import io.seedgrid.udf.onnx.Device;
import io.seedgrid.udf.onnx.OrtRuntime;
import io.seedgrid.udf.onnx.SessionSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metric model loading, column names, fingerprints and pair counts, without Spark. */
class MetricSetupTest {

    @Test
    void columnsFollowTheConfiguredModels() {
        assertEquals("clip_vit_l_14", MetricSuite.column("CLIP-ViT-L/14"));
        MetricColumns columns = new MetricColumns(true, List.of("embed_tiny"), true, false);
        assertEquals(List.of("lpips", "embed_tiny_distance", "ssim_distance"), columns.pairMetrics());
        assertEquals(List.of("lpips_mean", "embed_tiny_distance_mean", "ssim_distance_mean", "embed_tiny_vendi",
                "embed_tiny_vendi_q2", "embed_tiny_vendi_qinf", "pixel_vendi", "pixel_vendi_q2", "pixel_vendi_qinf",
                "clip_score_mean"), columns.groupMetrics());
        assertFalse(List.of(columns.pairSchema().fieldNames()).contains("ms_ssim_method"));
        assertTrue(List.of(columns.groupSchema().fieldNames()).contains("embed_tiny_distance_std"));
        MetricColumns weightFree = new MetricColumns(false, List.of(), false, true);
        assertEquals(List.of("ms_ssim_distance", "ssim_distance"), weightFree.pairMetrics());

        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> new MetricColumns(false, List.of("ms_ssim"), false, true));
        assertTrue(clash.getMessage().contains("'ms_ssim_distance'"), clash.getMessage());
    }

    @Test
    void suitesCheckNamesAndShareTheClipTower(@TempDir Path dir) throws Exception {
        Path models = TinyGrid.copyMetricModels(dir.resolve("models"));
        Path twin = dir.resolve("twin");
        TinyGrid.copyTree(models.resolve("embed-tiny"), twin);
        IllegalArgumentException sameName = assertThrows(IllegalArgumentException.class, () -> MetricSuite.get(
                new MetricModels(null, List.of(models.resolve("embed-tiny").toString(), twin.toString()), null, true),
                SessionSettings.cpu(1)));
        assertTrue(sameName.getMessage().contains("both named 'embed_tiny'"), sameName.getMessage());

        String clip = models.resolve("clip-tiny").toString();
        MetricSuite suite = MetricSuite.get(new MetricModels(null, List.of(clip), clip, true), SessionSettings.cpu(1));
        assertEquals(1, suite.encoders().size(), "the CLIP image tower is embedded once");
        assertEquals(0, suite.clipEncoder());
        assertTrue(suite.hasClip());

        IllegalArgumentException notLpips = assertThrows(IllegalArgumentException.class, () -> MetricSuite.get(
                new MetricModels(models.resolve("embed-tiny").toString(), List.of(), null, true), SessionSettings.cpu(1)));
        assertTrue(notLpips.getMessage().contains("not an LPIPS one"), notLpips.getMessage());

        IllegalArgumentException remote = assertThrows(IllegalArgumentException.class, () -> MetricModels.of(
                new MeasureConfig(null, List.of("s3a://bucket/embed"), null, null, 1000, true)));
        assertTrue(remote.getMessage().contains("local"), remote.getMessage());
    }

    @Test
    void theFingerprintFollowsModelContentNotPlace(@TempDir Path dir) throws Exception {
        Path a = TinyGrid.copyMetricModels(dir.resolve("a"));
        Path b = TinyGrid.copyMetricModels(dir.resolve("b"));
        MetricModels inA = new MetricModels(a.resolve("lpips-tiny").toString(), List.of(a.resolve("embed-tiny").toString()),
                null, true);
        MetricModels inB = new MetricModels(b.resolve("lpips-tiny").toString(), List.of(b.resolve("embed-tiny").toString()),
                null, true);
        assertEquals(MetricFingerprint.of(inA), MetricFingerprint.of(inB));
        assertNotEquals(MetricFingerprint.of(inA), MetricFingerprint.of(
                new MetricModels(inA.lpips(), inA.encoders(), null, false)));
        Path json = b.resolve("embed-tiny/seedgrid-metric.json");
        Files.writeString(json, Files.readString(json).replace("\"bicubic\"", "\"bilinear\""));
        assertNotEquals(MetricFingerprint.of(inA), MetricFingerprint.of(inB), "a changed declaration is another metric");
    }

    @Test
    void pairCountsOfLargeGroupsDoNotOverflow() {
        assertEquals(3, plan("a", 3).pairs());
        assertEquals(0, plan("b", 1).pairs());
        // 70,000 seeds of one prompt: 2,449,965,000 pairs, more than an int holds
        assertEquals(2_449_965_000L, plan("c", 70_000).pairs());
    }

    private static GroupPlan plan(String prompt, int n) {
        List<String> cells = java.util.stream.IntStream.range(0, n).mapToObj(i -> prompt + i).toList();
        return new GroupPlan(new GroupId(prompt, "r"), prompt, cells, 0, "key");
    }

    @Test
    void metricModelsGoToTheTasksGpuOrAVisibleOneAndFallBackToTheCpuSayingWhy(@TempDir Path dir) {
        SessionSettings none = MetricSuite.settingsFor(Device.CPU, false, 3);
        assertEquals(SessionSettings.cpu(3), none, "no GPU anywhere: the CPU with the task's cores, no probe");
        assertEquals("cpu", none.device().note());

        // a machine that shows a GPU: auto, i.e. CUDA 0 when the probe proves it, else the CPU and why
        SessionSettings visible = MetricSuite.settingsFor(Device.CPU, true, 2);
        boolean cuda = OrtRuntime.probeCuda(0).available();
        if (cuda) {
            assertTrue(visible.device().note().startsWith("cuda:0 (auto"), visible.device().note());
            assertEquals(0, visible.intraOpThreads());
        } else {
            assertTrue(visible.device().note().startsWith("cpu (fallback from auto, cuda:0: "), visible.device().note());
            assertEquals(2, visible.intraOpThreads(), "on the CPU the task's cores");
        }
        // the GPU Spark assigned to the task
        SessionSettings assigned = MetricSuite.settingsFor(Device.cuda(0), false, 4);
        assertTrue(assigned.device().note().startsWith(cuda ? "cuda:0" : "cpu (fallback from cuda:0: "),
                assigned.device().note());

        Path models = TinyGrid.copyMetricModels(dir.resolve("models"));
        String clip = models.resolve("clip-tiny").toString();
        MetricSuite suite = MetricSuite.get(new MetricModels(null, List.of(clip), clip, true), visible);
        assertEquals(visible.device().note(), suite.device(), "the rows' device column says where the models ran");
    }
}
