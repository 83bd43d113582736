package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.testing.Golden;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Metric test fixtures under src/test/resources/metrics and golden values under golden/metrics. */
final class Fixtures {
    private Fixtures() {
    }

    static Path resource(String name) {
        return Golden.resource(name);
    }

    static Path dir(String name) {
        return resource("metrics/" + name);
    }

    static RgbImage image(String name) {
        return png(dir("images/" + name + ".png"));
    }

    static RgbImage png(Path path) {
        try {
            return PngFile.decode(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode golden(String name) {
        return Golden.json("golden/metrics/" + name);
    }

    static OrtSession session(Path model) throws OrtException {
        return OrtEnvironment.getEnvironment().createSession(model.toString(), new OrtSession.SessionOptions());
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** Copies a fixture directory to {@code target} (for tests that edit the declaration). */
    static Path copyDir(Path source, Path target) throws IOException {
        try (var paths = Files.walk(source)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return target;
    }
}
