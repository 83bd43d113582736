package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

/**
 * Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment: from
 * error visibility to structural similarity", IEEE TIP 13(4), eq. 13), as
 * {@code skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255, channel_axis=2)} computes it:
 * <pre>
 *   mu, sigma^2, sigma_xy: 11-tap Gaussian (sigma 1.5, normalised) weighted local means, variances
 *                          and covariance (population, not sample), valid region only (no padding)
 *   l  = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1)          C1 = (K1 L)^2, K1 = 0.01
 *   cs = (2 sigma_xy + C2) / (sigma_x^2 + sigma_y^2 + C2)      C2 = (K2 L)^2, K2 = 0.03, L = 255
 *   SSIM = mean over the valid region of l * cs
 * </pre>
 * RGB images: SSIM of each channel, averaged over the three channels (skimage's channel_axis).
 */
public final class Ssim {
    static final double K1 = 0.01;
    static final double K2 = 0.03;
    static final double DATA_RANGE = 255.0;
    static final int WINDOW = 11;
    static final double SIGMA = 1.5;
    private static final double[] TAPS = gaussianTaps();

    private Ssim() {
    }

    /** Means over the valid region of the SSIM map (l * cs) and of the contrast-structure map (cs). */
    record Means(double ssim, double cs) {
    }

    /** Mean SSIM of two same-size images, channels averaged; 1 for identical images. */
    public static double compute(RgbImage a, RgbImage b) {
        requireComparable(a, b, WINDOW);
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += means(a.channel(c), b.channel(c), a.width(), a.height()).ssim();
        }
        return sum / 3;
    }

    /** 1 - SSIM. */
    public static double distance(RgbImage a, RgbImage b) {
        return 1.0 - compute(a, b);
    }

    static void requireComparable(RgbImage a, RgbImage b, int minSide) {
        if (!a.sameSize(b)) {
            throw new IllegalArgumentException("SSIM compares images of the same size, got " + a.width() + "x"
                    + a.height() + " and " + b.width() + "x" + b.height());
        }
        if (Math.min(a.width(), a.height()) < minSide) {
            throw new IllegalArgumentException("SSIM needs images of at least " + minSide + "x" + minSide
                    + " (the " + WINDOW + "-tap window), got " + a.width() + "x" + a.height());
        }
    }

    /** SSIM and cs means of two planes (row-major, width w, height h, values 0..255). */
    static Means means(double[] x, double[] y, int w, int h) {
        int n = w * h;
        double[] xx = new double[n];
        double[] yy = new double[n];
        double[] xy = new double[n];
        for (int i = 0; i < n; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] mx = filterValid(x, w, h);
        double[] my = filterValid(y, w, h);
        double[] sxx = filterValid(xx, w, h);
        double[] syy = filterValid(yy, w, h);
        double[] sxy = filterValid(xy, w, h);
        double c1 = (K1 * DATA_RANGE) * (K1 * DATA_RANGE);
        double c2 = (K2 * DATA_RANGE) * (K2 * DATA_RANGE);
        double ssimSum = 0;
        double csSum = 0;
        for (int i = 0; i < mx.length; i++) {
            double ux = mx[i];
            double uy = my[i];
            double vx = sxx[i] - ux * ux;
            double vy = syy[i] - uy * uy;
            double cov = sxy[i] - ux * uy;
            double cs = (2 * cov + c2) / (vx + vy + c2);
            double lum = (2 * ux * uy + c1) / (ux * ux + uy * uy + c1);
            csSum += cs;
            ssimSum += lum * cs;
        }
        return new Means(ssimSum / mx.length, csSum / mx.length);
    }

    /** Separable Gaussian correlation, valid region: output (w - 10) x (h - 10). */
    private static double[] filterValid(double[] plane, int w, int h) {
        int ow = w - WINDOW + 1;
        int oh = h - WINDOW + 1;
        double[] rows = new double[ow * h];
        for (int y = 0; y < h; y++) {
            int in = y * w;
            int out = y * ow;
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int t = 0; t < WINDOW; t++) {
                    s += TAPS[t] * plane[in + x + t];
                }
                rows[out + x] = s;
            }
        }
        double[] out = new double[ow * oh];
        for (int t = 0; t < WINDOW; t++) {
            double tap = TAPS[t];
            for (int y = 0; y < oh; y++) {
                int in = (y + t) * ow;
                int o = y * ow;
                for (int x = 0; x < ow; x++) {
                    out[o + x] += tap * rows[in + x];
                }
            }
        }
        return out;
    }

    /** exp(-x^2 / (2 sigma^2)) for x = -5..5, normalised to sum 1 (scipy's gaussian_filter, truncate 3.5). */
    private static double[] gaussianTaps() {
        double[] taps = new double[WINDOW];
        double sum = 0;
        for (int i = 0; i < WINDOW; i++) {
            double x = i - (WINDOW - 1) / 2.0;
            taps[i] = Math.exp(-(x * x) / (2 * SIGMA * SIGMA));
            sum += taps[i];
        }
        for (int i = 0; i < WINDOW; i++) {
            taps[i] /= sum;
        }
        return taps;
    }
}
