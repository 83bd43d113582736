package io.seedgrid.udf.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.udf.testing.Golden;



import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 16-bit float conversions: exact widening, and narrowing from double to the nearest value with
 * ties to even (IEEE 754), checked on hand-derived cases and against an exact nearest-value search.
 */
class HalfTest {

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float f = Half.toFloat((short) bits);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromDouble(f))), Integer.toHexString(bits));
            } else {
                assertEquals(bits, Half.fromDouble(f) & 0xFFFF, Integer.toHexString(bits));
            }
        }
    }

    @Test
    void everyBfloat16SurvivesARoundTrip() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float f = Half.bfloat16ToFloat((short) bits);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.bfloat16ToFloat(Half.bfloat16FromDouble(f))));
            } else {
                assertEquals(bits, Half.bfloat16FromDouble(f) & 0xFFFF, Integer.toHexString(bits));
            }
        }
    }

    @Test
    void knownHalfValues() {
        assertEquals(0x3C00, half(1.0));
        assertEquals(0xC000, half(-2.0));
        assertEquals(0x7BFF, half(65504.0));
        assertEquals(0x0400, half(Math.scalb(1.0, -14)));  // smallest normal
        assertEquals(0x0001, half(Math.scalb(1.0, -24)));  // smallest subnormal
        assertEquals(0x8000, half(-0.0));
        assertEquals(0x7C00, half(Double.POSITIVE_INFINITY));
        assertEquals(0x3555, half(1.0 / 3));                // 0.333251953125, below 1/3 by 2^-12 / 3
        assertEquals(Math.scalb(1.0f, -24), Half.toFloat((short) 1));
        assertEquals(-65504f, Half.toFloat((short) 0xFBFF));
    }

    @Test
    void halfTiesGoToEven() {
        assertEquals(0x3C00, half(1 + Math.scalb(1.0, -11)));     // between 0x3C00 and 0x3C01
        assertEquals(0x3C02, half(1 + 3 * Math.scalb(1.0, -11))); // between 0x3C01 and 0x3C02
        assertEquals(0x3C01, half(1 + Math.scalb(1.0, -11) + Math.scalb(1.0, -40))); // just above a tie
        assertEquals(0x0000, half(Math.scalb(1.0, -25)));         // half the smallest subnormal
        assertEquals(0x0001, half(Math.nextUp(Math.scalb(1.0, -25))));
        assertEquals(0x0002, half(3 * Math.scalb(1.0, -25)));     // 1.5 subnormal units
        assertEquals(0x0400, half(1023.5 * Math.scalb(1.0, -24))); // largest subnormal / smallest normal
        assertEquals(0x7BFF, half(65519.99));
        assertEquals(0x7C00, half(65520.0));                       // tie with 65536: rounds to infinity
        assertEquals(0xFC00, half(-1e6));
    }

    @Test
    void bfloat16TiesGoToEven() {
        assertEquals(0x3F80, bf16(1 + Math.scalb(1.0, -8)));
        assertEquals(0x3F82, bf16(1 + 3 * Math.scalb(1.0, -8)));
        assertEquals(0x3F81, bf16(1 + Math.scalb(1.0, -8) + Math.scalb(1.0, -30)));
        assertEquals(0x0001, bf16(Math.scalb(1.0, -133)));          // smallest subnormal
        assertEquals(0x0000, bf16(Math.scalb(1.0, -134)));          // tie with zero
        assertEquals(0x7F80, bf16(1e39));
        assertEquals(0x7F7F, bf16(Math.scalb(2 - 0x1p-7, 127)));  // largest finite bfloat16
        assertEquals(0x7F80, bf16(Math.scalb(2 - 0x1p-8, 127)));  // tie with 2^128: rounds to infinity
        assertEquals(0x7F80, bf16(Float.MAX_VALUE));                // beyond that tie
    }

    @Test
    void narrowingPicksTheNearestValueForRandomDoubles() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            double x = (random.nextDouble() - 0.5) * Math.scalb(1.0, random.nextInt(-30, 17));
            assertNearest(x, half(x), true);
            double y = (random.nextDouble() - 0.5) * Math.scalb(1.0, random.nextInt(-140, 120));
            assertNearest(y, bf16(y), false);
        }
    }

    /** No other finite value of the format is nearer to x; at equal distance the result is even. */
    private static void assertNearest(double x, int bits, boolean isHalf) {
        BigDecimal target = new BigDecimal(x);
        BigDecimal distance = new BigDecimal(value(bits, isHalf)).subtract(target).abs();
        for (int neighbour : new int[] {bits - 1, bits + 1}) {
            float v = value(neighbour & 0xFFFF, isHalf);
            if (Float.isNaN(v) || Float.isInfinite(v) || ((neighbour ^ bits) & 0x8000) != 0) {
                continue;
            }
            int cmp = new BigDecimal(v).subtract(target).abs().compareTo(distance);
            assertTrue(cmp > 0 || (cmp == 0 && (bits & 1) == 0), "x=" + x + " -> " + Integer.toHexString(bits));
        }
    }

    private static float value(int bits, boolean isHalf) {
        return isHalf ? Half.toFloat((short) bits) : Half.bfloat16ToFloat((short) bits);
    }

    private static int half(double x) {
        return Half.fromDouble(x) & 0xFFFF;
    }

    private static int bf16(double x) {
        return Half.bfloat16FromDouble(x) & 0xFFFF;
    }

    @Test
    void roundsLikeNumpy() {
        JsonNode golden = Golden.json("golden/tensor/half.json");
        JsonNode floats = golden.get("float_bits");
        JsonNode halves = golden.get("half_bits");
        assertTrue(floats.size() > 1000);
        for (int i = 0; i < floats.size(); i++) {
            float value = Float.intBitsToFloat((int) floats.get(i).asLong());
            assertEquals(halves.get(i).asInt(), Half.fromFloat(value) & 0xffff, "float " + value);
        }
    }

}
