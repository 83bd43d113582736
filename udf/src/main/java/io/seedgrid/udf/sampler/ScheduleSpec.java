package io.seedgrid.udf.sampler;

import java.util.Arrays;

/**
 * What a user asks of a schedule: a step count and a sigma schedule by name, or an explicit list of
 * timesteps, and a denoise fraction. Samplers turn a spec into a {@link Timeline}.
 *
 * @param steps     number of steps actually run (at least 1)
 * @param scheduler sigma schedule name (see {@link SigmaSchedule#names()}), stored in lower case; ignored
 *                  when {@code timesteps} is set
 * @param timesteps explicit strictly decreasing timesteps ≥ 0 (each sampler also checks ≤ T − 1, and the
 *                  integer-timestep samplers that they are whole numbers), or {@code null}
 * @param denoise   fraction in (0, 1] of the schedule to run, as ComfyUI's KSampler: the schedule is built
 *                  for {@code floor(steps / denoise)} steps and its last {@code steps} steps are kept
 *                  (denoise above 0.9999 counts as 1, as in ComfyUI); must be 1 with explicit timesteps
 */
public record ScheduleSpec(int steps, String scheduler, double[] timesteps, double denoise) {

    /** ComfyUI treats a denoise above this as a full run. */
    static final double FULL_DENOISE = 0.9999;

    public ScheduleSpec {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        if (!(denoise > 0.0 && denoise <= 1.0)) {
            throw new IllegalArgumentException("denoise must be in (0, 1], got " + denoise);
        }
        scheduler = SigmaSchedule.byName(scheduler == null ? "normal" : scheduler).comfyName();
        if (timesteps != null) {
            timesteps = timesteps.clone();
            if (steps != timesteps.length) {
                throw new IllegalArgumentException("steps (" + steps + ") must equal the number of explicit timesteps ("
                        + timesteps.length + ")");
            }
            if (denoise < 1.0) {
                throw new IllegalArgumentException("denoise applies to named schedules; with explicit timesteps "
                        + "list exactly the timesteps to run (got denoise " + denoise + ")");
            }
            for (int i = 0; i < timesteps.length; i++) {
                double t = timesteps[i];
                if (!Double.isFinite(t) || t < 0) {
                    throw new IllegalArgumentException("explicit timesteps must be finite and ≥ 0, got " + t
                            + " in " + Arrays.toString(timesteps));
                }
                if (i > 0 && !(t < timesteps[i - 1])) {
                    throw new IllegalArgumentException("explicit timesteps must be strictly decreasing, got "
                            + Arrays.toString(timesteps));
                }
            }
        }
    }

    /** {@code steps} steps of the named schedule, full denoise. */
    public static ScheduleSpec of(int steps, String scheduler) {
        return new ScheduleSpec(steps, scheduler, null, 1.0);
    }

    /** {@code steps} steps of the named schedule, the last {@code steps} of {@code floor(steps / denoise)}. */
    public static ScheduleSpec of(int steps, String scheduler, double denoise) {
        return new ScheduleSpec(steps, scheduler, null, denoise);
    }

    /** Exactly these timesteps. */
    public static ScheduleSpec explicit(double... timesteps) {
        return new ScheduleSpec(timesteps.length, "normal", timesteps, 1.0);
    }

    @Override
    public double[] timesteps() {
        return timesteps == null ? null : timesteps.clone();
    }

    /** True when the timesteps are given explicitly. */
    public boolean isExplicit() {
        return timesteps != null;
    }

    /** The named schedule (meaningless when {@link #isExplicit()}). */
    public SigmaSchedule sigmaSchedule() {
        return SigmaSchedule.byName(scheduler);
    }

    /** How many steps the schedule is built for before the first ones are dropped: floor(steps / denoise). */
    public int fullSteps() {
        return denoise > FULL_DENOISE ? steps : (int) (steps / denoise);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScheduleSpec s && steps == s.steps && scheduler.equals(s.scheduler)
                && Arrays.equals(timesteps, s.timesteps) && Double.compare(denoise, s.denoise) == 0;
    }

    @Override
    public int hashCode() {
        return ((steps * 31 + scheduler.hashCode()) * 31 + Arrays.hashCode(timesteps)) * 31 + Double.hashCode(denoise);
    }

    @Override
    public String toString() {
        return isExplicit() ? "ScheduleSpec" + Arrays.toString(timesteps)
                : "ScheduleSpec[" + steps + " " + scheduler + (denoise < 1 ? " denoise " + denoise : "") + "]";
    }
}
