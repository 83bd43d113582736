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
 *
 * <p>For many pairs of a group, compute each image's {@link SsimFeatures} once and compare those:
 * mu and sigma^2 are per image, only sigma_xy is per pair.
 */
public final class Ssim {
    static final double K1 = 0.01;
    static final double K2 = 0.03;
    static final double DATA_RANGE = 255.0;
    static final double C1 = (K1 * DATA_RANGE) * (K1 * DATA_RANGE);
    static final double C2 = (K2 * DATA_RANGE) * (K2 * DATA_RANGE);
    static final int WINDOW = 11;
    static final double SIGMA = 1.5;

    private Ssim() {
    }

    /**
     * Means over the valid region of the SSIM map (l * cs; NaN where only cs was asked for) and of the
     * contrast-structure map (cs).
     */
    record Means(double ssim, double cs) {
    }

    /** Mean SSIM of two same-size images, channels averaged; 1 for identical images. */
    public static double compute(RgbImage a, RgbImage b) {
        requireComparable(a, b, WINDOW);
        return compute(SsimFeatures.of(a, true, false), SsimFeatures.of(b, true, false));
    }

    /** 1 - SSIM. */
    public static double distance(RgbImage a, RgbImage b) {
        return 1.0 - compute(a, b);
    }

    /** Mean SSIM of two same-size images from their cached features, channels averaged. */
    public static double compute(SsimFeatures a, SsimFeatures b) {
        SsimFeatures.requireComparable(a, b);
        if (a.levels().isEmpty() || b.levels().isEmpty()) {
            throw new IllegalArgumentException("these SSIM features were made for MS-SSIM only; use SsimFeatures.of");
        }
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += SsimFeatures.means(a.levels().get(0), b.levels().get(0), c, true).ssim();
        }
        return sum / 3;
    }

    /** 1 - SSIM, from cached features. */
    public static double distance(SsimFeatures a, SsimFeatures b) {
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
}
