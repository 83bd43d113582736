package io.seedgrid.jobs.config;

import java.util.Arrays;

/** The seeds of a grid: an explicit list or {@code {start, count}}; unsigned 64-bit values in long bits. */
public record SeedSet(long[] seeds) {

    public SeedSet {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("no seeds");
        }
        seeds = seeds.clone();
        long[] sorted = seeds.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("seed " + Long.toUnsignedString(sorted[i]) + " is listed twice");
            }
        }
    }

    /** {@code count} consecutive seeds from {@code start} (wrapping is an error). */
    public static SeedSet range(long start, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("seeds.count must be at least 1, got " + count);
        }
        if (Long.compareUnsigned(start + count - 1, start) < 0) {
            throw new IllegalArgumentException("seeds from " + Long.toUnsignedString(start) + " count " + count
                    + " pass 2^64 - 1");
        }
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = start + i;
        }
        return new SeedSet(seeds);
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }

    public int size() {
        return seeds.length;
    }

    public long get(int i) {
        return seeds[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeedSet s && Arrays.equals(seeds, s.seeds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(seeds);
    }

    @Override
    public String toString() {
        return "SeedSet[" + seeds.length + " seeds]";
    }
}
