package io.seedgrid.udf.sampler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads the golden files written by tools/reference/sampler/make_sampler_golden.py. */
final class Golden {

    private Golden() {
    }

    static JsonNode json(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/sampler/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/sampler/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SchedulerConfig sdxlConfig() {
        return SchedulerConfig.parse(text("sdxl_scheduler_config.json"));
    }

    /** float32 little-endian values from base64. */
    static float[] floats(String base64) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(f);
        return f;
    }

    static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }
}
