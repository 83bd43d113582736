package io.seedgrid.udf.metrics;

import java.nio.file.Files;
import java.nio.file.Path;

/** An image embedding model ({@code "type": "image_embedding"}): {@code model.onnx} and its preprocessing. */
public record ImageEmbeddingSpec(Path directory, String name, ImageEncoderSpec image) implements MetricModelSpec {
    static final String TYPE = "image_embedding";

    @Override
    public String type() {
        return TYPE;
    }

    static ImageEmbeddingSpec parse(SpecJson json, Path dir) {
        Path model = dir.toAbsolutePath().normalize().resolve("model.onnx");
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException(json.where() + ": an image embedding model needs " + model
                    + ", which does not exist");
        }
        return new ImageEmbeddingSpec(dir, json.string("name"), ImageEncoderSpec.parse(json, model));
    }
}
