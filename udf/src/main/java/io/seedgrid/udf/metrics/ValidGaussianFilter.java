package io.seedgrid.udf.metrics;

/**
 * SSIM's 11-tap Gaussian window (sigma 1.5, normalised) applied as a separable correlation over the
 * valid region (no padding: a w x h plane gives (w - 10) x (h - 10)), streamed one output row at a
 * time: each input row is filtered horizontally once into a ring of the last 11 such rows, and an
 * output row is the vertical combination of the ring. The working set is 11 rows, so the pass stays in
 * the CPU cache, and the inner loops run over x, so the JIT vectorises them.
 *
 * <p>Every output value is computed in the same order as the earlier whole-plane filter
 * ({@link SsimBaseline}): horizontally {@code ((t0 p0 + t1 p1) + t2 p2) + ... + t10 p10}, then
 * vertically the same over the 11 horizontally filtered rows. (The earlier filter started its sums at
 * 0; 0 + t0 p0 equals t0 p0 except for -0, and the inputs here are never negative.) Java's floating
 * point is strict (left to right, no fused multiply-add unless asked for), so the results are bit for
 * bit those of the earlier filter.
 *
 * <p>Not thread-safe: one instance per thread and plane size; {@link #reset} starts a new plane.
 */
final class ValidGaussianFilter {

    /** Writes input row {@code y} (width values) into {@code out}. */
    @FunctionalInterface
    interface RowSource {
        void row(int y, double[] out);
    }

    /** exp(-x^2 / (2 sigma^2)) for x = -5..5, normalised to sum 1 (scipy's gaussian_filter, truncate 3.5). */
    static final double[] TAPS = gaussianTaps();
    /** Whether the Vector API is present, so that {@link SsimLanes} can load. */
    static final boolean LANES = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    // The taps as constants, so that each output is one expression the JIT vectorises over x.
    private static final double T0 = TAPS[0];
    private static final double T1 = TAPS[1];
    private static final double T2 = TAPS[2];
    private static final double T3 = TAPS[3];
    private static final double T4 = TAPS[4];
    private static final double T5 = TAPS[5];
    private static final double T6 = TAPS[6];
    private static final double T7 = TAPS[7];
    private static final double T8 = TAPS[8];
    private static final double T9 = TAPS[9];
    private static final double T10 = TAPS[10];

    private final boolean lanes;
    private final int width;
    private final int height;
    private final int outWidth;
    private final double[][] ring = new double[Ssim.WINDOW][];
    private final double[] input;
    private final double[] output;
    private RowSource source;
    private int nextRow;

    /** A filter for w x h planes, in SIMD lanes when the Vector API is present. */
    ValidGaussianFilter(int width, int height) {
        this(width, height, LANES);
    }

    /** {@code lanes}: whether to use {@link SsimLanes} (false: the scalar loops alone, for tests). */
    ValidGaussianFilter(int width, int height, boolean lanes) {
        if (width < Ssim.WINDOW || height < Ssim.WINDOW) {
            throw new IllegalArgumentException("the " + Ssim.WINDOW + "-tap window needs a plane of at least "
                    + Ssim.WINDOW + "x" + Ssim.WINDOW + ", got " + width + "x" + height);
        }
        this.lanes = lanes;
        this.width = width;
        this.height = height;
        this.outWidth = width - Ssim.WINDOW + 1;
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new double[outWidth];
        }
        this.input = new double[width];
        this.output = new double[outWidth];
    }

    /** Width of an output row: width - 10. */
    int outWidth() {
        return outWidth;
    }

    /** Number of output rows: height - 10. */
    int outHeight() {
        return height - Ssim.WINDOW + 1;
    }

    /** Starts filtering the plane that {@code source} yields row by row. */
    void reset(RowSource source) {
        this.source = source;
        for (int y = 0; y < Ssim.WINDOW - 1; y++) {
            filterRow(y);
        }
        nextRow = 0;
    }

    /**
     * The next output row (outWidth values), in a buffer that the next call overwrites.
     *
     * @throws IllegalStateException past the last output row
     */
    double[] next() {
        if (source == null || nextRow >= outHeight()) {
            throw new IllegalStateException("no output row " + nextRow + " of " + outHeight());
        }
        filterRow(nextRow + Ssim.WINDOW - 1);
        double[] r0 = ring[nextRow % Ssim.WINDOW];
        double[] r1 = ring[(nextRow + 1) % Ssim.WINDOW];
        double[] r2 = ring[(nextRow + 2) % Ssim.WINDOW];
        double[] r3 = ring[(nextRow + 3) % Ssim.WINDOW];
        double[] r4 = ring[(nextRow + 4) % Ssim.WINDOW];
        double[] r5 = ring[(nextRow + 5) % Ssim.WINDOW];
        double[] r6 = ring[(nextRow + 6) % Ssim.WINDOW];
        double[] r7 = ring[(nextRow + 7) % Ssim.WINDOW];
        double[] r8 = ring[(nextRow + 8) % Ssim.WINDOW];
        double[] r9 = ring[(nextRow + 9) % Ssim.WINDOW];
        double[] r10 = ring[(nextRow + 10) % Ssim.WINDOW];
        int from = lanes ? SsimLanes.vertical(TAPS, new double[][] {r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10}, output,
                outWidth) : 0;
        for (int x = from; x < outWidth; x++) {
            output[x] = T0 * r0[x] + T1 * r1[x] + T2 * r2[x] + T3 * r3[x] + T4 * r4[x] + T5 * r5[x] + T6 * r6[x]
                    + T7 * r7[x] + T8 * r8[x] + T9 * r9[x] + T10 * r10[x];
        }
        nextRow++;
        return output;
    }

    /** The whole valid-region output of {@code source}, row-major (outWidth x outHeight). */
    double[] filter(RowSource source) {
        reset(source);
        double[] out = new double[outWidth * outHeight()];
        for (int y = 0; y < outHeight(); y++) {
            System.arraycopy(next(), 0, out, y * outWidth, outWidth);
        }
        return out;
    }

    private void filterRow(int y) {
        source.row(y, input);
        double[] dst = ring[y % Ssim.WINDOW];
        double[] in = input;
        int from = lanes ? SsimLanes.horizontal(TAPS, in, dst, outWidth) : 0;
        for (int x = from; x < outWidth; x++) {
            dst[x] = T0 * in[x] + T1 * in[x + 1] + T2 * in[x + 2] + T3 * in[x + 3] + T4 * in[x + 4] + T5 * in[x + 5]
                    + T6 * in[x + 6] + T7 * in[x + 7] + T8 * in[x + 8] + T9 * in[x + 9] + T10 * in[x + 10];
        }
    }

    private static double[] gaussianTaps() {
        double[] taps = new double[Ssim.WINDOW];
        double sum = 0;
        for (int i = 0; i < Ssim.WINDOW; i++) {
            double x = i - (Ssim.WINDOW - 1) / 2.0;
            taps[i] = Math.exp(-(x * x) / (2 * Ssim.SIGMA * Ssim.SIGMA));
            sum += taps[i];
        }
        for (int i = 0; i < Ssim.WINDOW; i++) {
            taps[i] /= sum;
        }
        return taps;
    }
}
