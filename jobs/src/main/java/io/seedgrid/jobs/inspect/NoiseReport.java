package io.seedgrid.jobs.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.render.Seeds;
import io.seedgrid.udf.rng.TorchGenerator;

import java.math.BigInteger;

/**
 * What {@code seedgrid inspect noise} prints: for a seed and a shape, consecutive draws of
 * {@code torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed))} from one generator —
 * draw 0 is the initial latent — each summarised by its first and last 16 values, sum and sum of squares.
 */
public final class NoiseReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most elements of one draw: 2^26 floats (256 MiB), the latent of a 32768 x 32768 image. */
    static final long MAX_ELEMENTS = 1L << 26;
    /** The most values drawn in all: 2^28, seconds of drawing. */
    static final long MAX_DRAWN = 1L << 28;

    private NoiseReport() {
    }

    public static String json(String seedText, String shapeText, int draws) {
        long seed = Seeds.parse(seedText);
        long[] shape = parseShape(shapeText);
        if (draws < 1) {
            throw new IllegalArgumentException("--draws must be at least 1, got " + draws);
        }
        long count = 1;
        for (long d : shape) {
            count = d > MAX_ELEMENTS ? MAX_ELEMENTS + 1 : Math.min(count * d, MAX_ELEMENTS + 1);
        }
        if (count > MAX_ELEMENTS) {
            throw new IllegalArgumentException("--shape " + shapeText + " has more than " + MAX_ELEMENTS
                    + " elements (1,4,4096,4096 has that many: the latent of a 32768 x 32768 image)");
        }
        if (count * draws > MAX_DRAWN) {
            throw new IllegalArgumentException("--draws " + draws + " of " + count + " elements draw more than " + MAX_DRAWN
                    + " values");
        }
        TorchGenerator generator = new TorchGenerator(seed);
        ObjectNode root = JSON.createObjectNode();
        root.put("seed", new BigInteger(Long.toUnsignedString(seed)));
        ArrayNode dims = root.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
        ArrayNode list = root.putArray("draws");
        for (int k = 0; k < draws; k++) {
            float[] values = generator.randn((int) count);
            ObjectNode draw = list.addObject();
            int n = Math.min(16, values.length);
            ArrayNode first = draw.putArray("first");
            ArrayNode last = draw.putArray("last");
            for (int i = 0; i < n; i++) {
                first.add(values[i]);
                last.add(values[values.length - n + i]);
            }
            double sum = 0;
            double squares = 0;
            for (float v : values) {
                sum += v;
                squares += (double) v * v;
            }
            draw.put("sum", sum);
            draw.put("sumsq", squares);
        }
        return root.toString();
    }

    private static long[] parseShape(String text) {
        String[] parts = text.split(",");
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shape must be comma-separated positive integers, e.g. 1,4,128,128; got '"
                        + text + "'");
            }
            if (shape[i] < 1) {
                throw new IllegalArgumentException("--shape dimensions must be positive, got " + text);
            }
        }
        return shape;
    }
}
