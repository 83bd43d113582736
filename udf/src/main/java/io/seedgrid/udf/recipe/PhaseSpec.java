package io.seedgrid.udf.recipe;

import io.seedgrid.udf.pipeline.ConditionAnnealing;

/**
 * One phase of a recipe: steps {@code [from, to)} of the recipe's timeline, run by one model (or blend)
 * with one sampler and its own guidance.
 *
 * @param model          the model or blend
 * @param from           first step (inclusive)
 * @param to             last step (exclusive)
 * @param sampler        sampler name (ComfyUI's)
 * @param eta            DDIM's η (ignored by other samplers)
 * @param cfg            guidance scale; ≤ 1 is off
 * @param negativePrompt the phase's negative prompt, or null to use the prompt's own
 * @param cfgSigmaLow    guidance only where σ > this (limited-interval guidance); −∞ for always
 * @param cfgSigmaHigh   guidance only where σ ≤ this; +∞ for always
 * @param cads           condition annealing (CADS), or null
 */
public record PhaseSpec(ModelRef model, int from, int to, String sampler, double eta, double cfg, String negativePrompt,
                        double cfgSigmaLow, double cfgSigmaHigh, ConditionAnnealing cads) {

    public PhaseSpec {
        if (model == null) {
            throw new IllegalArgumentException("a phase must name a model");
        }
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("a phase covers steps [from, to) with 0 <= from < to, got [" + from + ", " + to + ")");
        }
        if (sampler == null || sampler.isBlank()) {
            throw new IllegalArgumentException("a phase must name a sampler");
        }
        if (!Double.isFinite(cfg) || cfg < 0) {
            throw new IllegalArgumentException("cfg must be a number >= 0, got " + cfg);
        }
        if (!Double.isFinite(eta) || eta < 0) {
            throw new IllegalArgumentException("eta must be a number >= 0, got " + eta);
        }
        if (Double.isNaN(cfgSigmaLow) || Double.isNaN(cfgSigmaHigh) || cfgSigmaLow > cfgSigmaHigh) {
            throw new IllegalArgumentException("the guidance interval (" + cfgSigmaLow + ", " + cfgSigmaHigh + "] is not an interval");
        }
    }

    /** A phase with plain guidance at every step and no annealing. */
    public static PhaseSpec of(ModelRef model, int from, int to, String sampler, double cfg, String negativePrompt) {
        return new PhaseSpec(model, from, to, sampler, 0.0, cfg, negativePrompt,
                Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, null);
    }

    public PhaseSpec withRange(int newFrom, int newTo) {
        return new PhaseSpec(model, newFrom, newTo, sampler, eta, cfg, negativePrompt, cfgSigmaLow, cfgSigmaHigh, cads);
    }

    public PhaseSpec withInterval(double low, double high) {
        return new PhaseSpec(model, from, to, sampler, eta, cfg, negativePrompt, low, high, cads);
    }

    public PhaseSpec withCads(ConditionAnnealing spec) {
        return new PhaseSpec(model, from, to, sampler, eta, cfg, negativePrompt, cfgSigmaLow, cfgSigmaHigh, spec);
    }

    public PhaseSpec withEta(double newEta) {
        return new PhaseSpec(model, from, to, sampler, newEta, cfg, negativePrompt, cfgSigmaLow, cfgSigmaHigh, cads);
    }
}
