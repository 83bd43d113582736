package io.seedgrid.udf.sampler;

/**
 * What diffusers' variance-preserving schedulers (DDIM, LCM, DPM-Solver++) share: the latent lives in
 * VP space (x = √ᾱ·x0 + √(1 − ᾱ)·ε), so the initial noise is unit Gaussian and the model sees the
 * latent unscaled ({@code init_noise_sigma} 1, {@code scale_model_input} the identity).
 */
abstract class VpSampler implements Sampler {

    @Override
    public final Space space() {
        return Space.VP;
    }

    @Override
    public final double initNoiseSigma(Timeline timeline, int start) {
        return 1.0;
    }

    @Override
    public final float modelInputScale(Timeline timeline, int i) {
        return 1.0f;
    }
}
