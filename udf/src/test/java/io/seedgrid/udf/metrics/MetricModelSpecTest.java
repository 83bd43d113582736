package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.ResampleFilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricModelSpecTest {

    @Test
    void readsTheThreeFixtureTypes() {
        LpipsSpec lpips = (LpipsSpec) MetricModelSpec.read(Fixtures.dir("lpips-tiny"));
        assertEquals("lpips", lpips.type());
        assertEquals(5, lpips.layers().size());
        assertEquals(48, lpips.channels(1));
        ImageEmbeddingSpec embed = (ImageEmbeddingSpec) MetricModelSpec.read(Fixtures.dir("embed-tiny"));
        ImagePreprocessing p = embed.image().preprocessing();
        assertEquals(72, p.size());
        assertEquals(64, p.cropSize());
        assertEquals(ImagePreprocessing.Resize.SHORTEST_EDGE, p.resize());
        assertEquals(ResampleFilter.BICUBIC, p.interpolation());
        ClipSpec clip = (ClipSpec) MetricModelSpec.read(Fixtures.dir("clip-tiny"));
        assertEquals("clip-tiny", clip.name());
        assertEquals(ImagePreprocessing.Resize.SQUASH, clip.image().preprocessing().resize());
        assertTrue(Files.isDirectory(clip.text().tokenizer()));
    }

    @Test
    void unknownTypeIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(MetricModelSpec.FILE), "{\"type\":\"fid\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricModelSpec.read(dir));
        assertTrue(e.getMessage().contains("unknown metric model type 'fid'"), e.getMessage());
    }

    @Test
    void missingFilesAndFieldsAreNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> MetricModelSpec.read(dir));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());

        Files.writeString(dir.resolve(MetricModelSpec.FILE), "{\"type\":\"image_embedding\",\"name\":\"x\"}");
        IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class,
                () -> MetricModelSpec.read(dir));
        assertTrue(noModel.getMessage().contains("model.onnx"), noModel.getMessage());

        Files.writeString(dir.resolve("model.onnx"), "");
        IllegalArgumentException noInput = assertThrows(IllegalArgumentException.class,
                () -> MetricModelSpec.read(dir));
        assertTrue(noInput.getMessage().contains("field 'input' is missing"), noInput.getMessage());

        Files.writeString(dir.resolve(MetricModelSpec.FILE), "{\"type\":\"image_embedding\",\"name\":\"x\","
                + "\"input\":\"i\",\"output\":\"o\",\"size\":224,\"resize\":\"shortest_edge\","
                + "\"interpolation\":\"lanczos\",\"crop\":\"center\",\"rescale\":0.0039,"
                + "\"mean\":[0,0,0],\"std\":[1,1,1]}");
        IllegalArgumentException badFilter = assertThrows(IllegalArgumentException.class,
                () -> MetricModelSpec.read(dir));
        assertTrue(badFilter.getMessage().contains("interpolation"), badFilter.getMessage());

        Files.writeString(dir.resolve(MetricModelSpec.FILE), "{not json");
        assertThrows(IllegalArgumentException.class, () -> MetricModelSpec.read(dir));
    }

    @Test
    void clipPathsMustStayInsideTheModelDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(MetricModelSpec.FILE), "{\"type\":\"clip\",\"name\":\"c\",\"image\":{"
                + "\"model\":\"../elsewhere.onnx\",\"input\":\"i\",\"output\":\"o\"},\"text\":{}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricModelSpec.read(dir));
        assertTrue(e.getMessage().contains("inside the model directory"), e.getMessage());
    }

    @Test
    void lpipsLayerAndWeightCountsMustAgree(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.onnx"), "");
        Files.writeString(dir.resolve(MetricModelSpec.FILE), "{\"type\":\"lpips\",\"version\":\"0.1\","
                + "\"input\":\"image\",\"layers\":[\"relu1\",\"relu2\"],\"weights\":[[0.1,0.2]]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricModelSpec.read(dir));
        assertTrue(e.getMessage().contains("1 vectors for 2 layers"), e.getMessage());
    }
}
