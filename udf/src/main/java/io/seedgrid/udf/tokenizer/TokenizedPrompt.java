package io.seedgrid.udf.tokenizer;

import java.util.Arrays;

/**
 * One text-encoder input row: {@code ids} is always {@link ClipTokenizer#maxLength()} long
 * (bos, the prompt's tokens, eos, then padding).
 *
 * @param ids        the input ids, bos + tokens + eos + pad
 * @param tokenCount the number of prompt tokens, without bos and eos: for {@link ClipTokenizer#encode}
 *                   the count before truncation (so a caller sees how many were dropped), for a chunk of
 *                   {@link ClipTokenizer#encodeChunks} the tokens that chunk holds
 * @param truncated  whether tokens of the prompt were dropped to fit
 */
public record TokenizedPrompt(int[] ids, int tokenCount, boolean truncated) {

    public TokenizedPrompt {
        ids = ids.clone();
        if (tokenCount < 0) {
            throw new IllegalArgumentException("tokenCount must be >= 0, got " + tokenCount);
        }
    }

    /** A copy of the ids, so that the record stays immutable. */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedPrompt other
                && tokenCount == other.tokenCount
                && truncated == other.truncated
                && Arrays.equals(ids, other.ids);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + tokenCount) + Boolean.hashCode(truncated);
    }

    @Override
    public String toString() {
        return "TokenizedPrompt[ids=" + Arrays.toString(ids) + ", tokenCount=" + tokenCount
                + ", truncated=" + truncated + "]";
    }
}
