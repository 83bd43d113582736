package io.seedgrid.udf.tokenizer;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Cuts a text at the occurrences of some special tokens, as Hugging Face's {@code AddedVocabulary} does
 * (leftmost match first, the longest one where two start at the same place), and hands out the text
 * between them and the special ids, in order. Immutable and thread-safe.
 */
final class SpecialTokenSplitter {

    private final List<SpecialToken> tokens;

    SpecialTokenSplitter(List<SpecialToken> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /** Calls {@code onText} for each non-empty stretch of ordinary text and {@code onSpecial} for each special. */
    void split(String text, Consumer<String> onText, IntConsumer onSpecial) {
        int start = 0;
        while (start < text.length()) {
            int bestAt = -1;
            SpecialToken best = null;
            for (SpecialToken token : tokens) {
                int at = text.indexOf(token.content(), start);
                if (at >= 0 && (best == null || at < bestAt
                        || (at == bestAt && token.content().length() > best.content().length()))) {
                    bestAt = at;
                    best = token;
                }
            }
            if (best == null) {
                break;
            }
            if (bestAt > start) {
                onText.accept(text.substring(start, bestAt));
            }
            onSpecial.accept(best.id());
            start = bestAt + best.content().length();
        }
        if (start < text.length()) {
            onText.accept(text.substring(start));
        }
    }
}
