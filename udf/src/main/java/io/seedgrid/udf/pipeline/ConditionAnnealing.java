package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.rng.TorchGenerator;

/**
 * Condition-annealed sampling, CADS (Sadat et al., "CADS: Unleashing the Diversity of Diffusion Models
 * through Condition-Annealed Sampling", ICLR 2024, Algorithm 1). At diffusion time t ∈ [0, 1] (1 = pure
 * noise; seedgrid takes t = timestep / (train steps − 1), the paper's time, not the step fraction) the
 * prompt's conditioning y — token states and pooled embedding, each as one tensor — becomes
 * <pre>
 *   ŷ = √γ(t)·y + s·√(1 − γ(t))·n,   n ~ N(0, I)
 *   γ(t) = 1 for t ≤ τ1,  (τ2 − t)/(τ2 − τ1) for τ1 < t < τ2,  0 for t ≥ τ2
 *   with rescaling: ŷ ← ψ·((ŷ − mean ŷ)/std ŷ · std y + mean y) + (1 − ψ)·ŷ
 * </pre>
 * Only the prompt's conditioning is annealed, as in the paper; the unconditional input of CFG is not
 * (the A1111 extension noises both). The noise comes from a generator of the image's own, seeded from
 * its seed and separate from the latent generator, so CADS is deterministic per seed, independent of
 * batching, and leaves the initial latent and any sampler noise exactly as without CADS.
 *
 * @param tau1       below this t the condition is clean
 * @param tau2       above this t the condition is pure (scaled) noise
 * @param noiseScale s
 * @param psi        mixing factor ψ of the rescaled condition, in [0, 1]
 * @param rescale    whether to rescale to the clean condition's mean and standard deviation
 */
public record ConditionAnnealing(double tau1, double tau2, double noiseScale, double psi, boolean rescale) {

    public ConditionAnnealing {
        if (!(tau1 >= 0 && tau1 <= tau2 && tau2 <= 1)) {
            throw new IllegalArgumentException("CADS needs 0 <= tau1 <= tau2 <= 1, got tau1=" + tau1 + " tau2=" + tau2);
        }
        if (!(noiseScale >= 0) || !Double.isFinite(noiseScale)) {
            throw new IllegalArgumentException("CADS noise scale s must be a number >= 0, got " + noiseScale);
        }
        if (!(psi >= 0 && psi <= 1)) {
            throw new IllegalArgumentException("CADS psi must be in [0, 1], got " + psi);
        }
    }

    /** The defaults of the paper's text-to-image experiments and the A1111 extension: τ1 0.6, τ2 0.9, s 0.25, ψ 1, rescaled. */
    public static ConditionAnnealing recommended() {
        return new ConditionAnnealing(0.6, 0.9, 0.25, 1.0, true);
    }

    /** γ(t), the share of the clean condition at diffusion time t. */
    public double gamma(double t) {
        if (t <= tau1) {
            return 1.0;
        }
        if (t >= tau2) {
            return 0.0;
        }
        return (tau2 - t) / (tau2 - tau1);
    }

    /** The generator of an image's CADS noise: its own stream, derived from the seed (SplitMix64 finaliser). */
    static TorchGenerator noiseFor(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new TorchGenerator(z ^ (z >>> 31));
    }

    /**
     * The annealed conditioning at diffusion time {@code t}, drawing noise from {@code noise}. Where the
     * formula is the identity — γ(t) = 1, or s = 0 with full rescaling (ψ = 1 maps √γ·y back onto y) —
     * {@code y} itself is returned, so no rounding creeps in.
     */
    Conditioning apply(Conditioning y, double t, TorchGenerator noise) {
        double gamma = gamma(t);
        if (gamma == 1.0 || (noiseScale == 0.0 && rescale && psi == 1.0)) {
            return y;
        }
        float[] states = anneal(y.tokenStates(), gamma, noise);
        float[] pooled = anneal(y.pooled(), gamma, noise);
        return new Conditioning(states, y.length(), y.width(), pooled);
    }

    private float[] anneal(float[] y, double gamma, TorchGenerator noise) {
        float[] n = noise.randn(y.length);
        double a = Math.sqrt(gamma);
        double b = noiseScale * Math.sqrt(1 - gamma);
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (float) (a * y[i] + b * n[i]);
        }
        if (rescale && gamma < 1) {
            double[] clean = meanStd(y);
            double[] noisy = meanStd(out);
            if (noisy[1] > 0) {
                for (int i = 0; i < out.length; i++) {
                    double scaled = (out[i] - noisy[0]) / noisy[1] * clean[1] + clean[0];
                    out[i] = (float) (psi * scaled + (1 - psi) * out[i]);
                }
            }
        }
        return out;
    }

    /** Mean and unbiased standard deviation (torch.std's default), in double. */
    private static double[] meanStd(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double squares = 0;
        for (float x : v) {
            squares += (x - mean) * (x - mean);
        }
        return new double[] {mean, v.length > 1 ? Math.sqrt(squares / (v.length - 1)) : 0};
    }
}
