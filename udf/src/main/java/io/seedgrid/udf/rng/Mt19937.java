package io.seedgrid.udf.rng;

/**
 * The 32-bit Mersenne Twister exactly as torch's CPU generator runs it
 * (aten/src/ATen/core/MT19937RNGEngine.h, after Matsumoto and Nishimura's mt19937ar).
 *
 * <p>Seeding keeps only the low 32 bits of the 64-bit seed ({@code state[0] = seed & 0xffffffff}), so torch
 * seeds that differ by a multiple of 2<sup>32</sup> give the same stream; {@link TorchGenerator} keeps
 * the full seed for provenance. Not thread-safe: one instance belongs to one image.
 */
final class Mt19937 {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;

    Mt19937(long seed) {
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            int prev = state[j - 1];
            state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
        }
        next = N; // torch starts with left_ = 1: the first draw regenerates the whole block
    }

    private Mt19937(Mt19937 other) {
        System.arraycopy(other.state, 0, state, 0, N);
        next = other.next;
    }

    Mt19937 copy() {
        return new Mt19937(this);
    }

    /** The next 32 random bits (an unsigned 32-bit value in Java's int). */
    int nextInt() {
        if (next == N) {
            regenerate();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** torch's {@code random64()}: the first 32-bit draw is the high word. */
    long nextLong() {
        long hi = nextInt() & 0xffffffffL;
        long lo = nextInt() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    private void regenerate() {
        int k = 0;
        for (; k < N - M; k++) {
            state[k] = state[k + M] ^ twist(state[k], state[k + 1]);
        }
        for (; k < N - 1; k++) {
            state[k] = state[k + M - N] ^ twist(state[k], state[k + 1]);
        }
        state[N - 1] = state[M - 1] ^ twist(state[N - 1], state[0]);
        next = 0;
    }

    private static int twist(int u, int v) {
        int mixed = (u & UPPER_MASK) | (v & LOWER_MASK);
        return (mixed >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
    }
}
