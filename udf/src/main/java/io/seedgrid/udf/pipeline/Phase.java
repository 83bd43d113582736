package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.sampler.Sampler;

/**
 * A contiguous range of steps {@code [from, to)} of a plan's timeline, run by one model with one
 * sampler and one guidance setting, optionally annealing the prompt's conditioning (CADS; null for none).
 */
public record Phase(SdxlModel model, int from, int to, Sampler sampler, Guidance guidance, ConditionAnnealing annealing) {

    public Phase {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("a phase needs 0 <= from < to, got [" + from + ", " + to + ")");
        }
    }
}
