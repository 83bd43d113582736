package io.seedgrid.udf.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2's reversible byte-to-unicode table ({@code bytes_to_unicode} in openai/gpt-2 encoder.py, reused by
 * CLIP's simple_tokenizer.py and Hugging Face's ByteLevel pre-tokenizer): the 188 printable bytes
 * {@code !..~}, {@code ¡..¬}, {@code ®..ÿ} stand for themselves, the other 68 bytes map to U+0100, U+0101, ...
 * in byte order. Byte-level BPE runs on these characters, so every UTF-8 byte sequence has a spelling.
 */
final class ByteLevelAlphabet {

    private static final char[] BYTE_TO_CHAR = buildTable();

    private ByteLevelAlphabet() {
    }

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    private static char[] buildTable() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            table[b] = printable(b) ? (char) b : (char) next++;
        }
        return table;
    }

    /** The UTF-8 bytes of {@code text}, each written as its byte-level character. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * The 256 symbols in the order CLIP's vocabulary lists them ({@code list(bytes_to_unicode().values())}):
     * the printable bytes in byte order, then the remapped ones in byte order.
     */
    static List<String> symbolsInVocabularyOrder() {
        List<String> symbols = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                symbols.add(String.valueOf(BYTE_TO_CHAR[b]));
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                symbols.add(String.valueOf(BYTE_TO_CHAR[b]));
            }
        }
        return symbols;
    }
}
