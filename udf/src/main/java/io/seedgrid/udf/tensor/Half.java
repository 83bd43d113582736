package io.seedgrid.udf.tensor;

/**
 * Conversions between float32/float64 and the two 16-bit float formats ONNX uses (Java 17 has no
 * {@code Float.floatToFloat16}): IEEE 754 binary16
 * (FLOAT16: 1 sign, 5 exponent, 10 fraction bits, bias 15) and bfloat16 (BFLOAT16: the upper 16
 * bits of a float32: 1 sign, 8 exponent, 7 fraction bits, bias 127).
 *
 * <p>Narrowing rounds once, directly from the double, to nearest with ties to even (IEEE 754
 * roundTiesToEven, what numpy's float64 to float16 cast does), with gradual underflow to
 * subnormals and overflow to infinity. Going through float32 first would round twice and can be
 * wrong in the last bit.
 */
public final class Half {

    private static final float[] HALF_TO_FLOAT = new float[1 << 16];
    /** Double bits of 2^-14, the smallest normal binary16. */
    private static final long HALF_MIN_NORMAL = 0x3F10_0000_0000_0000L;
    /** Double bits of 65520, from where binary16 rounding overflows to infinity. */
    private static final long HALF_OVERFLOW = 0x40EF_FE00_0000_0000L;

    static {
        for (int bits = 0; bits < HALF_TO_FLOAT.length; bits++) {
            HALF_TO_FLOAT[bits] = computeHalfToFloat(bits);
        }
    }

    private Half() {
    }

    /** The exact value of binary16 {@code bits} (every binary16 value is a float32 value). */
    public static float toFloat(short bits) {
        return HALF_TO_FLOAT[bits & 0xFFFF];
    }

    /** The exact value of bfloat16 {@code bits}. */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** {@code value} rounded to the nearest binary16, ties to even (as numpy's {@code astype(float16)}). */
    public static short fromFloat(float value) {
        return fromDouble(value); // float32 to float64 is exact, so this rounds once
    }

    /** {@code value} rounded to the nearest binary16, ties to even. */
    public static short fromDouble(double value) {
        long bits = Double.doubleToRawLongBits(value);
        long magnitude = bits & 0x7FFF_FFFF_FFFF_FFFFL;
        if (magnitude >= HALF_MIN_NORMAL && magnitude < HALF_OVERFLOW) {
            // Fast path for results that are normal binary16 numbers: rebias the exponent (1023 -> 15)
            // and drop 42 fraction bits, rounding to nearest even by adding (half ulp - 1 + lowest kept
            // bit) before truncating; a carry moves into the exponent as it should.
            long rebiased = magnitude - ((1023L - 15) << 52);
            long rounded = rebiased + ((1L << 41) - 1) + ((rebiased >>> 42) & 1);
            return (short) ((int) (bits >>> 48) & 0x8000 | (int) (rounded >>> 42));
        }
        return (short) narrow(value, 5, 10);
    }

    /** {@code value} rounded to the nearest bfloat16, ties to even. */
    public static short bfloat16FromDouble(double value) {
        return (short) narrow(value, 8, 7);
    }

    /**
     * Rounds a double to a binary format with {@code exponentBits} and {@code fractionBits}
     * (sign bit on top), ties to even. NaN stays NaN (quiet, sign and top payload bits kept).
     */
    private static int narrow(double value, int exponentBits, int fractionBits) {
        long bits = Double.doubleToRawLongBits(value);
        int sign = (int) (bits >>> 63) << (exponentBits + fractionBits);
        long magnitude = bits & 0x7FFF_FFFF_FFFF_FFFFL;
        int infinity = ((1 << exponentBits) - 1) << fractionBits;
        if (magnitude >= 0x7FF0_0000_0000_0000L) {
            if (magnitude == 0x7FF0_0000_0000_0000L) {
                return sign | infinity;
            }
            int payload = (int) (magnitude >>> (52 - fractionBits)) & ((1 << fractionBits) - 1);
            return sign | infinity | (1 << (fractionBits - 1)) | payload;
        }
        int bias = (1 << (exponentBits - 1)) - 1;
        int minExponent = 1 - bias;
        int exponent = (int) (magnitude >>> 52) - 1023;
        if (exponent > bias) {
            return sign | infinity;
        }
        if (exponent < minExponent - fractionBits - 1) {
            // Below half the smallest subnormal (or a double subnormal): rounds to zero.
            return sign;
        }
        // value = significand * 2^(exponent - 52) with the implicit leading one.
        long significand = (magnitude & 0x000F_FFFF_FFFF_FFFFL) | 0x0010_0000_0000_0000L;
        int shift = 52 - fractionBits + Math.max(0, minExponent - exponent);
        long kept = significand >>> shift;
        long rest = significand & ((1L << shift) - 1);
        long half = 1L << (shift - 1);
        if (rest > half || (rest == half && (kept & 1) == 1)) {
            kept++;
        }
        if (exponent < minExponent) {
            // Subnormal result; a carry into the implicit bit correctly yields the smallest normal.
            return sign | (int) kept;
        }
        // Normal: kept includes the implicit bit, so a carry out of the fraction bumps the exponent
        // (and past the largest finite value gives exactly the infinity encoding).
        return sign | (((exponent - minExponent) << fractionBits) + (int) kept);
    }

    private static float computeHalfToFloat(int bits) {
        int exponent = (bits >>> 10) & 0x1F;
        int fraction = bits & 0x3FF;
        if (exponent == 0x1F) {
            // Infinity, or NaN with its payload moved to the top of the float32 fraction.
            return Float.intBitsToFloat(((bits & 0x8000) << 16) | 0x7F80_0000 | (fraction << 13));
        }
        float magnitude = exponent == 0
                ? fraction * 0x1p-24f
                : (1024 + fraction) * (float) Math.scalb(1.0, exponent - 25);
        return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }
}
