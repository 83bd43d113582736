package io.seedgrid.udf.pipeline;

import java.util.Locale;

/** What to do with a prompt longer than the 75 tokens that fit one CLIP window. */
public enum LongPromptMode {
    /** Keep the first 75 tokens (diffusers' behaviour) and report the truncation. */
    TRUNCATE,
    /** Encode 75-token chunks separately and concatenate their states, as ComfyUI and A1111 do. */
    CHUNK;

    /** Parses {@code truncate} or {@code chunk}. */
    public static LongPromptMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "truncate" -> TRUNCATE;
            case "chunk" -> CHUNK;
            default -> throw new IllegalArgumentException("long_prompt must be 'truncate' or 'chunk', not '" + text + "'");
        };
    }
}
