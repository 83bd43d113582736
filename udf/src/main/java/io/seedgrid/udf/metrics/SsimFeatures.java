package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.ResampleFilter;
import io.seedgrid.udf.image.RgbImage;

import java.util.ArrayList;
import java.util.List;

/**
 * What SSIM and MS-SSIM need of one image, computed once so that a group's pairs share it
 * ({@link Ssim#compute(SsimFeatures, SsimFeatures)}, {@link MsSsim#compute(SsimFeatures, SsimFeatures)},
 * {@link MsSsim#allPairs}): for every channel and scale the plane, its Gaussian-filtered mean mu and
 * its variance sigma^2 = G*(x^2) - mu^2 over the valid region. A pair then filters only its product
 * x*y (the covariance term), one pass instead of five, streamed so that no full-size temporary is
 * allocated.
 *
 * <p>Scales: images whose shorter side is at least {@link MsSsim#MIN_SIDE} (161) keep MS-SSIM's five
 * (the first one is SSIM's). Smaller images keep their own first scale (SSIM) and the five scales of
 * the image resized with PIL's bicubic filter to a shorter side of 161 (MS-SSIM's upsampled method).
 *
 * <p>Exactness: the values are bit for bit those of the per-pair computation ({@link SsimBaseline}):
 * same operations in the same order. Planes are kept as {@code float}, which is exact: a scale-j pixel
 * is an integer sum of at most 255 * 4^j over 4^j (2x2 average pools of 8-bit values), at most 16
 * significant bits for j <= 4.
 *
 * <p>Memory: per pixel and channel 4 bytes of plane plus 16 bytes of mean and variance (valid region),
 * about 4/3 of that over five scales: a 1024x1024 RGB image holds 81,923,520 bytes (78.1 MiB, see
 * {@link #bytes()}), so a group of 16 such images 1.3 GB; a 512x512 image 20.0 MB, a 64x64 image (its
 * own first scale and five upsampled ones) 2.0 MB. Immutable and safe to share between threads.
 */
public final class SsimFeatures {

    /** One scale of one image: per channel the plane (w x h) and, over the valid region, mean and variance. */
    record Level(int width, int height, float[][] plane, double[][] mean, double[][] variance) {
    }

    private final int width;
    private final int height;
    private final List<Level> levels;
    private final List<Level> upsampled;

    private SsimFeatures(int width, int height, List<Level> levels, List<Level> upsampled) {
        this.width = width;
        this.height = height;
        this.levels = levels;
        this.upsampled = upsampled;
    }

    /**
     * Everything SSIM and MS-SSIM (native or, for images under 161 px per side, upsampled) need of
     * {@code image}.
     *
     * @throws IllegalArgumentException when a side is under 11 px (the window)
     */
    public static SsimFeatures of(RgbImage image) {
        return of(image, true, true);
    }

    /** Only what SSIM ({@code ssim}) and MS-SSIM ({@code msSsim}) need: the per-pair entry points use this. */
    static SsimFeatures of(RgbImage image, boolean ssim, boolean msSsim) {
        int w = image.width();
        int h = image.height();
        if (Math.min(w, h) < Ssim.WINDOW) {
            throw new IllegalArgumentException("SSIM needs images of at least " + Ssim.WINDOW + "x" + Ssim.WINDOW
                    + " (the " + Ssim.WINDOW + "-tap window), got " + w + "x" + h);
        }
        boolean multiScale = Math.min(w, h) >= MsSsim.MIN_SIDE;
        int scales = multiScale && msSsim ? MsSsim.WEIGHTS.length : ssim ? 1 : 0;
        List<Level> upsampled = List.of();
        if (!multiScale && msSsim) {
            // msssim.m's shorter side of 161 (the smallest with five scales), the longer one in proportion
            int newW = w <= h ? MsSsim.MIN_SIDE : (int) ((double) MsSsim.MIN_SIDE * w / h);
            int newH = w <= h ? (int) ((double) MsSsim.MIN_SIDE * h / w) : MsSsim.MIN_SIDE;
            upsampled = pyramid(image.resize(newW, newH, ResampleFilter.BICUBIC), MsSsim.WEIGHTS.length);
        }
        return new SsimFeatures(w, h, pyramid(image, scales), upsampled);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Bytes held by the cached arrays (planes, means, variances), not counting object headers. */
    public long bytes() {
        long sum = 0;
        for (List<Level> pyramid : List.of(levels, upsampled)) {
            for (Level level : pyramid) {
                for (int c = 0; c < 3; c++) {
                    sum += 4L * level.plane()[c].length + 8L * level.mean()[c].length + 8L * level.variance()[c].length;
                }
            }
        }
        return sum;
    }

    /** The image's own scales: none, 1 (SSIM) or 5 (MS-SSIM, the first shared with SSIM). */
    List<Level> levels() {
        return levels;
    }

    /** The five scales of the image upsampled to a shorter side of 161; empty for images of 161 px and more. */
    List<Level> upsampled() {
        return upsampled;
    }

    /** Whether MS-SSIM runs on the images as given (shorter side at least 161). */
    boolean multiScale() {
        return Math.min(width, height) >= MsSsim.MIN_SIDE;
    }

    static void requireComparable(SsimFeatures a, SsimFeatures b) {
        if (a.width != b.width || a.height != b.height) {
            throw new IllegalArgumentException("SSIM compares images of the same size, got " + a.width + "x"
                    + a.height + " and " + b.width + "x" + b.height);
        }
    }

    /**
     * Means over the valid region of the SSIM map (l * cs, only when {@code luminance}) and of the
     * contrast-structure map (cs) of channel {@code c} of two images at one scale (Ssim's formulas).
     */
    static Ssim.Means means(Level a, Level b, int c, boolean luminance) {
        return means(a, b, c, luminance, ValidGaussianFilter.LANES);
    }

    /** {@link #means(Level, Level, int, boolean)}; {@code lanes}: in SIMD lanes ({@link SsimLanes}) or scalar only. */
    static Ssim.Means means(Level a, Level b, int c, boolean luminance, boolean lanes) {
        float[] x = a.plane()[c];
        float[] y = b.plane()[c];
        double[] mx = a.mean()[c];
        double[] vx = a.variance()[c];
        double[] my = b.mean()[c];
        double[] vy = b.variance()[c];
        int w = a.width();
        ValidGaussianFilter filter = new ValidGaussianFilter(w, a.height(), lanes);
        filter.reset((row, out) -> {
            for (int i = 0, o = row * w; i < w; i++, o++) {
                out[i] = (double) x[o] * y[o];
            }
        });
        int ow = filter.outWidth();
        int oh = filter.outHeight();
        double[] cs = new double[ow];
        double[] ssim = new double[ow];
        double csSum = 0;
        double ssimSum = 0;
        for (int oy = 0; oy < oh; oy++) {
            double[] sxy = filter.next();
            int base = oy * ow;
            int from = lanes ? SsimLanes.contrast(sxy, mx, vx, my, vy, base, cs, ow) : 0;
            for (int i = from; i < ow; i++) {
                double ux = mx[base + i];
                double uy = my[base + i];
                double cov = sxy[i] - ux * uy;
                cs[i] = (2 * cov + Ssim.C2) / (vx[base + i] + vy[base + i] + Ssim.C2);
            }
            if (luminance) {
                from = lanes ? SsimLanes.luminance(mx, my, base, cs, ssim, ow) : 0;
                for (int i = from; i < ow; i++) {
                    double ux = mx[base + i];
                    double uy = my[base + i];
                    double lum = (2 * ux * uy + Ssim.C1) / (ux * ux + uy * uy + Ssim.C1);
                    ssim[i] = lum * cs[i];
                }
                // running sums in raster order, as the per-pair computation added them
                for (int i = 0; i < ow; i++) {
                    csSum += cs[i];
                    ssimSum += ssim[i];
                }
            } else {
                for (int i = 0; i < ow; i++) {
                    csSum += cs[i];
                }
            }
        }
        int n = ow * oh;
        return new Ssim.Means(luminance ? ssimSum / n : Double.NaN, csSum / n);
    }

    private static List<Level> pyramid(RgbImage image, int scales) {
        if (scales == 0) {
            return List.of();
        }
        List<Level> out = new ArrayList<>(scales);
        int w = image.width();
        int h = image.height();
        float[][] planes = new float[3][w * h];
        byte[] rgb = image.data();
        for (int p = 0, i = 0; p < w * h; p++) {
            for (int c = 0; c < 3; c++, i++) {
                planes[c][p] = rgb[i] & 0xFF;
            }
        }
        for (int j = 0; j < scales; j++) {
            out.add(level(planes, w, h));
            if (j < scales - 1) {
                for (int c = 0; c < 3; c++) {
                    planes[c] = pool(planes[c], w, h);
                }
                w = (w + 1) / 2;
                h = (h + 1) / 2;
            }
        }
        return List.copyOf(out);
    }

    private static Level level(float[][] planes, int w, int h) {
        ValidGaussianFilter filter = new ValidGaussianFilter(w, h);
        double[][] mean = new double[3][];
        double[][] variance = new double[3][];
        for (int c = 0; c < 3; c++) {
            float[] p = planes[c];
            double[] mu = filter.filter((row, out) -> {
                for (int i = 0, o = row * w; i < w; i++, o++) {
                    out[i] = p[o];
                }
            });
            double[] var = filter.filter((row, out) -> {
                for (int i = 0, o = row * w; i < w; i++, o++) {
                    out[i] = (double) p[o] * p[o];
                }
            });
            // population variance, sigma^2 = E[x^2] - mu^2 (Wang et al. 2004, skimage use_sample_covariance=False)
            for (int i = 0; i < var.length; i++) {
                var[i] -= mu[i] * mu[i];
            }
            mean[c] = mu;
            variance[c] = var;
        }
        return new Level(w, h, planes.clone(), mean, variance);
    }

    /** 2x2 average pool to ceil(w/2) x ceil(h/2); the last row/column of an odd side is replicated (msssim.m). */
    private static float[] pool(float[] p, int w, int h) {
        int ow = (w + 1) / 2;
        int oh = (h + 1) / 2;
        float[] out = new float[ow * oh];
        for (int y = 0; y < oh; y++) {
            int y0 = 2 * y;
            int y1 = Math.min(2 * y + 1, h - 1);
            for (int x = 0; x < ow; x++) {
                int x0 = 2 * x;
                int x1 = Math.min(2 * x + 1, w - 1);
                out[y * ow + x] = (float) (0.25 * ((double) p[y0 * w + x0] + p[y1 * w + x0] + p[y0 * w + x1]
                        + p[y1 * w + x1]));
            }
        }
        return out;
    }
}
