package io.seedgrid.udf.metrics;

/**
 * One image's cached LPIPS features: every layer's unit-normalised activations, multiplied per channel
 * by sqrt(w_lc / (H_l W_l)) and concatenated (channels with w_lc = 0 are left out). With that scaling
 * LPIPS is a squared Euclidean distance:
 * <pre>
 *   sum_l sum_c w_lc mean_hw (f0_hat - f1_hat)^2 = sum_l sum_c sum_hw (u0 - u1)^2,
 *   u = sqrt(w_lc / (H_l W_l)) f_hat
 * </pre>
 * so each image runs through the network once and every pair costs one pass over two vectors.
 * Memory: one float per kept activation; AlexNet keeps about 0.64 M floats (2.6 MB) for a 256x256
 * image and 10.8 M floats (43 MB) for a 1024x1024 one.
 */
public final class LpipsFeatures {
    private final LpipsModel model;
    private final int width;
    private final int height;
    private final float[] scaled;

    LpipsFeatures(LpipsModel model, int width, int height, float[] scaled) {
        this.model = model;
        this.width = width;
        this.height = height;
        this.scaled = scaled;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Number of cached floats. */
    public int size() {
        return scaled.length;
    }

    float[] vector() {
        return scaled;
    }

    /** The LPIPS distance to another image's features from the same model and image size. */
    public double distance(LpipsFeatures other) {
        requireComparable(other);
        return squaredDistance(scaled, other.scaled, 0, scaled.length);
    }

    void requireComparable(LpipsFeatures other) {
        if (model != other.model) {
            throw new IllegalArgumentException("LPIPS features of different models cannot be compared");
        }
        if (width != other.width || height != other.height) {
            throw new IllegalArgumentException("LPIPS compares images of the same size, got " + width + "x" + height
                    + " and " + other.width + "x" + other.height);
        }
    }

    /** sum over [from, to) of (a_i - b_i)^2, accumulated in double with four independent sums. */
    static double squaredDistance(float[] a, float[] b, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            double d0 = a[i] - b[i];
            double d1 = a[i + 1] - b[i + 1];
            double d2 = a[i + 2] - b[i + 2];
            double d3 = a[i + 3] - b[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < to; i++) {
            double d = a[i] - b[i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
