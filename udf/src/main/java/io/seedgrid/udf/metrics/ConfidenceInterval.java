package io.seedgrid.udf.metrics;

/**
 * A point estimate with a bootstrap confidence interval.
 *
 * @param estimate  the statistic on the data as given (a mean)
 * @param low       lower bound
 * @param high      upper bound
 * @param level     coverage, e.g. 0.95
 * @param resamples number of bootstrap resamples
 * @param n         number of observations (prompts)
 * @param seed      the seed that makes the interval reproducible
 */
public record ConfidenceInterval(double estimate, double low, double high, double level, int resamples, int n,
                                 long seed) {
}
