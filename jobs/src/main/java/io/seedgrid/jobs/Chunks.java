package io.seedgrid.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The units of commit of generate and measure: consecutive items grouped so that a chunk holds at most
 * {@code limit} by {@code size} (cells, images), and at least one item, so an item larger than the limit
 * is a chunk of its own. Items are never split: a chunk holds whole work units or whole groups.
 */
public final class Chunks {

    private Chunks() {
    }

    public static <T> List<List<T>> of(List<T> items, ToIntFunction<T> size, int limit) {
        List<List<T>> chunks = new ArrayList<>();
        List<T> current = new ArrayList<>();
        int held = 0;
        for (T item : items) {
            int s = size.applyAsInt(item);
            if (!current.isEmpty() && held + s > limit) {
                chunks.add(current);
                current = new ArrayList<>();
                held = 0;
            }
            current.add(item);
            held += s;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }
}
