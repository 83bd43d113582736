package io.seedgrid.jobs.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.udf.tokenizer.ClipTokenizer;
import io.seedgrid.udf.tokenizer.TokenizedPrompt;

import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code seedgrid inspect tokens} prints: the ids of both SDXL tokenizers for one prompt. */
public final class TokenReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode json;

    private TokenReport(ObjectNode json) {
        this.json = json;
    }

    /**
     * @param path a model directory with {@code tokenizer/} and {@code tokenizer_2/}, one tokenizer folder, or
     *             a CLIP {@code .txt.gz} merges file (then {@code tokenizer_2} is the same vocabulary padded with "!")
     */
    public static TokenReport of(Path path, String prompt) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("--tokenizer: no such file or directory: " + path);
        }
        ClipTokenizer first;
        ClipTokenizer second;
        if (Files.isDirectory(path.resolve("tokenizer")) && Files.isDirectory(path.resolve("tokenizer_2"))) {
            first = ClipTokenizer.load(path.resolve("tokenizer"));
            second = ClipTokenizer.load(path.resolve("tokenizer_2"));
        } else {
            first = ClipTokenizer.load(path);
            second = first.withPadToken("!");
        }
        TokenizedPrompt a = first.encode(prompt);
        TokenizedPrompt b = second.encode(prompt);
        ObjectNode json = JSON.createObjectNode();
        ids(json.putArray("tokenizer"), a.ids());
        ids(json.putArray("tokenizer_2"), b.ids());
        json.put("truncated", a.truncated());
        json.put("tokens", a.tokenCount());
        return new TokenReport(json);
    }

    private static void ids(ArrayNode array, int[] ids) {
        for (int id : ids) {
            array.add(id);
        }
    }

    public String json() {
        return json.toString();
    }
}
