package io.seedgrid.jobs.generate;

import io.seedgrid.udf.recipe.RecipeSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The stable id of a cell: 32 hex digits of SHA-256 over everything that decides its image — prompt,
 * negative prompt, seed, recipe name and canonical form, image size, long-prompt mode and the content
 * hashes of the models the recipe uses. Same content, same id, on any machine and in any run.
 */
public final class CellId {

    private CellId() {
    }

    public static String of(String prompt, String negativePrompt, long seed, RecipeSpec recipe, int width, int height,
                            String longPrompt, List<String> modelHashes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            field(sha, "seedgrid-cell-v1");
            field(sha, prompt);
            field(sha, negativePrompt);
            field(sha, Long.toUnsignedString(seed));
            field(sha, recipe.name());
            field(sha, recipe.canonicalJson());
            field(sha, width + "x" + height);
            field(sha, longPrompt);
            for (String hash : modelHashes) {
                field(sha, hash);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A length-prefixed field, so that no two different field lists hash the same bytes. */
    static void field(MessageDigest sha, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update((byte) (bytes.length >>> 24));
        sha.update((byte) (bytes.length >>> 16));
        sha.update((byte) (bytes.length >>> 8));
        sha.update((byte) bytes.length);
        sha.update(bytes);
    }
}
