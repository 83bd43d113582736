package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.ResampleFilter;
import io.seedgrid.udf.image.RgbImage;

/**
 * The per-pair SSIM and MS-SSIM that {@link Ssim} and {@link MsSsim} computed before the per-image
 * cache ({@link SsimFeatures}), kept unchanged as the baseline of {@link SsimBenchmark} and the
 * reference the cached path is tested against: for every pair it filters mu_x, mu_y, x^2, y^2 and xy
 * of every channel at every scale, and builds both images' MS-SSIM pyramids (and the upsampled copies
 * of small images) again.
 */
final class SsimBaseline {
    private static final double[] TAPS = ValidGaussianFilter.TAPS;

    private SsimBaseline() {
    }

    /** Mean SSIM of two same-size images, channels averaged (as {@link Ssim#compute(RgbImage, RgbImage)}). */
    static double ssim(RgbImage a, RgbImage b) {
        Ssim.requireComparable(a, b, Ssim.WINDOW);
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += means(a.channel(c), b.channel(c), a.width(), a.height()).ssim();
        }
        return sum / 3;
    }

    /** MS-SSIM as {@link MsSsim#compute(RgbImage, RgbImage, boolean)}. */
    static MsSsim.Result msSsim(RgbImage a, RgbImage b, boolean upsampleSmall) {
        Ssim.requireComparable(a, b, Ssim.WINDOW);
        if (Math.min(a.width(), a.height()) >= MsSsim.MIN_SIDE) {
            return new MsSsim.Result(msSsimRgb(a, b), MsSsim.Method.MS_SSIM);
        }
        if (!upsampleSmall) {
            return new MsSsim.Result(ssim(a, b), MsSsim.Method.SSIM);
        }
        int w = a.width();
        int h = a.height();
        int newW = w <= h ? MsSsim.MIN_SIDE : (int) ((double) MsSsim.MIN_SIDE * w / h);
        int newH = w <= h ? (int) ((double) MsSsim.MIN_SIDE * h / w) : MsSsim.MIN_SIDE;
        return new MsSsim.Result(msSsimRgb(a.resize(newW, newH, ResampleFilter.BICUBIC), b.resize(newW, newH,
                ResampleFilter.BICUBIC)), MsSsim.Method.MS_SSIM_UPSAMPLED);
    }

    private static double msSsimRgb(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += plane(a.channel(c), b.channel(c), a.width(), a.height());
        }
        return sum / 3;
    }

    private static double plane(double[] x, double[] y, int w, int h) {
        double value = 1.0;
        for (int j = 0; j < MsSsim.WEIGHTS.length; j++) {
            Ssim.Means m = means(x, y, w, h);
            double term = j == MsSsim.WEIGHTS.length - 1 ? m.ssim() : m.cs();
            value *= Math.pow(Math.max(term, 0.0), MsSsim.WEIGHTS[j]);
            if (j < MsSsim.WEIGHTS.length - 1) {
                x = pool(x, w, h);
                y = pool(y, w, h);
                w = (w + 1) / 2;
                h = (h + 1) / 2;
            }
        }
        return value;
    }

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

    private static Ssim.Means means(double[] x, double[] y, int w, int h) {
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
        double c1 = (Ssim.K1 * Ssim.DATA_RANGE) * (Ssim.K1 * Ssim.DATA_RANGE);
        double c2 = (Ssim.K2 * Ssim.DATA_RANGE) * (Ssim.K2 * Ssim.DATA_RANGE);
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
        return new Ssim.Means(ssimSum / mx.length, csSum / mx.length);
    }

    private static double[] filterValid(double[] plane, int w, int h) {
        int ow = w - Ssim.WINDOW + 1;
        int oh = h - Ssim.WINDOW + 1;
        double[] rows = new double[ow * h];
        for (int y = 0; y < h; y++) {
            int in = y * w;
            int out = y * ow;
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int t = 0; t < Ssim.WINDOW; t++) {
                    s += TAPS[t] * plane[in + x + t];
                }
                rows[out + x] = s;
            }
        }
        double[] out = new double[ow * oh];
        for (int t = 0; t < Ssim.WINDOW; t++) {
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
}
