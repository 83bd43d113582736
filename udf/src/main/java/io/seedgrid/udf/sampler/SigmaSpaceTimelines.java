package io.seedgrid.udf.sampler;

/**
 * EulerDiscreteScheduler's {@code set_timesteps}, shared by {@link Euler} and {@link EulerAncestral}
 * (diffusers' EulerAncestralDiscreteScheduler computes the same spaced schedules; the Karras,
 * sgm_uniform and explicit schedules it lacks are taken from EulerDiscreteScheduler). Timesteps are
 * float32 and may be fractional; σ_i = np.interp(t_i) of the float32 σ table, rounded to float32.
 */
final class SigmaSpaceTimelines {

    private SigmaSpaceTimelines() {
    }

    static Timeline build(NoiseSchedule schedule, ScheduleSpec spec, boolean finalSigmaMin) {
        SchedulerConfig c = schedule.config();
        int n = spec.fullSteps();
        double[] t;
        double[] sigmas = new double[n + 1];
        if (spec.isExplicit()) {
            t = spec.timesteps();
            TimestepGrids.checkExplicit(t, schedule.trainSteps(), false, "this sampler");
            t = float32(t);
            interpolate(schedule, t, sigmas);
        } else {
            switch (spec.sigmaSchedule()) {
                case NORMAL -> {
                    t = TimestepGrids.spaced(c, c.timestepSpacing(), n, false);
                    interpolate(schedule, t, sigmas);
                }
                case TRAILING -> {
                    t = TimestepGrids.spaced(c, "trailing", n, false);
                    interpolate(schedule, t, sigmas);
                }
                case KARRAS -> {
                    // diffusers: the Karras range is the first and last σ of the config spacing
                    double[] spaced = TimestepGrids.spaced(c, c.timestepSpacing(), n, false);
                    double[] base = new double[n + 1];
                    interpolateExact(schedule, spaced, base);
                    double[] karras = TimestepGrids.karras(base[n - 1], base[0], n);
                    t = new double[n];
                    for (int i = 0; i < n; i++) {
                        t[i] = (float) schedule.timestepForSigma(karras[i]);
                        sigmas[i] = (float) karras[i];
                    }
                }
                case SGM_UNIFORM -> {
                    t = float32(TimestepGrids.sgmUniform(schedule.trainSteps(), n));
                    interpolate(schedule, t, sigmas);
                }
                default -> throw new IllegalStateException("unhandled schedule " + spec.sigmaSchedule());
            }
        }
        sigmas[n] = finalSigmaMin ? schedule.sigmaMin() : 0.0;
        return new Timeline(t, sigmas, schedule, spec).lastSteps(spec.steps());
    }

    /**
     * diffusers' {@code init_noise_sigma} of the Euler family, for a run entering at σ: σ when the spacing
     * is {@code linspace} or {@code trailing}, else √(σ² + 1) (float32 arithmetic, as diffusers).
     */
    static double initNoiseSigma(Timeline timeline, int start) {
        float sigma = (float) timeline.sigma(start);
        ScheduleSpec spec = timeline.spec();
        String spacing = !spec.isExplicit() && spec.sigmaSchedule() == SigmaSchedule.TRAILING
                ? "trailing" : timeline.schedule().config().timestepSpacing();
        if (spacing.equals("linspace") || spacing.equals("trailing")) {
            return sigma;
        }
        return (float) Math.sqrt(sigma * sigma + 1.0f);
    }

    /** diffusers' {@code scale_model_input}: the latent divided by √(σ² + 1), here as a float32 factor. */
    static float modelInputScale(Timeline timeline, int i) {
        float sigma = (float) timeline.sigma(i);
        return 1.0f / (float) Math.sqrt(sigma * sigma + 1.0f);
    }

    private static void interpolate(NoiseSchedule schedule, double[] t, double[] sigmas) {
        for (int i = 0; i < t.length; i++) {
            sigmas[i] = (float) schedule.interpolatedSigma(t[i]);
        }
    }

    private static void interpolateExact(NoiseSchedule schedule, double[] t, double[] sigmas) {
        for (int i = 0; i < t.length; i++) {
            sigmas[i] = schedule.interpolatedSigma(t[i]);
        }
    }

    private static double[] float32(double[] t) {
        double[] f = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            f[i] = (float) t[i];
        }
        return f;
    }
}
