package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.testing.Golden;

import java.nio.file.Path;

/** The tiny SDXL-signature models of {@code tools/testmodels/} (test resources {@code tiny-sdxl/}). */
final class TinyModels {

    private TinyModels() {
    }

    static Path dir(String variant) {
        return Golden.resource("tiny-sdxl/" + variant);
    }

    static SdxlModel load(String variant) {
        return SdxlModel.load(ModelDirectory.open(dir(variant)), SessionSettings.cpu());
    }
}
