package io.seedgrid.udf.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Long prompts as several 77-id rows (ComfyUI's rule), with the real CLIP vocabulary. */
class ClipTokenizerChunksTest {

    private static final int A = 320; // "a</w>"
    private static ClipTokenizer clip;

    @BeforeAll
    static void load() {
        clip = ClipTokenizer.load(HuggingFaceReference.originalMergesFile());
    }

    private static String words(int count, String word) {
        return String.join(" ", Collections.nCopies(count, word));
    }

    /** bos + tokens + eos + pad up to 77. */
    private static int[] row(ClipTokenizer tokenizer, int... tokens) {
        int[] ids = new int[77];
        Arrays.fill(ids, tokenizer.padId());
        ids[0] = tokenizer.bosId();
        System.arraycopy(tokens, 0, ids, 1, tokens.length);
        ids[tokens.length + 1] = tokenizer.eosId();
        return ids;
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static int digit(int d) {
        int[] ids = clip.tokenIds(Integer.toString(d));
        assertEquals(1, ids.length);
        return ids[0];
    }

    private static int[] digits(String text) {
        return text.chars().map(c -> digit(c - '0')).toArray();
    }

    @Test
    void aSmallWordThatWouldCrossTheBoundaryMovesToTheNextRow() {
        // 73 x "a", then "12345": one word of 5 tokens (each digit is a piece), 73 + 5 > 75.
        assertArrayEquals(digits("12345"), clip.tokenIds("12345"));
        List<TokenizedPrompt> rows = clip.encodeChunks(words(73, "a") + " 12345");
        assertEquals(2, rows.size());
        assertArrayEquals(row(clip, IntStream.generate(() -> A).limit(73).toArray()), rows.get(0).ids());
        assertEquals(73, rows.get(0).tokenCount());
        assertArrayEquals(row(clip, digits("12345")), rows.get(1).ids());
        assertEquals(5, rows.get(1).tokenCount());
    }

    @Test
    void aWordOfEightTokensOrMoreIsSplitAcrossRows() {
        List<TokenizedPrompt> rows = clip.encodeChunks(words(73, "a") + " 1234567890");
        assertEquals(2, rows.size());
        int[] first = concat(IntStream.generate(() -> A).limit(73).toArray(), digits("12"));
        assertArrayEquals(row(clip, first), rows.get(0).ids());
        assertArrayEquals(row(clip, digits("34567890")), rows.get(1).ids());
    }

    @Test
    void seventyFiveTokensFitOneRowAndSeventySixNeedTwo() {
        List<TokenizedPrompt> one = clip.encodeChunks(words(75, "a"));
        assertEquals(1, one.size());
        assertEquals(clip.encode(words(75, "a")), one.get(0));
        List<TokenizedPrompt> two = clip.encodeChunks(words(76, "a"));
        assertEquals(2, two.size());
        assertEquals(75, two.get(0).tokenCount());
        assertArrayEquals(row(clip, A), two.get(1).ids());
    }

    @Test
    void emptyPromptIsOneRowOfBosEosAndPadding() {
        List<TokenizedPrompt> rows = clip.encodeChunks("");
        assertEquals(List.of(clip.encode("")), rows);
        assertArrayEquals(row(clip), rows.get(0).ids());
        assertArrayEquals(row(clip.withPadToken("!")), clip.withPadToken("!").encodeChunks(" \n ").get(0).ids());
    }

    /**
     * On every corpus prompt: rows are 77 ids of bos + tokens + eos + pad, together they hold exactly the
     * prompt's tokens (nothing truncated), a prompt that fits gives encode()'s single row, and each row break
     * follows ComfyUI's rule, checked against the prompt's words (runs between spaces and newlines).
     */
    @Test
    void rowsHoldThePromptsTokensAndBreakByTheRule() {
        for (ClipTokenizer tokenizer : List.of(clip, clip.withPadToken("!"))) {
            for (String prompt : PromptCorpus.prompts()) {
                String what = PromptCorpus.show(prompt);
                List<TokenizedPrompt> rows = tokenizer.encodeChunks(prompt);
                List<int[]> contents = new ArrayList<>();
                for (TokenizedPrompt row : rows) {
                    int[] ids = row.ids();
                    int n = row.tokenCount();
                    assertFalse(row.truncated());
                    assertTrue(n <= 75, what);
                    int[] content = Arrays.copyOfRange(ids, 1, n + 1);
                    assertArrayEquals(row(tokenizer, content), ids, what);
                    contents.add(content);
                }
                assertArrayEquals(tokenizer.tokenIds(prompt), concat(contents.toArray(int[][]::new)), what);
                if (tokenizer.tokenIds(prompt).length <= 75) {
                    assertEquals(List.of(tokenizer.encode(prompt)), rows, what);
                }
                assertBreaksFollowTheRule(tokenizer, prompt, contents);
            }
        }
    }

    /** Replays the words: each row is as full as the rule allows, and only words of 8+ tokens are split. */
    private static void assertBreaksFollowTheRule(ClipTokenizer tokenizer, String prompt, List<int[]> rows) {
        List<Integer> wordSizes = new ArrayList<>();
        for (String word : prompt.replace('\n', ' ').split(" ")) {
            if (!word.isEmpty() && tokenizer.tokenIds(word).length > 0) {
                wordSizes.add(tokenizer.tokenIds(word).length);
            }
        }
        int word = 0;
        int usedOfWord = 0;
        for (int r = 0; r < rows.size(); r++) {
            int room = rows.get(r).length;
            while (room > 0) {
                int left = wordSizes.get(word) - usedOfWord;
                int take = Math.min(left, room);
                if (take < left) {
                    assertTrue(wordSizes.get(word) >= 8, "a word of " + wordSizes.get(word)
                            + " tokens was split: " + PromptCorpus.show(prompt));
                }
                room -= take;
                usedOfWord += take;
                if (usedOfWord == wordSizes.get(word)) {
                    word++;
                    usedOfWord = 0;
                }
            }
            boolean last = r == rows.size() - 1;
            if (!last) {
                int next = wordSizes.get(word) - usedOfWord;
                boolean nextIsLarge = wordSizes.get(word) >= 8;
                assertTrue(rows.get(r).length == 75 || (!nextIsLarge && rows.get(r).length + next > 75),
                        "row " + r + " closed early: " + PromptCorpus.show(prompt));
            }
        }
        assertEquals(wordSizes.size(), word, "all words placed: " + PromptCorpus.show(prompt));
    }
}
