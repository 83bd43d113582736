package io.seedgrid.udf.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java tokenizer, loaded from OpenAI's bpe_simple_vocab_16e6.txt.gz, against Hugging Face's Rust
 * tokenizers running CLIPTokenizerFast's layout, on every prompt of the corpus and both SDXL pads.
 */
class ClipTokenizerReferenceTest {

    private static final List<String> PROMPTS = PromptCorpus.prompts();
    private static ClipTokenizer tokenizer;
    private static HuggingFaceReference padEndOfText;
    private static HuggingFaceReference padBang;

    @BeforeAll
    static void load() {
        tokenizer = ClipTokenizer.load(HuggingFaceReference.originalMergesFile());
        HuggingFaceReference.Layout clip = HuggingFaceReference.openAiClip();
        padEndOfText = new HuggingFaceReference(clip, "<|endoftext|>", 77, true);
        padBang = new HuggingFaceReference(clip, "!", 77, true);
    }

    @AfterAll
    static void close() {
        padEndOfText.close();
        padBang.close();
    }

    @Test
    void knownClipIdsAndSizes() {
        assertEquals(49408, tokenizer.vocabSize());
        assertEquals(49406, tokenizer.bosId());
        assertEquals(49407, tokenizer.eosId());
        assertEquals(49407, tokenizer.padId());
        assertEquals(77, tokenizer.maxLength());
        assertEquals(0, tokenizer.withPadToken("!").padId());
        // The ids every CLIP user has seen for this prompt.
        int[] ids = tokenizer.encode("a photo of a cat").ids();
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407, 49407}, Arrays.copyOf(ids, 8));
    }

    @Test
    void corpusCoversShortLongAndEmptyPrompts() {
        assertTrue(PROMPTS.size() >= 60, "corpus has " + PROMPTS.size() + " prompts");
        assertTrue(PROMPTS.contains(""));
        long over75 = PROMPTS.stream().filter(p -> padEndOfText.tokens(p).length > 75).count();
        long over150 = PROMPTS.stream().filter(p -> padEndOfText.tokens(p).length > 150).count();
        assertTrue(over75 >= 3 && over150 >= 1, over75 + " prompts over 75 tokens, " + over150 + " over 150");
    }

    @Test
    void encodeMatchesReferencePaddedWithEndOfText() {
        assertCorpusMatches(tokenizer, padEndOfText, 49407);
    }

    @Test
    void encodeMatchesReferencePaddedWithExclamationMark() {
        assertCorpusMatches(tokenizer.withPadToken("!"), padBang, 0);
    }

    private static void assertCorpusMatches(ClipTokenizer java, HuggingFaceReference reference, int padId) {
        assertEquals(padId, java.padId());
        for (String prompt : PROMPTS) {
            TokenizedPrompt encoded = java.encode(prompt);
            String what = PromptCorpus.show(prompt);
            assertArrayEquals(reference.encode(prompt), encoded.ids(), what);
            assertEquals(reference.truncated(prompt), encoded.truncated(), "truncated: " + what);
            assertEquals(reference.tokens(prompt).length, encoded.tokenCount(), "token count: " + what);
        }
    }

    @Test
    void tokenIdsMatchReferenceUntruncated() {
        for (String prompt : PROMPTS) {
            assertArrayEquals(padEndOfText.tokens(prompt), tokenizer.tokenIds(prompt), PromptCorpus.show(prompt));
        }
    }

    /**
     * ByteLevel's use_regex (true in CLIPConverter, which leaves it at its default) only matters for a special
     * token's text that is not recognised as the special (eos is matched in the raw text, case-sensitively):
     * true cuts "<|endoftext|>" into "<|", "endoftext", "|>" before BPE, false keeps it one word.
     */
    @Test
    void byteLevelRegexSettingOnlyMattersForUnrecognisedSpecialText() {
        try (HuggingFaceReference withoutRegex =
                     new HuggingFaceReference(HuggingFaceReference.openAiClip(), "<|endoftext|>", 77, false)) {
            int differing = 0;
            for (String prompt : PROMPTS) {
                boolean unrecognisedEos = occurrences(prompt.toLowerCase(java.util.Locale.ROOT), "<|endoftext|>")
                        > occurrences(prompt, "<|endoftext|>");
                boolean same = Arrays.equals(padEndOfText.encode(prompt), withoutRegex.encode(prompt));
                assertEquals(!unrecognisedEos, same, PromptCorpus.show(prompt));
                differing += same ? 0 : 1;
            }
            assertTrue(differing >= 1, "the corpus must hold a special token in capitals");
        }
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    @Test
    void truncationKeepsFirst75TokensAndEndOfText() {
        String prompt = String.join(" ", java.util.Collections.nCopies(100, "cat"));
        TokenizedPrompt encoded = tokenizer.encode(prompt);
        int[] ids = encoded.ids();
        assertTrue(encoded.truncated());
        assertEquals(100, encoded.tokenCount());
        assertEquals(49406, ids[0]);
        for (int i = 1; i <= 75; i++) {
            assertEquals(2368, ids[i]);
        }
        assertEquals(49407, ids[76]);
    }

    @Test
    void folderHoldingTheTxtGzLoadsTheSameTokenizer(@TempDir Path folder) throws IOException {
        Files.copy(HuggingFaceReference.originalMergesFile(), folder.resolve("bpe_simple_vocab_16e6.txt.gz"));
        ClipTokenizer fromFolder = ClipTokenizer.load(folder);
        for (String prompt : PROMPTS.subList(0, 20)) {
            assertArrayEquals(tokenizer.encode(prompt).ids(), fromFolder.encode(prompt).ids(), PromptCorpus.show(prompt));
        }
    }
}
