package io.seedgrid.udf.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link TorchGenerator} against torch.randn values written by
 * tools/reference/rng/make_randn_golden.py (Debian torch 1.13.1, AVX2 kernel). The comparison is
 * bit-exact: every float32 must have the same bits as torch's.
 */
class TorchGeneratorTest {

    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TorchGeneratorTest.class.getResourceAsStream("/golden/rng/randn.json")) {
            golden = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void reproducesTorchRandnBitForBit() {
        int draws = 0;
        for (JsonNode c : golden.get("cases")) {
            String seed = c.get("seed").asText();
            TorchGenerator g = TorchGenerator.ofUnsigned(seed);
            int d = 0;
            for (JsonNode draw : c.get("draws")) {
                String where = "seed " + seed + " draw " + d++ + " shape " + draw.get("shape");
                int numel = draw.get("numel").asInt();
                float[] x = g.randn(numel);
                if (draw.has("values")) {
                    assertBitsEqual(floats(draw.get("values")), x, where);
                } else {
                    assertSummary(draw, x, where);
                }
                draws++;
            }
        }
        assertTrue(draws > 200, "golden file has too few draws: " + draws);
    }

    @Test
    void knownFirstValuesOfSeed42() {
        // torch.manual_seed(42); torch.randn(1, 4, 8, 8) starts 1.9269, 1.4873, 0.9007, -2.1055
        float[] x = new TorchGenerator(42).randn(256);
        assertEquals(1.9269153f, x[0], 1e-6f);
        assertEquals(1.4872841f, x[1], 1e-6f);
        assertEquals(0.9007172f, x[2], 1e-6f);
        assertEquals(-2.1055210f, x[3], 1e-6f);
    }

    @Test
    void seedsEqualModulo2To32GiveTheSameStreamButKeepTheirSeed() {
        TorchGenerator a = new TorchGenerator(5);
        TorchGenerator b = new TorchGenerator((1L << 32) + 5);
        assertArrayEquals(a.randn(100), b.randn(100));
        assertNotEquals(a.seed(), b.seed());
        assertEquals("18446744073709551615", Long.toUnsignedString(TorchGenerator.ofUnsigned("18446744073709551615").seed()));
    }

    @Test
    void copyContinuesTheSameStreamIncludingTheCachedNormal() {
        TorchGenerator g = new TorchGenerator(3);
        g.randn(3); // leaves a cached second Box-Muller value
        TorchGenerator h = g.copy();
        assertArrayEquals(g.randn(1), h.randn(1));
        assertArrayEquals(g.randn(40), h.randn(40));
    }

    @Test
    void fillNormalWritesOnlyItsRange() {
        float[] expected = new TorchGenerator(9).randn(20);
        float[] out = new float[24];
        new TorchGenerator(9).fillNormal(out, 2, 20);
        assertEquals(0f, out[0]);
        assertEquals(0f, out[23]);
        for (int i = 0; i < 20; i++) {
            assertEquals(expected[i], out[i + 2]);
        }
    }

    @Test
    void rejectsBadArguments() {
        TorchGenerator g = new TorchGenerator(0);
        assertThrows(IllegalArgumentException.class, () -> g.randn(-1));
        assertThrows(IllegalArgumentException.class, () -> g.fillNormal(new float[4], 2, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchGenerator.ofUnsigned("-3"));
        assertTrue(e.getMessage().contains("[0, 2^64)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TorchGenerator.ofUnsigned("18446744073709551616"));
        assertEquals(0, g.randn(0).length);
    }

    private static void assertSummary(JsonNode draw, float[] x, String where) {
        assertBitsEqual(floats(draw.get("first")), Arrays.copyOfRange(x, 0, 16), where + " first");
        assertBitsEqual(floats(draw.get("last")), Arrays.copyOfRange(x, x.length - 16, x.length), where + " last");
        Iterator<Map.Entry<String, JsonNode>> samples = draw.get("samples").fields();
        while (samples.hasNext()) {
            Map.Entry<String, JsonNode> s = samples.next();
            int i = Integer.parseInt(s.getKey());
            assertEquals(Float.floatToIntBits((float) s.getValue().asDouble()), Float.floatToIntBits(x[i]), where + " index " + i);
        }
        double sum = 0;
        double sumSquares = 0;
        for (float v : x) {
            sum += v;
            sumSquares += (double) v * v;
        }
        assertEquals(draw.get("sha256").asText(), sha256LittleEndian(x), where + " SHA-256 of all values");
        // torch sums float64 in a different order: allow rounding of the summation only.
        assertEquals(draw.get("sum").asDouble(), sum, 1e-9 * x.length, where + " sum");
        assertEquals(draw.get("sumSquares").asDouble(), sumSquares, 1e-9 * x.length, where + " sum of squares");
    }

    private static String sha256LittleEndian(float[] x) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(x);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String where) {
        assertEquals(expected.length, actual.length, where + " length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i]) && !(expected[i] == 0 && actual[i] == 0)) {
                throw new AssertionError(where + " element " + i + ": expected " + expected[i] + " got " + actual[i]
                        + " (diff " + (actual[i] - expected[i]) + ")");
            }
        }
    }

    private static float[] floats(JsonNode array) {
        float[] f = new float[array.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) array.get(i).asDouble();
        }
        return f;
    }

    @Test
    void aDrawAheadIsTheNextDrawMadeEarlier() {
        TorchGenerator plain = new TorchGenerator(42);
        TorchGenerator ahead = new TorchGenerator(42);
        assertArrayEquals(plain.randn(1000), ahead.randn(1000));
        ahead.drawAhead(4096);
        ahead.drawAhead(4096);   // already ahead: the same draw, not a second one
        TorchGenerator copy = ahead.copy();
        float[] next = plain.randn(4096);
        assertArrayEquals(next, ahead.randn(4096));
        assertArrayEquals(next, copy.randn(4096), "a copy carries the draw ahead");
        float[] after = plain.randn(4096);
        assertArrayEquals(after, ahead.randn(4096), "the stream goes on as without the draw ahead");
        assertArrayEquals(after, copy.randn(4096));
        TorchGenerator other = new TorchGenerator(7);
        other.drawAhead(64);
        assertThrows(IllegalStateException.class, () -> other.randn(32), "a draw of another size would break the stream");
        assertThrows(IllegalStateException.class, () -> other.fillNormal(new float[64], 0, 64));
        assertThrows(IllegalStateException.class, () -> other.drawAhead(32));
    }
}
