package io.seedgrid.udf.sampler;

import io.seedgrid.udf.rng.TorchGenerator;

/**
 * One sampling algorithm, after diffusers' schedulers but split in two: an immutable {@link Timeline}
 * (diffusers' {@code set_timesteps}) and a stateless {@link #step} that advances one image by one step
 * with that image's own {@link SamplerState} and generator. Nothing in a sampler depends on the batch:
 * the pipeline calls {@code step} once per image. Implementations are immutable and thread-safe.
 *
 * <p>The pipeline drives a sampler as diffusers' pipelines do:
 * <pre>
 *   tl    = sampler.timeline(noiseSchedule, spec)
 *   state = sampler.newState()
 *   x     = generator.randn(n) · (float) sampler.initNoiseSigma(tl, start)
 *   for i in [start, end):
 *       out = unet(x · sampler.modelInputScale(tl, i), tl.timestep(i), …)   // with CFG applied
 *       sampler.step(tl, i, x, out, state, generator)                      // x updated in place
 * </pre>
 * All arithmetic on latents is float32 in the order diffusers' torch code performs it.
 */
public interface Sampler {

    /** The ComfyUI name ({@code euler}, {@code euler_ancestral}, {@code dpmpp_2m}, {@code ddim}, {@code lcm}). */
    String name();

    /** The space this sampler keeps its latent in. */
    Space space();

    /**
     * The steps this sampler takes for {@code spec}, as diffusers' {@code set_timesteps} computes them.
     *
     * @throws IllegalArgumentException when the spec cannot be run by this sampler on this schedule
     *                                  (explicit timesteps beyond T − 1, fractional timesteps for an
     *                                  integer-timestep sampler, too many LCM steps)
     */
    Timeline timeline(NoiseSchedule schedule, ScheduleSpec spec);

    /**
     * The factor on unit Gaussian noise for a latent that starts at step {@code start} of {@code timeline}
     * (diffusers' {@code init_noise_sigma} when {@code start} is 0); a float32 value.
     */
    double initNoiseSigma(Timeline timeline, int start);

    /**
     * The factor on the latent before it goes into the model at step {@code i} (diffusers'
     * {@code scale_model_input}; diffusers divides by the reciprocal, which can differ in the last bit).
     */
    float modelInputScale(Timeline timeline, int i);

    /** A fresh per-image state (multistep history, step counters); none for single-step samplers. */
    default SamplerState newState() {
        return SamplerState.NONE;
    }

    /**
     * Whether {@link #step} at step {@code i} draws fresh noise ({@code randn(x.length)}) from the image's generator.
     * The pipeline draws it while the UNet runs ({@link TorchGenerator#drawAhead}); an answer that is wrong costs a
     * draw made early or not at all, never other noise.
     */
    default boolean drawsNoise(Timeline timeline, int i) {
        return false;
    }

    /**
     * Advances one image from step {@code i} to step {@code i + 1}, in place.
     *
     * @param x           the image's latent in {@link #space()}, updated in place
     * @param modelOutput the model's output for this image after guidance (ε or v, per the schedule's
     *                    prediction type); not modified
     * @param state       this image's state from {@link #newState()}
     * @param noise       the image's own generator; ancestral, DDIM (η &gt; 0) and LCM steps draw fresh
     *                    noise from it with {@code randn(x.length)}
     */
    void step(Timeline timeline, int i, float[] x, float[] modelOutput, SamplerState state, TorchGenerator noise);
}
