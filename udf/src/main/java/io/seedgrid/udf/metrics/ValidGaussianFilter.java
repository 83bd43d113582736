package io.seedgrid.udf.metrics;

import java.util.Arrays;

/**
 * SSIM's 11-tap Gaussian window (sigma 1.5, normalised) applied as a separable correlation over the
 * valid region (no padding: a w x h plane gives (w - 10) x (h - 10)), streamed one output row at a
 * time: each input row is filtered horizontally once into a ring of the last 11 such rows, and an
 * output row is the vertical combination of the ring. The working set is 11 rows, so the pass stays in
 * the CPU cache, and the inner loops run over x, so the JIT vectorises them.
 *
 * <p>Every output value is computed in the same order as the earlier whole-plane filter
 * ({@link SsimBaseline}): horizontally {@code ((0 + t0 p0) + t1 p1) + ... + t10 p10}, then vertically
 * the same over the 11 horizontally filtered rows. Java's floating point is strict (no fused
 * multiply-add unless asked for), so the results are bit for bit those of the earlier filter.
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

    private final int width;
    private final int height;
    private final int outWidth;
    private final double[][] ring = new double[Ssim.WINDOW][];
    private final double[] input;
    private final double[] output;
    private RowSource source;
    private int nextRow;

    ValidGaussianFilter(int width, int height) {
        if (width < Ssim.WINDOW || height < Ssim.WINDOW) {
            throw new IllegalArgumentException("the " + Ssim.WINDOW + "-tap window needs a plane of at least "
                    + Ssim.WINDOW + "x" + Ssim.WINDOW + ", got " + width + "x" + height);
        }
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
        Arrays.fill(output, 0);
        for (int t = 0; t < Ssim.WINDOW; t++) {
            double tap = TAPS[t];
            double[] rows = ring[(nextRow + t) % Ssim.WINDOW];
            for (int x = 0; x < outWidth; x++) {
                output[x] += tap * rows[x];
            }
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
        Arrays.fill(dst, 0);
        for (int t = 0; t < Ssim.WINDOW; t++) {
            double tap = TAPS[t];
            for (int x = 0; x < outWidth; x++) {
                dst[x] += tap * input[x + t];
            }
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
