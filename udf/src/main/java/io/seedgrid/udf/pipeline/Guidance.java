package io.seedgrid.udf.pipeline;

/**
 * Classifier-free guidance of one phase: {@code noise = u + scale·(c − u)} with u the prediction for the
 * negative prompt, applied when {@code scale > 1} and the step's noise level σ lies in
 * {@code (sigmaLow, sigmaHigh]} (guidance in a limited interval, Kynkäänniemi et al. 2024; the default
 * interval is everything). Outside it the UNet runs on the prompt alone.
 *
 * @param scale          guidance scale; 1 or less turns guidance off, as diffusers
 * @param negativePrompt the negative prompt; empty means SDXL's all-zero unconditional input
 * @param sigmaLow       exclusive lower bound of the guided σ interval
 * @param sigmaHigh      inclusive upper bound of the guided σ interval
 */
public record Guidance(double scale, String negativePrompt, double sigmaLow, double sigmaHigh) {

    public Guidance {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("guidance scale must be a finite number, got " + scale);
        }
        if (Double.isNaN(sigmaLow) || Double.isNaN(sigmaHigh)) {
            throw new IllegalArgumentException("guidance interval bounds must be numbers");
        }
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
    }

    /** No guidance: the prompt alone. */
    public static Guidance off() {
        return new Guidance(1.0, "", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** Guidance at every step. */
    public static Guidance cfg(double scale, String negativePrompt) {
        return new Guidance(scale, negativePrompt, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** This guidance restricted to σ in (low, high]. */
    public Guidance interval(double low, double high) {
        return new Guidance(scale, negativePrompt, low, high);
    }

    /** True when guidance is on at all. */
    public boolean enabled() {
        return scale > 1.0;
    }

    /** True when guidance applies at noise level {@code sigma}. */
    public boolean activeAt(double sigma) {
        return enabled() && sigma > sigmaLow && sigma <= sigmaHigh;
    }
}
