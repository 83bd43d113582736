package io.seedgrid.jobs.config;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The seeds of a grid: an explicit list, or {@code {start, count}} kept as those two numbers (a range of
 * two billion seeds costs nothing to hold). Seeds are unsigned 64-bit values in long bits; a seed's
 * <em>index</em> is its position in the list or range, which orders the cells of a group.
 */
public final class SeedSet implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long start;
    private final long count;
    /** The explicit list, or null for a range. */
    private final long[] list;
    private transient Map<Long, Long> positions;

    private SeedSet(long start, long count, long[] list) {
        this.start = start;
        this.count = count;
        this.list = list;
    }

    /** An explicit list of distinct seeds. */
    public static SeedSet of(long... seeds) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("no seeds");
        }
        long[] sorted = seeds.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("seed " + Long.toUnsignedString(sorted[i]) + " is listed twice");
            }
        }
        return new SeedSet(0, seeds.length, seeds.clone());
    }

    /** {@code count} consecutive seeds from {@code start} (passing 2^64 − 1 is an error). */
    public static SeedSet range(long start, long count) {
        if (count < 1) {
            throw new IllegalArgumentException("seeds.count must be at least 1, got " + count);
        }
        if (Long.compareUnsigned(start + count - 1, start) < 0) {
            throw new IllegalArgumentException("seeds from " + Long.toUnsignedString(start) + " count " + count
                    + " pass 2^64 - 1");
        }
        return new SeedSet(start, count, null);
    }

    public long size() {
        return count;
    }

    /** True for {@code {start, count}}. */
    public boolean isRange() {
        return list == null;
    }

    /** The first seed of a range. */
    public long start() {
        return list == null ? start : list[0];
    }

    /** The seed at index {@code i}. */
    public long get(long i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("seed index " + i + " of " + count);
        }
        return list == null ? start + i : list[(int) i];
    }

    /** The index of {@code seed} in this set, or -1 when it is not one of its seeds. */
    public long indexOf(long seed) {
        if (list == null) {
            long offset = seed - start;
            return Long.compareUnsigned(offset, count) < 0 ? offset : -1;
        }
        if (positions == null) {
            Map<Long, Long> map = new HashMap<>(list.length * 2);
            for (int i = 0; i < list.length; i++) {
                map.put(list[i], (long) i);
            }
            positions = map;
        }
        return positions.getOrDefault(seed, -1L);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeedSet s && start == s.start && count == s.count && Arrays.equals(list, s.list);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(start) + 17 * Long.hashCode(count) + Arrays.hashCode(list);
    }

    @Override
    public String toString() {
        return list == null ? "SeedSet[" + Long.toUnsignedString(start) + " + " + count + "]" : "SeedSet[" + count + " seeds]";
    }
}
