package io.seedgrid.udf.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;

/** Field access on a seedgrid-metric.json node with errors that name the file and the field. */
final class SpecJson {
    private final JsonNode node;
    private final String file;
    private final String prefix;

    SpecJson(JsonNode node, String file, String prefix) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(file + ": " + (prefix.isEmpty() ? "the top level" : "'" + prefix + "'")
                    + " must be a JSON object");
        }
        this.node = node;
        this.file = file;
        this.prefix = prefix;
    }

    String where() {
        return file;
    }

    private String name(String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    IllegalArgumentException error(String field, String problem) {
        return new IllegalArgumentException(file + ": field '" + name(field) + "' " + problem);
    }

    private JsonNode required(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw error(field, "is missing");
        }
        return v;
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    SpecJson object(String field) {
        return new SpecJson(required(field), file, name(field));
    }

    String string(String field) {
        JsonNode v = required(field);
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw error(field, "must be a non-empty string, got " + v);
        }
        return v.asText();
    }

    int positiveInt(String field) {
        JsonNode v = required(field);
        if (!v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw error(field, "must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    double positiveDouble(String field) {
        JsonNode v = required(field);
        if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            throw error(field, "must be a positive number, got " + v);
        }
        return v.asDouble();
    }

    double[] doubles(String field, int length) {
        JsonNode v = required(field);
        if (!v.isArray() || v.size() != length) {
            throw error(field, "must be an array of " + length + " numbers, got " + v);
        }
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            if (!v.get(i).isNumber()) {
                throw error(field, "must hold numbers, element " + i + " is " + v.get(i));
            }
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    JsonNode array(String field) {
        JsonNode v = required(field);
        if (!v.isArray() || v.isEmpty()) {
            throw error(field, "must be a non-empty array, got " + v);
        }
        return v;
    }

    /** A relative path inside {@code dir} that exists (a file, or a directory when {@code directory}). */
    Path path(String field, Path dir, boolean directory) {
        String rel = string(field);
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(rel).normalize();
        if (Path.of(rel).isAbsolute() || !p.startsWith(base)) {
            throw error(field, "must be a path inside the model directory, got '" + rel + "'");
        }
        if (directory ? !Files.isDirectory(p) : !Files.isRegularFile(p)) {
            throw error(field, "names " + p + ", which does not exist" + (directory ? " as a directory" : ""));
        }
        return p;
    }
}
