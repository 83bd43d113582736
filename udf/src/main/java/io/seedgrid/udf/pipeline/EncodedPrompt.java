package io.seedgrid.udf.pipeline;

/**
 * A prompt after both text encoders.
 *
 * @param conditioning the token states and pooled embedding
 * @param tokens       number of prompt tokens (without bos/eos)
 * @param truncated    true when tokens beyond the 75 that fit were dropped
 */
public record EncodedPrompt(Conditioning conditioning, int tokens, boolean truncated) {
}
