package io.seedgrid.udf.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ComfyUI's chunk rule on hand-made words (token ids stand for themselves). */
class PromptChunkerTest {

    private static int[] word(int first, int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = first + i;
        }
        return ids;
    }

    @Test
    void noWordsGiveOneEmptyChunk() {
        List<int[]> chunks = PromptChunker.chunk(List.of(), 75);
        assertEquals(1, chunks.size());
        assertEquals(0, chunks.get(0).length);
    }

    @Test
    void aSmallWordThatDoesNotFitStartsTheNextChunk() {
        // 4 + 3 fit in 8; the next 3-token word would make 10 > 8, so it opens chunk two.
        List<int[]> chunks = PromptChunker.chunk(List.of(word(1, 4), word(10, 3), word(20, 3)), 8);
        assertEquals(2, chunks.size());
        assertArrayEquals(new int[] {1, 2, 3, 4, 10, 11, 12}, chunks.get(0));
        assertArrayEquals(new int[] {20, 21, 22}, chunks.get(1));
    }

    @Test
    void aWordOfEightTokensOrMoreFillsTheChunkAndContinues() {
        List<int[]> chunks = PromptChunker.chunk(List.of(word(1, 5), word(100, 8), word(200, 2)), 10);
        assertEquals(2, chunks.size());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 100, 101, 102, 103, 104}, chunks.get(0));
        assertArrayEquals(new int[] {105, 106, 107, 200, 201}, chunks.get(1));
    }

    @Test
    void aSevenTokenWordIsKeptWhole() {
        List<int[]> chunks = PromptChunker.chunk(List.of(word(1, 5), word(100, 7)), 10);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, chunks.get(0));
        assertArrayEquals(word(100, 7), chunks.get(1));
    }

    @Test
    void aVeryLongWordSpansSeveralChunks() {
        List<int[]> chunks = PromptChunker.chunk(List.of(word(1, 2), word(100, 25)), 10);
        assertEquals(3, chunks.size());
        assertArrayEquals(new int[] {1, 2, 100, 101, 102, 103, 104, 105, 106, 107}, chunks.get(0));
        assertArrayEquals(word(108, 10), chunks.get(1));
        assertArrayEquals(word(118, 7), chunks.get(2));
    }

    @Test
    void aWordLongerThanAChunkIsSplitEvenBelowEightTokens() {
        List<int[]> chunks = PromptChunker.chunk(List.of(word(1, 5)), 3);
        assertEquals(2, chunks.size());
        assertArrayEquals(new int[] {1, 2, 3}, chunks.get(0));
        assertArrayEquals(new int[] {4, 5}, chunks.get(1));
    }

    @Test
    void exactlyFullChunkThenTheNextWordOpensANewOne() {
        List<int[]> chunks = PromptChunker.chunk(List.of(word(1, 5), word(10, 5), word(20, 1)), 10);
        assertEquals(2, chunks.size());
        assertEquals(10, chunks.get(0).length);
        assertArrayEquals(new int[] {20}, chunks.get(1));
    }
}
