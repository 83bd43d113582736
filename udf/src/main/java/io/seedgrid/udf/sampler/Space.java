package io.seedgrid.udf.sampler;

/**
 * The parameterisation a sampler keeps its latent in. Both describe the same noisy image at noise level
 * σ (with σ² = (1 − ᾱ)/ᾱ); they differ by the factor √(σ² + 1) = 1/√ᾱ.
 */
public enum Space {
    /** k-diffusion / diffusers Euler and DPM-Solver: x = x0 + σ·ε. */
    SIGMA,
    /** DDPM variance-preserving, as diffusers' DDIM and LCM: x = √ᾱ·x0 + √(1 − ᾱ)·ε. */
    VP;

    /**
     * Converts a latent at noise level {@code sigma} from this space to {@code target}, in place.
     * Used at the hand-off between recipe phases whose samplers use different parameterisations.
     */
    public void convertInPlace(float[] x, Space target, double sigma) {
        if (this == target) {
            return;
        }
        double root = Math.sqrt(sigma * sigma + 1.0);
        float factor = (float) (this == SIGMA ? 1.0 / root : root);
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
    }
}
