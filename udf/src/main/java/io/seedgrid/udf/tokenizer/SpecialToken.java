package io.seedgrid.udf.tokenizer;

/**
 * A special token the tokenizer recognises inside a prompt, like Hugging Face's {@code AddedToken}.
 *
 * @param content    its text, e.g. {@code <|endoftext|>}
 * @param id         its id in the vocabulary
 * @param normalized true: matched in the normalised (lowercased, whitespace-collapsed) text;
 *                   false: matched in the raw prompt, case-sensitively, before normalisation
 */
record SpecialToken(String content, int id, boolean normalized) {

    SpecialToken {
        if (content.isEmpty()) {
            throw new IllegalArgumentException("a special token needs a non-empty content");
        }
    }
}
