package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import java.util.List;

/**
 * Multi-scale SSIM (Wang, Simoncelli & Bovik 2003, "Multi-scale structural similarity for image
 * quality assessment", eq. 7, and Wang's reference msssim.m):
 * <pre>
 *   MS-SSIM = [l_5 cs_5]^w_5 * prod_{j=1..4} [cs_j]^w_j,   w = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
 * </pre>
 * where cs_j is the mean contrast-structure map and l_5 cs_5 the mean SSIM map at scale j, each
 * computed as in {@link Ssim} (K1 = 0.01, K2 = 0.03, L = 255, 11-tap Gaussian sigma 1.5, valid region).
 * Between scales both images are 2x2 average-pooled; an odd trailing row or column is averaged with
 * itself (msssim.m filters with ones(2)/4 and symmetric boundaries, then keeps every other sample),
 * so a side n becomes ceil(n / 2). Five scales of an 11-tap window then need a min side of 161
 * ({@code > 160}).
 *
 * <p>Negative means: a mean cs (or SSIM at scale 5) below 0 is clamped to 0 before the fractional
 * power, as tf.image.ssim_multiscale and pytorch_msssim do, so the result is a real number in [0, 1]
 * (0 for such strongly anti-correlated images).
 *
 * <p>RGB images: MS-SSIM of each channel, averaged over the three channels (as pytorch_msssim and
 * tf.image.ssim_multiscale average their per-channel values).
 */
public final class MsSsim {
    static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    /** Smallest side for five scales: ceil(161 / 16) = 11, one window at the coarsest scale. */
    public static final int MIN_SIDE = 161;

    private MsSsim() {
    }

    /** How a value was obtained. */
    public enum Method {
        /** MS-SSIM on the images as given. */
        MS_SSIM("ms-ssim"),
        /** MS-SSIM after both images were resized (PIL bicubic) so that the shorter side is 161. */
        MS_SSIM_UPSAMPLED("ms-ssim-upsampled"),
        /** Single-scale SSIM, for images too small for MS-SSIM when upsampling was not asked for. */
        SSIM("ssim");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        /** "ms-ssim", "ms-ssim-upsampled" or "ssim", as recorded in output rows. */
        public String label() {
            return label;
        }
    }

    /** A similarity in [0, 1] (1 = identical) and the method that produced it. */
    public record Result(double value, Method method) {
        /** 1 - value. */
        public double distance() {
            return 1.0 - value;
        }
    }

    /** SSIM and MS-SSIM of one pair, from one pass over their shared first scale. */
    public record WithSsim(double ssim, Result msSsim) {
    }

    /**
     * SSIM and MS-SSIM distances of every pair of a group ({@link PairwiseDistances}' condensed order),
     * each image's features computed once by the caller; MS-SSIM of images under 161 px per side
     * upsampled, as {@code measure} records it.
     *
     * @param msSsim  null unless asked for
     * @param method  how the MS-SSIM values were obtained (one size per group, so one method); null
     *                unless asked for
     */
    public record GroupDistances(PairwiseDistances ssim, PairwiseDistances msSsim, Method method) {
    }

    /**
     * MS-SSIM of two same-size images. Images with a side below 161 get single-scale SSIM
     * ({@link Method#SSIM}), or, with {@code upsampleSmall}, MS-SSIM after both are resized with PIL's
     * bicubic filter to shorter side 161 and longer side int(161 * long / short)
     * ({@link Method#MS_SSIM_UPSAMPLED}; upsampling smooths, so such values read higher than
     * MS-SSIM at a native resolution would). For many pairs of a group, use
     * {@link #compute(SsimFeatures, SsimFeatures, boolean)} on each image's features.
     */
    public static Result compute(RgbImage a, RgbImage b, boolean upsampleSmall) {
        Ssim.requireComparable(a, b, Ssim.WINDOW);
        if (!upsampleSmall && Math.min(a.width(), a.height()) < MIN_SIDE) {
            return new Result(Ssim.compute(a, b), Method.SSIM);
        }
        return compute(SsimFeatures.of(a, false, true), SsimFeatures.of(b, false, true), upsampleSmall);
    }

    /** {@link #compute(SsimFeatures, SsimFeatures, boolean)} with images under 161 px upsampled, as {@code measure} does. */
    public static Result compute(SsimFeatures a, SsimFeatures b) {
        return compute(a, b, true);
    }

    /** {@link #compute(RgbImage, RgbImage, boolean)} from the images' cached features. */
    public static Result compute(SsimFeatures a, SsimFeatures b, boolean upsampleSmall) {
        SsimFeatures.requireComparable(a, b);
        if (a.multiScale()) {
            return new Result(rgb(a.levels(), b.levels()), Method.MS_SSIM);
        }
        if (!upsampleSmall) {
            return new Result(Ssim.compute(a, b), Method.SSIM);
        }
        return new Result(rgb(a.upsampled(), b.upsampled()), Method.MS_SSIM_UPSAMPLED);
    }

    /**
     * SSIM and MS-SSIM of a pair, equal to {@link Ssim#compute(SsimFeatures, SsimFeatures)} and
     * {@link #compute(SsimFeatures, SsimFeatures, boolean)}; where MS-SSIM runs on the images as given
     * its first scale is SSIM's, computed once for both.
     */
    public static WithSsim computeWithSsim(SsimFeatures a, SsimFeatures b, boolean upsampleSmall) {
        SsimFeatures.requireComparable(a, b);
        if (!a.multiScale()) {
            double ssim = Ssim.compute(a, b);
            return new WithSsim(ssim, upsampleSmall
                    ? new Result(rgb(a.upsampled(), b.upsampled()), Method.MS_SSIM_UPSAMPLED)
                    : new Result(ssim, Method.SSIM));
        }
        requireScales(a.levels(), b.levels());
        double ssimSum = 0;
        double msSum = 0;
        for (int c = 0; c < 3; c++) {
            Ssim.Means first = SsimFeatures.means(a.levels().get(0), b.levels().get(0), c, true);
            ssimSum += first.ssim();
            msSum += plane(a.levels(), b.levels(), c, first);
        }
        return new WithSsim(ssimSum / 3, new Result(msSum / 3, Method.MS_SSIM));
    }

    /**
     * SSIM distance and, with {@code msSsim}, MS-SSIM distance (images under 161 px upsampled) of every
     * pair of {@code features}, all of one size.
     *
     * @throws IllegalArgumentException for fewer than 2 images, images of different sizes, or more pairs
     *                                  than an array holds
     */
    public static GroupDistances allPairs(List<SsimFeatures> features, boolean msSsim) {
        int n = features.size();
        long pairs = (long) n * (n - 1) / 2;
        if (pairs > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " images have " + pairs + " pairs, more than one array holds");
        }
        double[] ssim = new double[(int) pairs];
        double[] ms = msSsim ? new double[(int) pairs] : null;
        Method method = null;
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++, k++) {
                if (msSsim) {
                    WithSsim both = computeWithSsim(features.get(i), features.get(j), true);
                    ssim[k] = 1.0 - both.ssim();
                    ms[k] = both.msSsim().distance();
                    method = both.msSsim().method();
                } else {
                    ssim[k] = Ssim.distance(features.get(i), features.get(j));
                }
            }
        }
        return new GroupDistances(new PairwiseDistances(n, ssim), msSsim ? new PairwiseDistances(n, ms) : null, method);
    }

    /** Channel mean of the per-channel MS-SSIM of two pyramids. */
    private static double rgb(List<SsimFeatures.Level> a, List<SsimFeatures.Level> b) {
        requireScales(a, b);
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += plane(a, b, c, null);
        }
        return sum / 3;
    }

    /** prod_j [term_j]^w_j for channel c; {@code first} is scale 0's means when already computed. */
    private static double plane(List<SsimFeatures.Level> a, List<SsimFeatures.Level> b, int c, Ssim.Means first) {
        int last = WEIGHTS.length - 1;
        double value = 1.0;
        for (int j = 0; j <= last; j++) {
            Ssim.Means m = j == 0 && first != null ? first : SsimFeatures.means(a.get(j), b.get(j), c, j == last);
            double term = j == last ? m.ssim() : m.cs();
            value *= Math.pow(Math.max(term, 0.0), WEIGHTS[j]);
        }
        return value;
    }

    private static void requireScales(List<SsimFeatures.Level> a, List<SsimFeatures.Level> b) {
        if (a.size() != WEIGHTS.length || b.size() != WEIGHTS.length) {
            throw new IllegalArgumentException("these SSIM features were made for SSIM only; use SsimFeatures.of");
        }
    }
}
