package io.seedgrid.udf.metrics;

/**
 * SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators"): a fixed,
 * documented stream, so seeded bootstrap intervals are the same on every JVM and in the Python
 * reference (tools/reference/metrics/bootstrap_reference.py).
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long next() {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** next() mod n, unsigned (bias below n / 2^64, negligible for group sizes). */
    int nextIndex(int n) {
        return (int) Long.remainderUnsigned(next(), n);
    }
}
