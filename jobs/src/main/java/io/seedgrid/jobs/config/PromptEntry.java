package io.seedgrid.jobs.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One prompt of the grid.
 *
 * @param id             stable id: given by the source, or {@code p-} + 16 hex digits of SHA-256 of the text
 *                       (and of the negative prompt, when it has one)
 * @param prompt         the prompt text (untrusted: escaped wherever it is rendered)
 * @param negativePrompt its negative prompt, or "" for the run's default
 */
public record PromptEntry(String id, String prompt, String negativePrompt) {

    /** An entry whose id is given (letters, digits, '.', '_', ':', '-'; it names PNG folders) or derived from its text. */
    public static PromptEntry of(String id, String prompt, String negativePrompt) {
        String negative = negativePrompt == null ? "" : negativePrompt;
        if (id != null && !id.isBlank() && !id.matches("[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,127}")) {
            throw new ConfigException("prompt id '" + id + "' must be 1-128 letters, digits, '.', '_', ':' or '-'"
                    + " (not starting with '.')");
        }
        return new PromptEntry(id == null || id.isBlank() ? hashId(prompt, negative) : id, prompt, negative);
    }

    static String hashId(String prompt, String negative) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prompt.getBytes(StandardCharsets.UTF_8));
            if (!negative.isEmpty()) {
                sha.update((byte) 0);
                sha.update(negative.getBytes(StandardCharsets.UTF_8));
            }
            return "p-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
