package io.seedgrid.udf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Test helpers: committed reference values and the repository's paths. */
public final class Golden {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {
    }

    /** A JSON test resource, e.g. {@code golden/tensor/half.json}. */
    public static JsonNode json(String resource) {
        try (InputStream in = Golden.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code {"shape", "dtype": "float32", "base64"}} array (little-endian, C order) as floats. */
    public static float[] floats(JsonNode array) {
        byte[] bytes = java.util.Base64.getDecoder().decode(array.get("base64").asText());
        java.nio.FloatBuffer buffer = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /** A {@code {"shape", "dtype": "uint8", "base64"}} array. */
    public static byte[] bytes(JsonNode array) {
        return java.util.Base64.getDecoder().decode(array.get("base64").asText());
    }

    /** A JSON array of numbers as doubles. */
    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    /** A test resource folder or file as a path. */
    public static Path resource(String resource) {
        try {
            var url = Golden.class.getResource("/" + resource);
            if (url == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The repository root (surefire sets {@code seedgrid.repo}). */
    public static Path repo() {
        String repo = System.getProperty("seedgrid.repo");
        return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
    }
}
