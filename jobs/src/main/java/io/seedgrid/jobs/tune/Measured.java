package io.seedgrid.jobs.tune;

import io.seedgrid.udf.metrics.Bootstrap;
import io.seedgrid.udf.metrics.ConfidenceInterval;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What is measured of one candidate: per prompt id, its group's diversity and adherence values (a prompt
 * whose group has no value, e.g. fewer than two ok images, is absent), and its cost.
 *
 * @param name      the candidate
 * @param cost      its cost ({@link TuneConfig.Cost})
 * @param diversity prompt id → the group's diversity metric
 * @param adherence prompt id → the group's adherence metric
 */
public record Measured(String name, double cost, Map<String, Double> diversity, Map<String, Double> adherence) {

    /** Bootstrap seed: fixed, so that every decision and interval is reproducible. */
    static final long SEED = 0L;

    public Measured {
        diversity = Map.copyOf(diversity);
        adherence = Map.copyOf(adherence);
    }

    /** The prompts of {@code prompts} that have both values. */
    List<String> measuredOf(Collection<String> prompts) {
        return prompts.stream().filter(p -> diversity.containsKey(p) && adherence.containsKey(p)).toList();
    }

    /** Means over the prompts of {@code prompts} that have both values; null when none has. */
    Point point(Collection<String> prompts) {
        List<String> on = measuredOf(prompts);
        if (on.isEmpty()) {
            return null;
        }
        return new Point(name, on.stream().mapToDouble(diversity::get).average().orElseThrow(),
                on.stream().mapToDouble(adherence::get).average().orElseThrow(), cost);
    }

    /** The mean diversity over its prompts with its percentile bootstrap interval over prompts. */
    ConfidenceInterval diversityInterval(Collection<String> prompts, int resamples, double level) {
        return interval(diversity, measuredOf(prompts), resamples, level);
    }

    /** The same for adherence. */
    ConfidenceInterval adherenceInterval(Collection<String> prompts, int resamples, double level) {
        return interval(adherence, measuredOf(prompts), resamples, level);
    }

    /** Prompts in id order, as {@code recipes/} bootstraps them: the same prompts give the same interval there. */
    private static ConfidenceInterval interval(Map<String, Double> values, List<String> prompts, int resamples,
                                               double level) {
        if (prompts.isEmpty()) {
            return null;
        }
        return Bootstrap.mean(prompts.stream().sorted().mapToDouble(values::get).toArray(), resamples, level, SEED);
    }

    /**
     * Whether this candidate dominates {@code other} with confidence on {@code prompts}: it costs no more, and
     * on the prompts both have, the paired bootstrap interval (prompts resampled as pairs, at {@code level}) of
     * its mean advantage lies above 0 for diversity and for adherence. With fewer than two shared prompts
     * nothing is confident.
     */
    boolean confidentlyDominates(Measured other, Collection<String> prompts, int resamples, double level) {
        if (cost > other.cost) {
            return false;
        }
        List<String> shared = other.measuredOf(measuredOf(prompts)).stream().sorted().toList();
        if (shared.size() < 2) {
            return false;
        }
        return advantage(diversity, other.diversity, shared, resamples, level).low() > 0
                && advantage(adherence, other.adherence, shared, resamples, level).low() > 0;
    }

    private static ConfidenceInterval advantage(Map<String, Double> mine, Map<String, Double> theirs, List<String> prompts,
                                                int resamples, double level) {
        return Bootstrap.pairedDifference(prompts.stream().mapToDouble(mine::get).toArray(),
                prompts.stream().mapToDouble(theirs::get).toArray(), resamples, level, SEED);
    }
}
