package io.seedgrid.udf.sampler;

import java.util.Arrays;

/**
 * The steps of one sampling run as one sampler computed them: the model timestep at each step and the
 * noise level σ the sampler's update assumes for the latent entering that step, plus the level after the
 * last step. Immutable.
 *
 * <p>σ-space samplers (Euler family, DPM-Solver) hold diffusers' float32 σ values; DDIM and LCM hold
 * √((1 − ᾱ)/ᾱ) of the float32 ᾱ they step to, in float64, so that ᾱ is recovered exactly. DDIM's
 * {@code sigma(i + 1)} is the level its step i lands on, which for diffusers' spaced schedules is
 * ᾱ(t_i − T/N) and may differ slightly from σ(t_{i+1}) (see {@link Ddim}).
 *
 * @param timesteps the timestep fed to the UNet at step i (fractional for the Euler family's Karras and
 *                  explicit schedules)
 * @param sigmas    {@code timesteps.length + 1} noise levels: σ entering step i, then the final σ
 * @param schedule  the noise schedule the timeline was built on
 * @param spec      what the timeline was built from (provenance; Euler's initial noise depends on it)
 */
public record Timeline(double[] timesteps, double[] sigmas, NoiseSchedule schedule, ScheduleSpec spec) {

    public Timeline {
        if (timesteps.length == 0) {
            throw new IllegalArgumentException("a timeline needs at least one step");
        }
        if (sigmas.length != timesteps.length + 1) {
            throw new IllegalArgumentException("a timeline needs steps + 1 sigmas, got "
                    + sigmas.length + " for " + timesteps.length + " steps");
        }
        if (schedule == null || spec == null) {
            throw new IllegalArgumentException("a timeline needs its noise schedule and spec");
        }
        timesteps = timesteps.clone();
        sigmas = sigmas.clone();
    }

    /** Number of steps. */
    public int steps() {
        return timesteps.length;
    }

    /** The UNet timestep of step {@code i}. */
    public double timestep(int i) {
        return timesteps[i];
    }

    /** The noise level of the latent entering step {@code i}; {@code sigma(steps())} is the final one. */
    public double sigma(int i) {
        return sigmas[i];
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    /** The last {@code count} steps of a timeline (ComfyUI's denoise: keep the last steps + 1 sigmas). */
    Timeline lastSteps(int count) {
        int drop = timesteps.length - count;
        if (drop == 0) {
            return this;
        }
        return new Timeline(Arrays.copyOfRange(timesteps, drop, timesteps.length),
                Arrays.copyOfRange(sigmas, drop, sigmas.length), schedule, spec);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Timeline t && Arrays.equals(timesteps, t.timesteps)
                && Arrays.equals(sigmas, t.sigmas) && schedule.equals(t.schedule) && spec.equals(t.spec);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(timesteps) + Arrays.hashCode(sigmas);
    }

    @Override
    public String toString() {
        return "Timeline" + Arrays.toString(timesteps);
    }
}
