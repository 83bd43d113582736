package io.seedgrid.udf.sampler;

/**
 * Integer timesteps for the samplers that index the ᾱ table (DDIM, LCM) when the schedule is not their
 * own: {@code trailing} as diffusers computes it, Karras as DPMSolverMultistepScheduler computes it (full σ
 * table, timesteps rounded), sgm_uniform rounded, explicit timesteps checked to be whole numbers in range.
 */
final class VpTimelines {

    private VpTimelines() {
    }

    /** The timesteps of every schedule except {@code normal}, whose grid is the sampler's own. */
    static double[] integerTimesteps(NoiseSchedule schedule, ScheduleSpec spec, int n, String sampler) {
        if (spec.isExplicit()) {
            double[] t = spec.timesteps();
            TimestepGrids.checkExplicit(t, schedule.trainSteps(), true, sampler);
            return t;
        }
        double[] t = switch (spec.sigmaSchedule()) {
            case TRAILING -> TimestepGrids.spaced(schedule.config(), "trailing", n, true);
            case KARRAS -> karrasTimesteps(schedule, n);
            case SGM_UNIFORM -> rounded(TimestepGrids.sgmUniform(schedule.trainSteps(), n));
            case NORMAL -> throw new IllegalStateException("the normal schedule is the sampler's own grid");
        };
        for (int i = 1; i < t.length; i++) {
            if (t[i] >= t[i - 1]) {
                throw new IllegalArgumentException(sampler + " steps between distinct whole-number timesteps, but the "
                        + spec.sigmaSchedule().comfyName() + " schedule at " + n + " steps rounds to a repeated timestep "
                        + t[i] + ": use fewer steps or another schedule");
            }
        }
        return t;
    }

    /** round(t(σ_i)) for the Karras σ between the ends of the σ table (DPMSolverMultistepScheduler). */
    static double[] karrasTimesteps(NoiseSchedule schedule, int n) {
        double[] karras = TimestepGrids.karras(schedule.sigmaMin(), schedule.sigmaMax(), n);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = Math.rint(schedule.timestepForSigma(karras[i]));
        }
        return t;
    }

    /** NumPy's round (half to even). */
    static double[] rounded(double[] t) {
        double[] r = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            r[i] = Math.rint(t[i]);
        }
        return r;
    }

    /** σ of the VP latent at integer timestep t, exact to the float32 ᾱ. */
    static double sigmaAt(NoiseSchedule schedule, double t) {
        return NoiseSchedule.sigmaOfAlphaCumprod(schedule.alphaCumprod((int) t));
    }

    /** σ after a DDIM/LCM run: 0 when {@code set_alpha_to_one}, else that of ᾱ_0. */
    static double finalSigma(NoiseSchedule schedule) {
        return schedule.config().setAlphaToOne() ? 0.0 : NoiseSchedule.sigmaOfAlphaCumprod(schedule.alphaCumprod(0));
    }
}
