package io.seedgrid.jobs.render;

import java.math.BigInteger;

/** Seeds are unsigned 64-bit integers, as {@code torch.Generator.manual_seed} takes them. */
public final class Seeds {

    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Seeds() {
    }

    /** Parses a decimal seed in [0, 2^64 − 1] into the long with the same 64 bits. */
    public static long parse(String text) {
        BigInteger value;
        try {
            value = new BigInteger(text.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("a seed must be an integer in [0, 18446744073709551615], got '" + text + "'");
        }
        if (value.signum() < 0 || value.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("a seed must be in [0, 18446744073709551615] (unsigned 64-bit), got " + text.trim());
        }
        return value.longValue();
    }

    /** The decimal form of a seed read as unsigned. */
    public static String format(long seed) {
        return Long.toUnsignedString(seed);
    }
}
