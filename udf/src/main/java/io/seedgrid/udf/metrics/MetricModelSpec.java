package io.seedgrid.udf.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The declaration in a metric model directory's {@code seedgrid-metric.json} (the metric model
 * directory contract): what the model is, its ONNX files and input/output names and its
 * preprocessing. Parsing checks the JSON and that the files exist; the model classes
 * ({@link LpipsModel}, {@link ImageEmbedder}, {@link TextEmbedder}) then check it against the ONNX
 * session.
 */
public sealed interface MetricModelSpec permits LpipsSpec, ImageEmbeddingSpec, ClipSpec {
    /** The declaration's file name inside a metric model directory. */
    String FILE = "seedgrid-metric.json";

    /** The model directory the paths are resolved against. */
    Path directory();

    /** "lpips", "image_embedding" or "clip". */
    String type();

    /**
     * Reads {@code dir/seedgrid-metric.json}.
     *
     * @throws IllegalArgumentException when the file is missing, is not valid JSON, has an unknown
     *     {@code type}, misses a field or names a file that does not exist
     */
    static MetricModelSpec read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a metric model directory: " + file + " does not exist");
        }
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(json, dir);
    }

    /** Parses a declaration whose relative paths resolve against {@code dir}. */
    static MetricModelSpec parse(String json, Path dir) {
        SpecJson root;
        try {
            JsonNode node = new ObjectMapper().readTree(json);
            root = new SpecJson(node, dir.resolve(FILE).toString(), "");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(dir.resolve(FILE) + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        String type = root.string("type");
        return switch (type) {
            case LpipsSpec.TYPE -> LpipsSpec.parse(root, dir);
            case ImageEmbeddingSpec.TYPE -> ImageEmbeddingSpec.parse(root, dir);
            case ClipSpec.TYPE -> ClipSpec.parse(root, dir);
            default -> throw new IllegalArgumentException(root.where() + ": unknown metric model type '" + type
                    + "', expected \"lpips\", \"image_embedding\" or \"clip\"");
        };
    }
}
