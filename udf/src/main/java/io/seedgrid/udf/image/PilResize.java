package io.seedgrid.udf.image;

/**
 * Pillow's antialiased resampling of 8-bit images, reproduced bit for bit (Pillow
 * src/libImaging/Resample.c: precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleHorizontal_8bpc
 * and ImagingResampleVertical_8bpc). Hugging Face image processors and Vendi-Score's pixel thumbnails
 * resize with PIL, so an embedding or thumbnail only matches theirs when the resize does.
 *
 * <p>Per output sample {@code xx}: centre = (xx + 0.5) * scale with scale = in / out; when
 * downscaling the kernel is stretched by the scale (support * scale, weights at
 * (x - centre + 0.5) / scale), which is the antialiasing; taps outside the image are dropped and the
 * rest renormalised. Weights become fixed point with 22 fraction bits, sums start at 0.5 (rounding),
 * and results are clipped to 0..255. The horizontal pass runs first and is rounded to 8 bits before
 * the vertical pass; a pass whose size does not change is skipped.
 */
final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {
    }

    /** Fixed-point taps of one pass: for output i, taps k[i * ksize .. + count[i]) start at first[i]. */
    private record Coefficients(int ksize, int[] first, int[] count, int[] k) {
    }

    static RgbImage resize(RgbImage in, int outWidth, int outHeight, ResampleFilter filter) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + outWidth + "x" + outHeight);
        }
        if (outWidth == in.width() && outHeight == in.height()) {
            return in;
        }
        byte[] data = in.data();
        int width = in.width();
        if (outWidth != in.width()) {
            data = horizontal(data, width, in.height(), coefficients(in.width(), outWidth, filter), outWidth);
            width = outWidth;
        }
        if (outHeight != in.height()) {
            data = vertical(data, width, coefficients(in.height(), outHeight, filter), outHeight);
        }
        return RgbImage.wrap(outWidth, outHeight, data);
    }

    private static Coefficients coefficients(int inSize, int outSize, ResampleFilter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support() * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] k = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                w[x] = filter.weight((x + xmin - center + 0.5) * ss);
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                k[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                        : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(ksize, first, count, k);
    }

    private static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static byte[] horizontal(byte[] in, int inWidth, int height, Coefficients c, int outWidth) {
        byte[] out = new byte[outWidth * height * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < height; y++) {
            int row = y * inWidth * 3;
            int orow = y * outWidth * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int base = xx * c.ksize();
                int s0 = half;
                int s1 = half;
                int s2 = half;
                int p = row + c.first()[xx] * 3;
                for (int x = 0, n = c.count()[xx]; x < n; x++, p += 3) {
                    int kx = c.k()[base + x];
                    s0 += (in[p] & 0xFF) * kx;
                    s1 += (in[p + 1] & 0xFF) * kx;
                    s2 += (in[p + 2] & 0xFF) * kx;
                }
                int o = orow + xx * 3;
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int width, Coefficients c, int outHeight) {
        int rowLen = width * 3;
        byte[] out = new byte[outHeight * rowLen];
        int[] sums = new int[rowLen];
        int half = 1 << (PRECISION_BITS - 1);
        for (int yy = 0; yy < outHeight; yy++) {
            java.util.Arrays.fill(sums, half);
            int base = yy * c.ksize();
            for (int y = 0, n = c.count()[yy]; y < n; y++) {
                int ky = c.k()[base + y];
                int row = (c.first()[yy] + y) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    sums[i] += (in[row + i] & 0xFF) * ky;
                }
            }
            int orow = yy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                out[orow + i] = (byte) clip8(sums[i]);
            }
        }
        return out;
    }
}
