package io.seedgrid.udf.pipeline;

/**
 * Sees what the pipeline does, in order: every UNet call (which model, which step and timestep, how
 * many rows, whether guidance was on) and the latents after every step. Tests use it to check that
 * recipe phases call the right sessions at the right timesteps and to compare trajectories with
 * references; it must be cheap and must not change the arrays it is shown.
 */
public interface PipelineObserver {

    /** An observer that ignores everything. */
    PipelineObserver NONE = new PipelineObserver() {
    };

    /** A UNet call is about to run. */
    default void unetCall(SdxlModel model, int step, double timestep, int rows, boolean guided) {
    }

    /** Step {@code step} is done; {@code latents[b]} is image b's latent in the sampler's space (read only). */
    default void afterStep(int step, float[][] latents) {
    }
}
