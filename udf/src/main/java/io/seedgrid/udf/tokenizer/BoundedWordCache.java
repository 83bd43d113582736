package io.seedgrid.udf.tokenizer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * BPE results per pre-token, shared by all threads of a JVM (Spark tasks of one executor). Bounded: when it
 * holds {@code capacity} words it is emptied and fills again, so memory stays flat over any number of
 * prompts while the words of the current prompts stay cached. Values are never exposed to callers
 * (they are copied out), so sharing the arrays is safe.
 */
final class BoundedWordCache {

    private final int capacity;
    private final ConcurrentHashMap<String, int[]> ids;

    BoundedWordCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.ids = new ConcurrentHashMap<>(Math.min(capacity, 1 << 14));
    }

    int[] get(String word, Function<String, int[]> encoder) {
        int[] cached = ids.get(word);
        if (cached != null) {
            return cached;
        }
        int[] computed = encoder.apply(word);
        if (ids.size() >= capacity) {
            ids.clear();
        }
        ids.put(word, computed);
        return computed;
    }

    int size() {
        return ids.size();
    }
}
