package io.seedgrid.udf.pipeline;

/**
 * What the UNet is conditioned on for one prompt: the token states (both text encoders' penultimate
 * hidden states concatenated per token, {@code length × width}, row-major) and the pooled, projected
 * embedding of the second encoder. Arrays are owned by the instance and never changed after creation.
 *
 * @param tokenStates {@code length × width} floats
 * @param length      number of token positions (77, or 77·k for chunked long prompts)
 * @param width       token state width (2048 for SDXL: 768 + 1280)
 * @param pooled      pooled embedding (1280 for SDXL)
 */
public record Conditioning(float[] tokenStates, int length, int width, float[] pooled) {

    public Conditioning {
        if (tokenStates.length != length * width) {
            throw new IllegalArgumentException("token states hold " + tokenStates.length + " floats, expected "
                    + length + " x " + width);
        }
    }

    /** SDXL's unconditional input for an empty negative prompt ({@code force_zeros_for_empty_prompt}). */
    public static Conditioning zeros(int length, int width, int pooledWidth) {
        return new Conditioning(new float[length * width], length, width, new float[pooledWidth]);
    }

    /** The same shapes, all zero. */
    public Conditioning zerosLike() {
        return zeros(length, width, pooled.length);
    }

    /** This conditioning extended to {@code newLength} positions with {@code filler}'s chunks repeated (long prompts). */
    public Conditioning padTo(int newLength, Conditioning filler) {
        if (newLength == length) {
            return this;
        }
        if (newLength < length || filler.width != width || (newLength - length) % filler.length != 0) {
            throw new IllegalArgumentException("cannot pad " + length + " positions to " + newLength
                    + " with chunks of " + filler.length);
        }
        float[] states = new float[newLength * width];
        System.arraycopy(tokenStates, 0, states, 0, tokenStates.length);
        for (int at = length; at < newLength; at += filler.length) {
            System.arraycopy(filler.tokenStates, 0, states, at * width, filler.tokenStates.length);
        }
        return new Conditioning(states, newLength, width, pooled);
    }
}
