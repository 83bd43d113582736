package io.seedgrid.jobs.config;

/**
 * The one rule every prompt source follows (the config's YAML, .txt, .jsonl, .csv and .parquet files):
 * a prompt or negative prompt is valid Unicode text whose only control characters are newline and tab,
 * within {@link Limits#promptChars()} characters. Prompts are untrusted text: a NUL, an escape sequence
 * or a lone surrogate would reach the tokenizer, the PNG text chunks, terminals and the report.
 */
public final class PromptText {

    private PromptText() {
    }

    /**
     * Null when {@code text} follows the rule, else what breaks it, e.g. "the prompt holds the control
     * character U+0000 at character 6 (only newline and tab are allowed)".
     *
     * @param what "the prompt" or "the negative prompt"
     */
    public static String problem(String what, String text, Limits limits) {
        int position = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isLowSurrogate(c) || i == 0 || !Character.isHighSurrogate(text.charAt(i - 1))) {
                position++;
            }
            if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                return String.format("%s holds the control character U+%04X at character %d (only newline and tab are"
                        + " allowed)", what, (int) c, position);
            }
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || (i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
            if (!paired) {
                return String.format("%s holds a lone surrogate U+%04X at character %d (not Unicode text)", what, (int) c,
                        position);
            }
        }
        String length = limits.promptProblem(text);
        return length == null ? null : what + ": " + length;
    }
}
