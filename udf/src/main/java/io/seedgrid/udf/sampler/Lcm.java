package io.seedgrid.udf.sampler;

import io.seedgrid.udf.rng.TorchGenerator;

/**
 * Latent Consistency Model multistep sampling (Luo et al. 2023, Algorithm 1), diffusers' LCMScheduler,
 * in VP space with unit initial noise. At step i with timestep t:
 * <pre>
 *   x0 = (x − √(1−ᾱ_t)·ε)/√ᾱ_t                       (v-prediction: √ᾱ_t·x − √(1−ᾱ_t)·v)
 *   c_skip = σ_d²/((s·t)² + σ_d²),  c_out = s·t/√((s·t)² + σ_d²),  σ_d = 0.5, s = timestep_scaling (10)
 *   denoised = c_out·x0 + c_skip·x
 *   x ← √ᾱ_{t_{i+1}}·denoised + √(1−ᾱ_{t_{i+1}})·z     (z fresh noise from the image's generator)
 * </pre>
 * and after the last step x ← denoised, without noise. The {@code normal} schedule is LCM's own grid
 * ({@link TimestepGrids#lcm}: 999, 759, 499, 259 for 4 steps); DMD2 wants the explicit timesteps
 * 999, 749, 499, 249 (= {@code trailing} at 4 steps).
 */
public final class Lcm extends VpSampler {

    private static final float SIGMA_DATA_SQUARED = 0.25f;

    @Override
    public String name() {
        return "lcm";
    }

    @Override
    public Timeline timeline(NoiseSchedule schedule, ScheduleSpec spec) {
        int n = spec.fullSteps();
        double[] t = !spec.isExplicit() && spec.sigmaSchedule() == SigmaSchedule.NORMAL
                ? TimestepGrids.lcm(schedule.config(), n)
                : VpTimelines.integerTimesteps(schedule, spec, n, name());
        double[] sigmas = new double[n + 1];
        for (int i = 0; i < n; i++) {
            sigmas[i] = VpTimelines.sigmaAt(schedule, t[i]);
        }
        sigmas[n] = 0.0; // the last step returns the denoised latent
        return new Timeline(t, sigmas, schedule, spec).lastSteps(spec.steps());
    }

    @Override
    public boolean drawsNoise(Timeline timeline, int i) {
        return i != timeline.steps() - 1;
    }

    @Override
    public void step(Timeline timeline, int i, float[] x, float[] modelOutput, SamplerState state, TorchGenerator noise) {
        StepArguments.check(timeline, i, x, modelOutput);
        NoiseSchedule schedule = timeline.schedule();
        SchedulerConfig c = schedule.config();
        int t = (int) timeline.timestep(i);
        float alphaProd = schedule.alphaCumprod(t);
        float sqrtAlpha = (float) Math.sqrt(alphaProd);
        float sqrtBeta = (float) Math.sqrt(1.0f - alphaProd);
        // get_scalings_for_boundary_condition_discrete, float32 as torch computes it on the timestep tensor
        float scaled = (float) t * (float) c.timestepScaling();
        float scaledSquaredPlus = scaled * scaled + SIGMA_DATA_SQUARED;
        float cSkip = SIGMA_DATA_SQUARED / scaledSquaredPlus;
        float cOut = scaled / (float) Math.sqrt(scaledSquaredPlus);
        boolean epsilon = schedule.predictionType() == PredictionType.EPSILON;
        float clip = (float) c.clipSampleRange();
        for (int j = 0; j < x.length; j++) {
            float x0 = epsilon ? (x[j] - sqrtBeta * modelOutput[j]) / sqrtAlpha : sqrtAlpha * x[j] - sqrtBeta * modelOutput[j];
            if (c.clipSample()) {
                x0 = Math.max(-clip, Math.min(clip, x0));
            }
            x[j] = cOut * x0 + cSkip * x[j];
        }
        if (drawsNoise(timeline, i)) {
            float alphaProdPrev = NoiseSchedule.alphaCumprodOfSigma(timeline.sigma(i + 1));
            float sqrtAlphaPrev = (float) Math.sqrt(alphaProdPrev);
            float sqrtBetaPrev = (float) Math.sqrt(1.0f - alphaProdPrev);
            float[] fresh = noise.randn(x.length);
            for (int j = 0; j < x.length; j++) {
                x[j] = sqrtAlphaPrev * x[j] + sqrtBetaPrev * fresh[j];
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
