package io.seedgrid.udf.sampler;

import io.seedgrid.udf.rng.TorchGenerator;

/**
 * Ancestral Euler in σ-space (k-diffusion's sample_euler_ancestral with η = 1), diffusers'
 * EulerAncestralDiscreteScheduler: from σ_i to σ_{i+1} split into σ_up = √(σ_{i+1}²(σ_i² − σ_{i+1}²)/σ_i²)
 * and σ_down = √(σ_{i+1}² − σ_up²); an Euler step to σ_down, then fresh noise·σ_up from the image's
 * generator. The noise is drawn on every step, the last included (σ_up is 0 there), as diffusers does,
 * so the generator ends in the same state.
 */
public final class EulerAncestral extends SigmaSpaceSampler {

    @Override
    public String name() {
        return "euler_ancestral";
    }

    @Override
    public Timeline timeline(NoiseSchedule schedule, ScheduleSpec spec) {
        return SigmaSpaceTimelines.build(schedule, spec, false);
    }

    @Override
    public boolean drawsNoise(Timeline timeline, int i) {
        return true;
    }

    @Override
    public void step(Timeline timeline, int i, float[] x, float[] modelOutput, SamplerState state, TorchGenerator noise) {
        StepArguments.check(timeline, i, x, modelOutput);
        float sigma = (float) timeline.sigma(i);
        float sigmaTo = (float) timeline.sigma(i + 1);
        float from2 = sigma * sigma;
        float to2 = sigmaTo * sigmaTo;
        float sigmaUp = (float) Math.sqrt(to2 * (from2 - to2) / from2);
        float sigmaDown = (float) Math.sqrt(to2 - sigmaUp * sigmaUp);
        float dt = sigmaDown - sigma;
        boolean epsilon = timeline.schedule().predictionType() == PredictionType.EPSILON;
        float sigmaSquaredPlusOne = from2 + 1.0f;
        float cOut = -sigma / (float) Math.sqrt(sigmaSquaredPlusOne);
        for (int j = 0; j < x.length; j++) {
            float denoised = epsilon ? x[j] - sigma * modelOutput[j] : modelOutput[j] * cOut + x[j] / sigmaSquaredPlusOne;
            float derivative = (x[j] - denoised) / sigma;
            x[j] = x[j] + derivative * dt;
        }
        float[] fresh = noise.randn(x.length);
        for (int j = 0; j < x.length; j++) {
            x[j] = x[j] + fresh[j] * sigmaUp;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
