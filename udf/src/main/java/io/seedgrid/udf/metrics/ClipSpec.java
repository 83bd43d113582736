package io.seedgrid.udf.metrics;

import java.nio.file.Path;

/**
 * A CLIP pair ({@code "type": "clip"}): an image encoder (whose embeddings also serve as the image
 * embedding called {@code name}) and a text encoder with its tokenizer.
 */
public record ClipSpec(Path directory, String name, ImageEncoderSpec image, TextEncoderSpec text)
        implements MetricModelSpec {
    static final String TYPE = "clip";

    @Override
    public String type() {
        return TYPE;
    }

    static ClipSpec parse(SpecJson json, Path dir) {
        SpecJson image = json.object("image");
        return new ClipSpec(dir, json.string("name"), ImageEncoderSpec.parse(image, image.path("model", dir, false)),
                TextEncoderSpec.parse(json.object("text"), dir));
    }
}
