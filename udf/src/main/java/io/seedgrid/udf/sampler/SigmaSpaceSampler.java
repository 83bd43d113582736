package io.seedgrid.udf.sampler;

/**
 * What diffusers' Euler-family schedulers share: the latent lives in σ-space (x = x0 + σ·ε), the initial
 * noise and the model input scale follow the timeline ({@link SigmaSpaceTimelines}), and no state is
 * kept between steps.
 */
abstract class SigmaSpaceSampler implements Sampler {

    @Override
    public final Space space() {
        return Space.SIGMA;
    }

    @Override
    public final double initNoiseSigma(Timeline timeline, int start) {
        return SigmaSpaceTimelines.initNoiseSigma(timeline, start);
    }

    @Override
    public final float modelInputScale(Timeline timeline, int i) {
        return SigmaSpaceTimelines.modelInputScale(timeline, i);
    }
}
