package io.seedgrid.udf.sampler;

import io.seedgrid.udf.rng.TorchGenerator;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2), diffusers' DPMSolverMultistepScheduler
 * with its SDXL defaults: {@code algorithm_type="dpmsolver++"}, {@code solver_order=2},
 * {@code solver_type="midpoint"}, {@code lower_order_final=True}. The latent is kept in VP space
 * (x = α·x0 + σ_t·ε with α = 1/√(σ²+1), σ_t = σ·α), so the initial noise is unit and the model input is not
 * scaled. With λ = log α − log σ_t, h = λ_{i+1} − λ_i and D0 the current x0 prediction:
 * <pre>
 *   first order (first step, last step, final σ = 0): x ← (σ_t,i+1/σ_t,i)·x − α_{i+1}(e^−h − 1)·D0
 *   second order: r = (λ_i − λ_{i−1})/h, D1 = (D0 − D0_prev)/r,
 *                 x ← (σ_t,i+1/σ_t,i)·x − α_{i+1}(e^−h − 1)·D0 − ½·α_{i+1}(e^−h − 1)·D1
 * </pre>
 * Timelines follow DPMSolverMultistepScheduler's {@code set_timesteps} (integer timesteps; its
 * {@code leading} divides T by N + 1; Karras over the full σ table with rounded timesteps).
 */
public final class DpmPp2m extends VpSampler {

    /** DPM-Solver++'s memory: the previous step's x0 prediction and how many steps it has taken. */
    static final class State implements SamplerState {
        private float[] previousDenoised;
        private int lowerOrderSteps;

        @Override
        public String toString() {
            return "DpmPp2m.State[" + lowerOrderSteps + " steps]";
        }
    }

    @Override
    public String name() {
        return "dpmpp_2m";
    }

    @Override
    public Timeline timeline(NoiseSchedule schedule, ScheduleSpec spec) {
        SchedulerConfig c = schedule.config();
        int n = spec.fullSteps();
        double[] t;
        double[] sigmas = new double[n + 1];
        if (!spec.isExplicit() && spec.sigmaSchedule() == SigmaSchedule.KARRAS) {
            // the solver runs on the Karras σ; the model is told the rounded timestep of each σ
            double[] karras = TimestepGrids.karras(schedule.sigmaMin(), schedule.sigmaMax(), n);
            t = VpTimelines.karrasTimesteps(schedule, n);
            for (int i = 0; i < n; i++) {
                sigmas[i] = (float) karras[i];
            }
        } else {
            t = spec.isExplicit() || spec.sigmaSchedule() != SigmaSchedule.NORMAL
                    ? VpTimelines.integerTimesteps(schedule, spec, n, name())
                    : TimestepGrids.dpmSpaced(c, c.timestepSpacing(), n);
            for (int i = 0; i < n; i++) {
                sigmas[i] = schedule.sigma((int) t[i]);
            }
        }
        sigmas[n] = c.finalSigmasType().equals("sigma_min") ? schedule.sigmaMin() : 0.0;
        return new Timeline(t, sigmas, schedule, spec).lastSteps(spec.steps());
    }

    @Override
    public SamplerState newState() {
        return new State();
    }

    @Override
    public void step(Timeline timeline, int i, float[] x, float[] modelOutput, SamplerState state, TorchGenerator noise) {
        StepArguments.check(timeline, i, x, modelOutput);
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException("dpmpp_2m needs the state from its newState(), got " + state);
        }
        int last = timeline.steps() - 1;
        SchedulerConfig c = timeline.schedule().config();
        boolean lowerOrderFinal = i == last && (timeline.steps() < 15 || c.finalSigmasType().equals("zero"));

        // convert_model_output: the x0 prediction at σ_i
        float sigmaS0 = (float) timeline.sigma(i);
        float alphaS0 = alpha(sigmaS0);
        float sigmaTS0 = sigmaS0 * alphaS0;
        float[] denoised = new float[x.length];
        if (timeline.schedule().predictionType() == PredictionType.EPSILON) {
            for (int j = 0; j < x.length; j++) {
                denoised[j] = (x[j] - sigmaTS0 * modelOutput[j]) / alphaS0;
            }
        } else {
            for (int j = 0; j < x.length; j++) {
                denoised[j] = alphaS0 * x[j] - sigmaTS0 * modelOutput[j];
            }
        }

        float sigmaT = (float) timeline.sigma(i + 1);
        float alphaT = alpha(sigmaT);
        float sigmaTT = sigmaT * alphaT;
        float lambdaT = log(alphaT) - log(sigmaTT);
        float lambdaS0 = log(alphaS0) - log(sigmaTS0);
        float h = lambdaT - lambdaS0;
        float ratio = sigmaTT / sigmaTS0;
        float coefficient = alphaT * ((float) Math.exp(-h) - 1.0f);

        if (s.lowerOrderSteps < 1 || lowerOrderFinal) {
            for (int j = 0; j < x.length; j++) {
                x[j] = ratio * x[j] - coefficient * denoised[j];
            }
        } else {
            float sigmaS1 = (float) timeline.sigma(i - 1);
            float alphaS1 = alpha(sigmaS1);
            float lambdaS1 = log(alphaS1) - log(sigmaS1 * alphaS1);
            float r0 = (lambdaS0 - lambdaS1) / h;
            float inverseR0 = 1.0f / r0;
            float halfCoefficient = 0.5f * coefficient;
            float[] previous = s.previousDenoised;
            for (int j = 0; j < x.length; j++) {
                float d1 = inverseR0 * (denoised[j] - previous[j]);
                x[j] = ratio * x[j] - coefficient * denoised[j] - halfCoefficient * d1;
            }
        }
        s.previousDenoised = denoised;
        s.lowerOrderSteps = Math.min(s.lowerOrderSteps + 1, 2);
    }

    /** α = 1/√(σ² + 1) in float32 (diffusers' {@code _sigma_to_alpha_sigma_t}). */
    private static float alpha(float sigma) {
        return 1.0f / (float) Math.sqrt(sigma * sigma + 1.0f);
    }

    private static float log(float v) {
        return (float) Math.log(v);
    }

    @Override
    public String toString() {
        return name();
    }
}
