package io.seedgrid.udf.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The committed test prompts (src/test/resources/tokenizer/prompts.json) and a printable form of one. */
final class PromptCorpus {

    private PromptCorpus() {
    }

    static List<String> prompts() {
        try (InputStream in = PromptCorpus.class.getResourceAsStream("/tokenizer/prompts.json")) {
            if (in == null) {
                throw new IllegalStateException("test resource /tokenizer/prompts.json is missing");
            }
            return new ObjectMapper().readValue(in, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prompt with control and non-ASCII characters escaped, for assertion messages. */
    static String show(String prompt) {
        StringBuilder out = new StringBuilder("\"");
        prompt.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                out.appendCodePoint(cp);
            } else {
                out.append(String.format("\\u{%X}", cp));
            }
        });
        return out.append('"').toString();
    }
}
