package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.sampler.ScheduleSpec;

import java.util.List;

/**
 * How one image is denoised: one timeline (a schedule spec that every phase's sampler turns into its
 * timeline) cut into phases that together cover steps {@code [startStep, steps)} without gaps or
 * overlaps. A plain run is one phase; a hybrid run hands the latent from one phase to the next.
 */
public record SamplingPlan(ScheduleSpec schedule, int startStep, List<Phase> phases) {

    public SamplingPlan {
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a sampling plan needs at least one phase");
        }
        int expected = startStep;
        for (Phase phase : phases) {
            if (phase.from() != expected) {
                throw new IllegalArgumentException("phase steps must follow each other from step " + startStep
                        + ": expected a phase starting at step " + expected + ", got [" + phase.from() + ", " + phase.to() + ")");
            }
            expected = phase.to();
        }
        if (expected != schedule.steps()) {
            throw new IllegalArgumentException("the phases end at step " + expected + " but the schedule has "
                    + schedule.steps() + " steps");
        }
    }

    /** One model, one sampler, every step. */
    public static SamplingPlan single(SdxlModel model, io.seedgrid.udf.sampler.Sampler sampler, ScheduleSpec schedule,
                                      Guidance guidance) {
        return new SamplingPlan(schedule, 0, List.of(new Phase(model, 0, schedule.steps(), sampler, guidance, null)));
    }

    /** The phase that finishes the image; its model's VAE decodes it. */
    public Phase last() {
        return phases.get(phases.size() - 1);
    }
}
