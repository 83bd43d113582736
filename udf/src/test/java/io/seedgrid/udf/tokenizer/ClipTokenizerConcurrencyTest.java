package io.seedgrid.udf.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One tokenizer shared by many threads, as by the tasks of a Spark executor, and its bounded word cache. */
class ClipTokenizerConcurrencyTest {

    @Test
    void threadsSharingOneColdTokenizerGetTheSequentialIds() throws Exception {
        List<String> prompts = PromptCorpus.prompts();
        ClipTokenizer sequential = ClipTokenizer.load(HuggingFaceReference.originalMergesFile());
        List<int[]> expected = new ArrayList<>();
        for (String prompt : prompts) {
            expected.add(sequential.encode(prompt).ids());
        }
        ClipTokenizer shared = ClipTokenizer.load(HuggingFaceReference.originalMergesFile());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < prompts.size(); i++) {
                        order.add(i);
                    }
                    for (int round = 0; round < 3; round++) {
                        Collections.shuffle(order, new Random(seed * 31 + round));
                        for (int i : order) {
                            assertArrayEquals(expected.get(i), shared.encode(prompts.get(i)).ids(),
                                    PromptCorpus.show(prompts.get(i)));
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wordCacheStaysBoundedAndReusesResults() {
        BoundedWordCache cache = new BoundedWordCache(3);
        int[] first = cache.get("w0", w -> new int[] {0});
        assertSame(first, cache.get("w0", w -> new int[] {99}));
        for (int i = 1; i < 10; i++) {
            int id = i;
            assertArrayEquals(new int[] {id}, cache.get("w" + i, w -> new int[] {id}));
            assertTrue(cache.size() <= 3, "size " + cache.size());
        }
        assertEquals(42, cache.get("w0", w -> new int[] {42})[0], "recomputed after eviction");
    }
}
