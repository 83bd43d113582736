package io.seedgrid.udf.metrics;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD forms of SSIM's per-pixel loops ({@link ValidGaussianFilter}'s two passes and the
 * contrast-structure and luminance terms of {@link SsimFeatures#means}), loaded only when the
 * {@code jdk.incubator.vector} module is present ({@link ValidGaussianFilter#LANES}) (seedgrid's launcher, test runner and Spark configs
 * add it). Each lane computes exactly the scalar expression, in the same order (lane-wise IEEE multiply,
 * add and divide; no fused multiply-add), so both paths give the same bits. Each method handles the
 * whole vectors of {@code [0, n)} and returns where the caller's scalar loop takes over.
 */
final class SsimLanes {
    private static final VectorSpecies<Double> LANES = DoubleVector.SPECIES_PREFERRED;

    private SsimLanes() {
    }

    /** dst[x] = t0 in[x] + t1 in[x+1] + ... + t10 in[x+10], left to right. */
    static int horizontal(double[] taps, double[] in, double[] dst, int n) {
        int bound = LANES.loopBound(n);
        for (int x = 0; x < bound; x += LANES.length()) {
            DoubleVector acc = DoubleVector.fromArray(LANES, in, x).mul(taps[0]);
            for (int t = 1; t < taps.length; t++) {
                acc = acc.add(DoubleVector.fromArray(LANES, in, x + t).mul(taps[t]));
            }
            acc.intoArray(dst, x);
        }
        return bound;
    }

    /** out[x] = t0 rows[0][x] + t1 rows[1][x] + ... + t10 rows[10][x], left to right. */
    static int vertical(double[] taps, double[][] rows, double[] out, int n) {
        int bound = LANES.loopBound(n);
        for (int x = 0; x < bound; x += LANES.length()) {
            DoubleVector acc = DoubleVector.fromArray(LANES, rows[0], x).mul(taps[0]);
            for (int t = 1; t < taps.length; t++) {
                acc = acc.add(DoubleVector.fromArray(LANES, rows[t], x).mul(taps[t]));
            }
            acc.intoArray(out, x);
        }
        return bound;
    }

    /** cs[i] = (2 (sxy[i] - ux uy) + C2) / (vx + vy + C2), ux = mx[base + i] etc. */
    static int contrast(double[] sxy, double[] mx, double[] vx, double[] my, double[] vy, int base, double[] cs,
                        int n) {
        int bound = LANES.loopBound(n);
        for (int i = 0; i < bound; i += LANES.length()) {
            DoubleVector ux = DoubleVector.fromArray(LANES, mx, base + i);
            DoubleVector uy = DoubleVector.fromArray(LANES, my, base + i);
            DoubleVector cov = DoubleVector.fromArray(LANES, sxy, i).sub(ux.mul(uy));
            DoubleVector den = DoubleVector.fromArray(LANES, vx, base + i).add(DoubleVector.fromArray(LANES, vy, base + i))
                    .add(Ssim.C2);
            cov.mul(2).add(Ssim.C2).div(den).intoArray(cs, i);
        }
        return bound;
    }

    /** ssim[i] = (2 ux uy + C1) / (ux^2 + uy^2 + C1) * cs[i]. */
    static int luminance(double[] mx, double[] my, int base, double[] cs, double[] ssim, int n) {
        int bound = LANES.loopBound(n);
        for (int i = 0; i < bound; i += LANES.length()) {
            DoubleVector ux = DoubleVector.fromArray(LANES, mx, base + i);
            DoubleVector uy = DoubleVector.fromArray(LANES, my, base + i);
            DoubleVector lum = ux.mul(2).mul(uy).add(Ssim.C1).div(ux.mul(ux).add(uy.mul(uy)).add(Ssim.C1));
            lum.mul(DoubleVector.fromArray(LANES, cs, i)).intoArray(ssim, i);
        }
        return bound;
    }
}
