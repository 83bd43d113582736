package io.seedgrid.udf.metrics;

import java.nio.file.Path;

/** An image encoder ONNX file: {@code input} float32 [B,3,S,S] to {@code output} [B,D]. */
public record ImageEncoderSpec(Path model, String input, String output, ImagePreprocessing preprocessing) {

    static ImageEncoderSpec parse(SpecJson json, Path model) {
        return new ImageEncoderSpec(model, json.string("input"), json.string("output"), ImagePreprocessing.parse(json));
    }
}
