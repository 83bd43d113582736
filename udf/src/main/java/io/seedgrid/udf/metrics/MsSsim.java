package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.image.ResampleFilter;

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

    /**
     * MS-SSIM of two same-size images. Images with a side below 161 get single-scale SSIM
     * ({@link Method#SSIM}), or, with {@code upsampleSmall}, MS-SSIM after both are resized with PIL's
     * bicubic filter to shorter side 161 and longer side int(161 * long / short)
     * ({@link Method#MS_SSIM_UPSAMPLED}; upsampling smooths, so such values read higher than
     * MS-SSIM at a native resolution would).
     */
    public static Result compute(RgbImage a, RgbImage b, boolean upsampleSmall) {
        Ssim.requireComparable(a, b, Ssim.WINDOW);
        if (Math.min(a.width(), a.height()) >= MIN_SIDE) {
            return new Result(msSsim(a, b), Method.MS_SSIM);
        }
        if (!upsampleSmall) {
            return new Result(Ssim.compute(a, b), Method.SSIM);
        }
        int w = a.width();
        int h = a.height();
        int newW = w <= h ? MIN_SIDE : (int) ((double) MIN_SIDE * w / h);
        int newH = w <= h ? (int) ((double) MIN_SIDE * h / w) : MIN_SIDE;
        return new Result(msSsim(a.resize(newW, newH, ResampleFilter.BICUBIC), b.resize(newW, newH,
                ResampleFilter.BICUBIC)), Method.MS_SSIM_UPSAMPLED);
    }

    private static double msSsim(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += plane(a.channel(c), b.channel(c), a.width(), a.height());
        }
        return sum / 3;
    }

    private static double plane(double[] x, double[] y, int w, int h) {
        double value = 1.0;
        for (int j = 0; j < WEIGHTS.length; j++) {
            Ssim.Means m = Ssim.means(x, y, w, h);
            double term = j == WEIGHTS.length - 1 ? m.ssim() : m.cs();
            value *= Math.pow(Math.max(term, 0.0), WEIGHTS[j]);
            if (j < WEIGHTS.length - 1) {
                x = pool(x, w, h);
                y = pool(y, w, h);
                w = (w + 1) / 2;
                h = (h + 1) / 2;
            }
        }
        return value;
    }

    /** 2x2 average pool to ceil(w/2) x ceil(h/2); the last row/column of an odd side is replicated. */
    private static double[] pool(double[] p, int w, int h) {
        int ow = (w + 1) / 2;
        int oh = (h + 1) / 2;
        double[] out = new double[ow * oh];
        for (int y = 0; y < oh; y++) {
            int y0 = 2 * y;
            int y1 = Math.min(2 * y + 1, h - 1);
            for (int x = 0; x < ow; x++) {
                int x0 = 2 * x;
                int x1 = Math.min(2 * x + 1, w - 1);
                out[y * ow + x] = 0.25 * (p[y0 * w + x0] + p[y1 * w + x0] + p[y0 * w + x1] + p[y1 * w + x1]);
            }
        }
        return out;
    }
}
