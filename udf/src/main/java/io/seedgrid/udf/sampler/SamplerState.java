package io.seedgrid.udf.sampler;

/**
 * The per-image memory of a sampler between steps (for instance DPM-Solver++ 2M's previous denoised
 * latent). Each sampler defines its own implementation; a stateless sampler returns {@link #NONE}.
 */
public interface SamplerState {

    /** The state of samplers that remember nothing. */
    SamplerState NONE = new SamplerState() {
        @Override
        public String toString() {
            return "SamplerState.NONE";
        }
    };
}
