package io.seedgrid.udf.tokenizer;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * CLIP's text normaliser as CLIPTokenizerFast runs it (transformers' convert_slow_tokenizer.py,
 * CLIPConverter): {@code Sequence[NFC, Replace(Regex("\s+"), " "), Lowercase]}.
 *
 * <p>{@code \s} is Unicode White_Space (tab, newline, NBSP U+00A0, NEL U+0085, U+2000..U+200A, U+3000, ...;
 * not U+200B nor the U+001C..U+001F separators), which Java gives with {@link Pattern#UNICODE_CHARACTER_CLASS}.
 * Lowercasing is per character, as Rust's {@code char::to_lowercase}: no context rule, so a word-final Σ
 * becomes σ (Java's {@code String.toLowerCase} would write ς), and İ (U+0130) becomes "i̇" (i + U+0307).
 * Leading and trailing whitespace become one space, which the pre-tokenizer drops.
 */
final class ClipNormalizer {

    private static final Pattern WHITESPACE_RUN = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final int CAPITAL_I_WITH_DOT_ABOVE = 0x0130;

    private ClipNormalizer() {
    }

    static String normalize(String text) {
        String composed = Normalizer.normalize(text, Normalizer.Form.NFC);
        return lowercase(WHITESPACE_RUN.matcher(composed).replaceAll(" "));
    }

    private static String lowercase(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int lower = Character.toLowerCase(cp);
            if (lower != cp || cp == CAPITAL_I_WITH_DOT_ABOVE) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 1).append(text, 0, i);
                }
                if (cp == CAPITAL_I_WITH_DOT_ABOVE) {
                    // The one unconditional multi-character lowercase mapping (Unicode SpecialCasing.txt).
                    out.append('i').append('\u0307');
                } else {
                    out.appendCodePoint(lower);
                }
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out == null ? text : out.toString();
    }
}
