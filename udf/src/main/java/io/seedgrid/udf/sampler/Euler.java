package io.seedgrid.udf.sampler;

import io.seedgrid.udf.rng.TorchGenerator;

/**
 * Euler's method on the probability-flow ODE in σ-space (Karras et al. 2022, Algorithm 1 without churn),
 * diffusers' EulerDiscreteScheduler: x0 = x − σ_i·ε, x ← x + (x − x0)/σ_i · (σ_{i+1} − σ_i).
 * With v-prediction x0 = v·(−σ/√(σ²+1)) + x/(σ²+1). Timelines: {@link SigmaSpaceTimelines}.
 */
public final class Euler extends SigmaSpaceSampler {

    @Override
    public String name() {
        return "euler";
    }

    @Override
    public Timeline timeline(NoiseSchedule schedule, ScheduleSpec spec) {
        return SigmaSpaceTimelines.build(schedule, spec, schedule.config().finalSigmasType().equals("sigma_min"));
    }

    @Override
    public void step(Timeline timeline, int i, float[] x, float[] modelOutput, SamplerState state, TorchGenerator noise) {
        StepArguments.check(timeline, i, x, modelOutput);
        float sigma = (float) timeline.sigma(i);
        float dt = (float) timeline.sigma(i + 1) - sigma;
        if (timeline.schedule().predictionType() == PredictionType.EPSILON) {
            for (int j = 0; j < x.length; j++) {
                float denoised = x[j] - sigma * modelOutput[j];
                float derivative = (x[j] - denoised) / sigma;
                x[j] = x[j] + derivative * dt;
            }
        } else {
            float sigmaSquaredPlusOne = sigma * sigma + 1.0f;
            float cOut = -sigma / (float) Math.sqrt(sigmaSquaredPlusOne);
            for (int j = 0; j < x.length; j++) {
                float denoised = modelOutput[j] * cOut + x[j] / sigmaSquaredPlusOne;
                float derivative = (x[j] - denoised) / sigma;
                x[j] = x[j] + derivative * dt;
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
