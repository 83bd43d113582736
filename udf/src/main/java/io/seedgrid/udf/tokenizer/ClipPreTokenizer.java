package io.seedgrid.udf.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's word splitter as CLIPTokenizerFast runs it (transformers' convert_slow_tokenizer.py, CLIPConverter):
 * {@code Split(CLIP_REGEX, behavior="removed", invert=True)} followed by {@code ByteLevel(add_prefix_space=False)},
 * whose {@code use_regex} stays at its default, true, so GPT-2's regex splits each piece again. The pieces are
 * the regex matches; what lies between them (only whitespace) is dropped. Alternation is leftmost-first, as in
 * Oniguruma and Python's {@code re}.
 *
 * <p>CLIP's regex starts with {@code <\|startoftext\|>|<\|endoftext\|>}. Here those two alternatives are left
 * out, and that is exactly what the second split amounts to: special tokens that are recognised never reach
 * the pre-tokenizer, and one that is not (a {@code <|ENDOFTEXT|>} in capitals, lowercased by the normaliser)
 * is cut by GPT-2's regex into {@code <|}, {@code endoftext}, {@code |>}, the pieces this pattern gives. On
 * every other piece GPT-2's regex splits nothing (a letter run, one digit, a punctuation run or a
 * contraction is one GPT-2 piece).
 */
final class ClipPreTokenizer {

    /** openai/CLIP simple_tokenizer.py's pattern without its two special-token alternatives (see above). */
    static final String PATTERN = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

    private static final Pattern WORDS = Pattern.compile(PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private ClipPreTokenizer() {
    }

    /** The pre-tokens of already normalised text, in order. */
    static List<String> split(String normalizedText) {
        List<String> pieces = new ArrayList<>();
        Matcher matcher = WORDS.matcher(normalizedText);
        while (matcher.find()) {
            pieces.add(matcher.group());
        }
        return pieces;
    }
}
