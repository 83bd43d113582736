package io.seedgrid.udf.sampler;

import io.seedgrid.udf.rng.TorchGenerator;

/**
 * DDIM (Song et al. 2021, eq. 12), diffusers' DDIMScheduler, in VP space with unit initial noise:
 * <pre>
 *   x0 = (x − √(1−ᾱ_t)·ε)/√ᾱ_t,   σ_η = η·√((1−ᾱ_prev)/(1−ᾱ_t) · (1 − ᾱ_t/ᾱ_prev))
 *   x  ← √ᾱ_prev·x0 + √(1 − ᾱ_prev − σ_η²)·ε + σ_η·z      (z fresh noise from the image's generator, only if η &gt; 0)
 * </pre>
 * With v-prediction x0 = √ᾱ_t·x − √(1−ᾱ_t)·v and ε = √ᾱ_t·v + √(1−ᾱ_t)·x. {@code clip_sample} clamps x0.
 *
 * <p>Which ᾱ_prev: for its own spaced schedules ({@code normal}, {@code trailing}) diffusers steps from t to
 * t − T div N (ᾱ_0 or 1 past zero, per {@code set_alpha_to_one}), which for {@code trailing} with N not
 * dividing T is not exactly the next timestep; seedgrid does the same. For Karras, sgm_uniform and explicit
 * timesteps (which diffusers' DDIM does not offer) it steps to the next timestep of the list, and past the
 * last one to the final ᾱ.
 */
public final class Ddim extends VpSampler {

    private final double eta;

    /** Deterministic DDIM (η = 0). */
    public Ddim() {
        this(0.0);
    }

    /** DDIM with stochasticity η ≥ 0 (η = 1 is DDPM-like ancestral sampling). */
    public Ddim(double eta) {
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("ddim eta must be a finite number ≥ 0, got " + eta);
        }
        this.eta = eta;
    }

    public double eta() {
        return eta;
    }

    @Override
    public String name() {
        return "ddim";
    }

    @Override
    public Timeline timeline(NoiseSchedule schedule, ScheduleSpec spec) {
        SchedulerConfig c = schedule.config();
        int n = spec.fullSteps();
        double[] sigmas = new double[n + 1];
        double[] t;
        boolean spaced = !spec.isExplicit()
                && (spec.sigmaSchedule() == SigmaSchedule.NORMAL || spec.sigmaSchedule() == SigmaSchedule.TRAILING);
        if (spaced) {
            String spacing = spec.sigmaSchedule() == SigmaSchedule.TRAILING ? "trailing" : c.timestepSpacing();
            t = TimestepGrids.spaced(c, spacing, n, true);
            int stride = schedule.trainSteps() / n;
            sigmas[0] = VpTimelines.sigmaAt(schedule, t[0]);
            for (int i = 0; i < n; i++) {
                double previous = t[i] - stride;
                sigmas[i + 1] = previous >= 0 ? VpTimelines.sigmaAt(schedule, previous) : VpTimelines.finalSigma(schedule);
            }
        } else {
            t = VpTimelines.integerTimesteps(schedule, spec, n, name());
            for (int i = 0; i < n; i++) {
                sigmas[i] = VpTimelines.sigmaAt(schedule, t[i]);
            }
            sigmas[n] = VpTimelines.finalSigma(schedule);
        }
        return new Timeline(t, sigmas, schedule, spec).lastSteps(spec.steps());
    }

    @Override
    public boolean drawsNoise(Timeline timeline, int i) {
        return eta > 0;
    }

    @Override
    public void step(Timeline timeline, int i, float[] x, float[] modelOutput, SamplerState state, TorchGenerator noise) {
        StepArguments.check(timeline, i, x, modelOutput);
        NoiseSchedule schedule = timeline.schedule();
        SchedulerConfig c = schedule.config();
        float alphaProd = schedule.alphaCumprod((int) timeline.timestep(i));
        float alphaProdPrev = NoiseSchedule.alphaCumprodOfSigma(timeline.sigma(i + 1));
        float betaProd = 1.0f - alphaProd;
        float sqrtAlpha = (float) Math.sqrt(alphaProd);
        float sqrtBeta = (float) Math.sqrt(betaProd);
        float betaProdPrev = 1.0f - alphaProdPrev;
        float variance = (betaProdPrev / betaProd) * (1.0f - alphaProd / alphaProdPrev);
        float stdDev = (float) eta * (float) Math.sqrt(variance);
        float direction = (float) Math.sqrt(1.0f - alphaProdPrev - stdDev * stdDev);
        float sqrtAlphaPrev = (float) Math.sqrt(alphaProdPrev);
        boolean epsilon = schedule.predictionType() == PredictionType.EPSILON;
        float clip = (float) c.clipSampleRange();
        for (int j = 0; j < x.length; j++) {
            float x0;
            float eps;
            if (epsilon) {
                x0 = (x[j] - sqrtBeta * modelOutput[j]) / sqrtAlpha;
                eps = modelOutput[j];
            } else {
                x0 = sqrtAlpha * x[j] - sqrtBeta * modelOutput[j];
                eps = sqrtAlpha * modelOutput[j] + sqrtBeta * x[j];
            }
            if (c.clipSample()) {
                x0 = Math.max(-clip, Math.min(clip, x0));
            }
            x[j] = sqrtAlphaPrev * x0 + direction * eps;
        }
        if (drawsNoise(timeline, i)) {
            float[] fresh = noise.randn(x.length);
            for (int j = 0; j < x.length; j++) {
                x[j] = x[j] + stdDev * fresh[j];
            }
        }
    }

    @Override
    public String toString() {
        return eta == 0 ? name() : name() + "(eta=" + eta + ")";
    }
}
