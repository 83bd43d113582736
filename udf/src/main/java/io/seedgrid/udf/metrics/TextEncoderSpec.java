package io.seedgrid.udf.metrics;

import java.nio.file.Path;

/**
 * A CLIP text encoder ONNX file: {@code input} int32/int64 [B,77] token ids to {@code output} [B,D],
 * and its tokenizer directory (Hugging Face CLIP format; tokenising is the caller's job).
 */
public record TextEncoderSpec(Path model, String input, String output, Path tokenizer) {

    static TextEncoderSpec parse(SpecJson json, Path dir) {
        Path tokenizer = json.path("tokenizer", dir, true);
        for (String f : new String[] {"vocab.json", "merges.txt"}) {
            if (!java.nio.file.Files.isRegularFile(tokenizer.resolve(f))) {
                throw json.error("tokenizer", "names " + tokenizer + ", which has no " + f
                        + " (a Hugging Face CLIP tokenizer directory is expected)");
            }
        }
        return new TextEncoderSpec(json.path("model", dir, false), json.string("input"), json.string("output"),
                tokenizer);
    }
}
