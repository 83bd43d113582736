package io.seedgrid.udf.metrics;

import java.util.Arrays;

/**
 * Percentile bootstrap confidence intervals for a mean over prompts (Efron & Tibshirani 1993, "An
 * Introduction to the Bootstrap", ch. 13): draw {@code resamples} samples of n values with replacement,
 * average each, and take the (1 - level)/2 and (1 + level)/2 quantiles of those means, interpolated
 * linearly between order statistics (numpy.percentile's default, Hyndman & Fan type 7).
 *
 * <p>Deterministic: indices come from {@link SplitMix64} seeded with {@code seed} (index = next mod n,
 * n draws per resample, resamples in order), the same stream as the Python reference.
 */
public final class Bootstrap {
    public static final int DEFAULT_RESAMPLES = 10_000;
    public static final double DEFAULT_LEVEL = 0.95;

    private Bootstrap() {
    }

    /** 95% interval of the mean from 10,000 resamples. */
    public static ConfidenceInterval mean(double[] values, long seed) {
        return mean(values, DEFAULT_RESAMPLES, DEFAULT_LEVEL, seed);
    }

    /** Percentile bootstrap interval of the mean of {@code values} (one value per prompt). */
    public static ConfidenceInterval mean(double[] values, int resamples, double level, long seed) {
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("bootstrap of an empty sample: at least one value is needed");
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("bootstrap needs at least 1 resample, got " + resamples);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1), got " + level);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("bootstrap value " + i + " is " + values[i]);
            }
            sum += values[i];
        }
        SplitMix64 rng = new SplitMix64(seed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += values[rng.nextIndex(n)];
            }
            means[b] = s / n;
        }
        Arrays.sort(means);
        double alpha = (1 - level) / 2;
        return new ConfidenceInterval(sum / n, quantile(means, alpha), quantile(means, 1 - alpha), level, resamples, n,
                seed);
    }

    /**
     * Interval of the mean paired difference values[i] - reference[i] (a recipe against a reference
     * recipe on the same prompts, aligned by index): resampling prompts keeps each pair together.
     */
    public static ConfidenceInterval pairedDifference(double[] values, double[] reference, int resamples, double level,
                                                      long seed) {
        if (values.length != reference.length) {
            throw new IllegalArgumentException("paired bootstrap needs one reference value per value, got "
                    + values.length + " values and " + reference.length + " reference values");
        }
        double[] diff = new double[values.length];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = values[i] - reference[i];
        }
        return mean(diff, resamples, level, seed);
    }

    /** Quantile p of sorted data with linear interpolation: h = (N - 1) p. */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
