package io.seedgrid.udf.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a Hugging Face tokenizer folder: a tiny CLIP-style vocabulary (src/test/resources/tokenizer/tiny-clip,
 * 69 ids, specials at 0 and 1, model_max_length 16) whose configs are laid out as SDXL's tokenizer folders.
 */
class ClipTokenizerFolderTest {

    private static final List<String> PROMPTS = List.of(
            "The cat and the dog",
            "THE CAT!!",
            "a red, red dog.",
            "café and crème",
            "x: 1 + 2 = 3",
            "<|ENDOFTEXT|> the <|startoftext|> cat <|endoftext|>",
            "the\tcat\u00a0and\n\ndog  ",
            "",
            String.join(" ", Collections.nCopies(20, "the")),
            "the cat the dog the red cat and the red dog and the cat!!");

    private static Path tinyFolder() {
        try {
            return Path.of(ClipTokenizerFolderTest.class.getResource("/tokenizer/tiny-clip").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tiny folder's vocab.json and merges.txt in a fresh folder, with the given extra files. */
    private static Path copyOfTinyFolder(Path folder, String... nameThenContent) throws IOException {
        Files.copy(tinyFolder().resolve("vocab.json"), folder.resolve("vocab.json"));
        Files.copy(tinyFolder().resolve("merges.txt"), folder.resolve("merges.txt"));
        for (int i = 0; i < nameThenContent.length; i += 2) {
            Files.writeString(folder.resolve(nameThenContent[i]), nameThenContent[i + 1]);
        }
        return folder;
    }

    @Test
    void readsSizesSpecialsPadAndLengthFromTheConfig() {
        ClipTokenizer tokenizer = ClipTokenizer.load(tinyFolder());
        assertEquals(69, tokenizer.vocabSize());
        assertEquals(0, tokenizer.bosId());
        assertEquals(1, tokenizer.eosId());
        assertEquals(1, tokenizer.padId());
        assertEquals("<|endoftext|>", tokenizer.padToken());
        assertEquals(16, tokenizer.maxLength());
    }

    @Test
    void handCheckedIds() {
        ClipTokenizer tokenizer = ClipTokenizer.load(tinyFolder());
        // the</w> 63, cat</w> 59, and</w> 65, dog</w> 61 (merges t h, th e</w>, c a, ca t</w>, ...).
        TokenizedPrompt prompt = tokenizer.encode("The cat and the dog");
        assertArrayEquals(new int[] {0, 63, 59, 65, 63, 61, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, prompt.ids());
        assertEquals(5, prompt.tokenCount());
        assertFalse(prompt.truncated());
        // "!!" merges to !!</w> (68), "c a" to ca (58), f is 11; é is two bytes outside the vocabulary:
        // two unknown tokens (eos, 1).
        assertArrayEquals(new int[] {68, 58, 11, 1, 1}, tokenizer.tokenIds("!! café"));
        assertArrayEquals(new int[] {0, 63, 59, 65, 63, 61, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2},
                tokenizer.withPadToken("!").encode("The cat and the dog").ids());
    }

    @Test
    void matchesReferenceForBothPads() {
        // The config declares bos and eos as AddedTokens with normalized=true: both match in lowercased text.
        HuggingFaceReference.Layout layout = HuggingFaceReference.folder(tinyFolder(), true, true);
        ClipTokenizer tokenizer = ClipTokenizer.load(tinyFolder());
        try (HuggingFaceReference padEos = new HuggingFaceReference(layout, "<|endoftext|>", 16, true);
             HuggingFaceReference padBang = new HuggingFaceReference(layout, "!", 16, true)) {
            assertMatches(tokenizer, padEos);
            assertMatches(tokenizer.withPadToken("!"), padBang);
        }
        assertTrue(tokenizer.encode(PROMPTS.get(8)).truncated());
    }

    @Test
    void padFromSpecialTokensMapAndPlainStringSpecials(@TempDir Path folder) throws IOException {
        // Like SDXL's tokenizer_2 map, without tokenizer_config.json: pad "!", length left at 77; specials
        // given as plain strings, which transformers adds with normalized=false (matched case-sensitively).
        copyOfTinyFolder(folder, "special_tokens_map.json", """
                {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                 "pad_token": {"content": "!", "lstrip": false, "normalized": false, "rstrip": false,
                               "single_word": false},
                 "unk_token": "<|endoftext|>"}""");
        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertEquals(2, tokenizer.padId());
        assertEquals(77, tokenizer.maxLength());
        try (HuggingFaceReference reference =
                     new HuggingFaceReference(HuggingFaceReference.folder(folder, false, false), "!", 77, true)) {
            assertMatches(tokenizer, reference);
        }
    }

    @Test
    void addedTokensDecoderFlagsWin(@TempDir Path folder) throws IOException {
        // transformers >= 4.34 writes added_tokens_decoder; its flags rule over the token objects.
        copyOfTinyFolder(folder, "tokenizer_config.json", """
                {"added_tokens_decoder": {
                   "0": {"content": "<|startoftext|>", "normalized": true, "special": true},
                   "1": {"content": "<|endoftext|>", "normalized": false, "special": true}},
                 "bos_token": "<|startoftext|>",
                 "eos_token": {"content": "<|endoftext|>", "normalized": true},
                 "model_max_length": 16}""");
        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertEquals(1, tokenizer.tokenIds("<|endoftext|>").length);
        assertTrue(tokenizer.tokenIds("<|ENDOFTEXT|>").length > 1, "eos in capitals is text");
        assertArrayEquals(new int[] {0}, tokenizer.tokenIds("<|STARTOFTEXT|>"));
        try (HuggingFaceReference reference =
                     new HuggingFaceReference(HuggingFaceReference.folder(folder, true, false), "<|endoftext|>", 16,
                             true)) {
            assertMatches(tokenizer, reference);
        }
    }

    private static void assertMatches(ClipTokenizer tokenizer, HuggingFaceReference reference) {
        for (String prompt : PROMPTS) {
            TokenizedPrompt encoded = tokenizer.encode(prompt);
            assertArrayEquals(reference.encode(prompt), encoded.ids(), PromptCorpus.show(prompt));
            assertEquals(reference.truncated(prompt), encoded.truncated(), PromptCorpus.show(prompt));
            assertEquals(reference.tokens(prompt).length, encoded.tokenCount(), PromptCorpus.show(prompt));
        }
    }

    @Test
    void withoutConfigsPadsWithEndOfTextAt77(@TempDir Path folder) throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.load(copyOfTinyFolder(folder));
        assertEquals(1, tokenizer.padId());
        assertEquals(77, tokenizer.maxLength());
    }

    @Test
    void unsetModelMaxLengthMeans77(@TempDir Path folder) throws IOException {
        copyOfTinyFolder(folder, "tokenizer_config.json", "{\"model_max_length\": 1000000000000000019884624838656}");
        assertEquals(77, ClipTokenizer.load(folder).maxLength());
    }

    @Test
    void rejectsAPadTokenOutsideTheVocabulary(@TempDir Path folder) throws IOException {
        IllegalArgumentException override = assertThrows(IllegalArgumentException.class,
                () -> ClipTokenizer.load(tinyFolder()).withPadToken("<pad>"));
        assertTrue(override.getMessage().contains("'<pad>'"), override.getMessage());
        copyOfTinyFolder(folder, "tokenizer_config.json", "{\"pad_token\": \"<pad>\"}");
        assertError(folder, "'<pad>'");
    }

    @Test
    void rejectsMissingPathsAndFolders(@TempDir Path folder) throws IOException {
        assertError(folder.resolve("nowhere"), "does not exist");
        assertError(folder, "neither vocab.json + merges.txt nor a .txt.gz");
        Files.writeString(folder.resolve("vocab.txt"), "a");
        assertError(folder.resolve("vocab.txt"), "neither a folder");
    }

    @Test
    void rejectsHalfAFolder(@TempDir Path folder) throws IOException {
        Files.copy(tinyFolder().resolve("vocab.json"), folder.resolve("vocab.json"));
        assertError(folder, "vocab.json but no merges.txt");
        Files.delete(folder.resolve("vocab.json"));
        Files.copy(tinyFolder().resolve("merges.txt"), folder.resolve("merges.txt"));
        assertError(folder, "merges.txt but no vocab.json");
    }

    @Test
    void rejectsMalformedMerges(@TempDir Path folder) throws IOException {
        copyOfTinyFolder(folder);
        Files.writeString(folder.resolve("merges.txt"), "#version: 0.2\nc a\nca t </w>\n");
        assertError(folder, "merges.txt: line 3 must be two symbols");
        Files.writeString(folder.resolve("merges.txt"), "#version: 0.2\nc a\nq u\n");
        assertError(folder, "merge 2 'q u' needs the token 'qu'");
    }

    @Test
    void rejectsMalformedJson(@TempDir Path folder) throws IOException {
        copyOfTinyFolder(folder);
        Files.writeString(folder.resolve("vocab.json"), "{\"a\": 1,");
        assertError(folder, "vocab.json is not valid JSON");
        Files.writeString(folder.resolve("vocab.json"), "[\"a\"]");
        assertError(folder, "vocab.json must hold a JSON object");
        Files.writeString(folder.resolve("vocab.json"), "{\"a\": \"one\"}");
        assertError(folder, "the id of 'a' is not an integer");
    }

    @Test
    void rejectsAVocabularyWithoutTheSpecials(@TempDir Path folder) throws IOException {
        copyOfTinyFolder(folder);
        Files.writeString(folder.resolve("vocab.json"), Files.readString(folder.resolve("vocab.json"))
                .replace("\"<|startoftext|>\"", "\"<|start|>\""));
        assertError(folder, "the special token '<|startoftext|>' is not in the vocabulary");
    }

    @Test
    void rejectsBrokenOriginalMergeFiles(@TempDir Path folder) throws IOException {
        Path notGzip = folder.resolve("notgzip.txt.gz");
        Files.writeString(notGzip, "#version\ni n\n");
        assertError(notGzip, "cannot read CLIP merges file");
        Path tooShort = folder.resolve("short.txt.gz");
        writeGzip(tooShort, "bpe_simple_vocab_16e6.txt#version: 0.2\ni n\nt h\n");
        assertError(tooShort, "has 2 merges after its header; CLIP needs 48894");
        Path badLine = folder.resolve("bad.txt.gz");
        writeGzip(badLine, "header\ni n\nthree parts here\n");
        assertError(badLine, "line 3 must be two symbols");
        assertError(folder, "several .txt.gz files");
    }

    private static void writeGzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void assertError(Path path, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(path));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
        assertTrue(e.getMessage().contains(path.getFileName().toString()) || e.getMessage().contains(path.toString()),
                "the message names the path: " + e.getMessage());
    }
}
