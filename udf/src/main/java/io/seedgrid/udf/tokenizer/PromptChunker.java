package io.seedgrid.udf.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a long prompt's tokens into chunks of at most {@code capacity} tokens (75 for CLIP), each later
 * wrapped as bos + chunk + eos + padding, with ComfyUI's rule (comfy/sd1_clip.py,
 * {@code SDTokenizer.tokenize_with_weights}): tokens arrive grouped by word; a word that does not fit in
 * the current chunk starts the next one, unless it is "large" (8 tokens or more, ComfyUI's
 * {@code max_word_length}), in which case it fills the current chunk and continues in the next.
 * A word longer than a whole chunk is treated as large too (ComfyUI would loop forever there; it cannot
 * happen at CLIP's 75 tokens).
 */
final class PromptChunker {

    /** ComfyUI's {@code max_word_length}: words of this many tokens or more may be split across chunks. */
    static final int LARGE_WORD_TOKENS = 8;

    private PromptChunker() {
    }

    /** Chunks of token ids, never empty of chunks: no words give one empty chunk. */
    static List<int[]> chunk(List<int[]> words, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("chunk capacity must be >= 1, got " + capacity);
        }
        List<int[]> chunks = new ArrayList<>();
        int[] current = new int[capacity];
        int size = 0;
        for (int[] word : words) {
            boolean large = word.length >= LARGE_WORD_TOKENS || word.length > capacity;
            int position = 0;
            while (position < word.length) {
                int left = word.length - position;
                if (size + left > capacity) {
                    if (large) {
                        int room = capacity - size;
                        System.arraycopy(word, position, current, size, room);
                        size += room;
                        position += room;
                    }
                    chunks.add(Arrays.copyOf(current, size));
                    size = 0;
                } else {
                    System.arraycopy(word, position, current, size, left);
                    size += left;
                    position = word.length;
                }
            }
        }
        chunks.add(Arrays.copyOf(current, size));
        return chunks;
    }
}
