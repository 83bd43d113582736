package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.image.RgbImage;

/**
 * The outcome for one seed.
 *
 * @param seed         the seed (unsigned 64-bit, as {@link Long#toUnsignedString})
 * @param status       ok, nan or error
 * @param message      why it is not ok; empty when it is
 * @param image        the image, or null when the status is not ok
 * @param latents      the final latents ({@code channels × h/8 × w/8}) in the last sampler's space
 * @param promptTokens prompt tokens (without bos/eos)
 * @param truncated    true when the prompt was cut to fit 75 tokens
 * @param timings      what this image cost
 */
public record GeneratedImage(long seed, ImageStatus status, String message, RgbImage image, float[] latents,
                             int promptTokens, boolean truncated, Timings timings) {
}
