package io.seedgrid.udf.metrics;

import java.util.Arrays;

/**
 * Distances between all n(n-1)/2 pairs of a group of n items, condensed in the order
 * (0,1), (0,2), ..., (0,n-1), (1,2), ... (scipy.spatial.distance.pdist's order).
 */
public record PairwiseDistances(int n, double[] condensed) {

    public PairwiseDistances {
        if (n < 2) {
            throw new IllegalArgumentException("pairwise distances need at least 2 items, got " + n);
        }
        long pairs = (long) n * (n - 1) / 2;
        if (condensed.length != pairs) {
            throw new IllegalArgumentException(n + " items have " + pairs + " pairs, got "
                    + condensed.length + " distances");
        }
        condensed = condensed.clone();
    }

    @Override
    public double[] condensed() {
        return condensed.clone();
    }

    /** Number of pairs. */
    public int pairs() {
        return condensed.length;
    }

    /** Distance between items i and j (i != j). */
    public double get(int i, int j) {
        if (i == j || i < 0 || j < 0 || i >= n || j >= n) {
            throw new IllegalArgumentException("no pair (" + i + ", " + j + ") among " + n + " items");
        }
        int a = Math.min(i, j);
        int b = Math.max(i, j);
        return condensed[index(a, b, n)];
    }

    /** Position of pair (a, b), a < b, in the condensed order. */
    static int index(int a, int b, int n) {
        return (int) ((long) a * n - (long) a * (a + 1) / 2 + (b - a - 1));
    }

    /** Mean over all pairs: the group's mean pairwise distance. */
    public double mean() {
        return Arrays.stream(condensed).sum() / condensed.length;
    }

    /** Largest pairwise distance. */
    public double max() {
        return Arrays.stream(condensed).max().orElseThrow();
    }

    /** Smallest pairwise distance (the closest pair: near-duplicates show here). */
    public double min() {
        return Arrays.stream(condensed).min().orElseThrow();
    }
}
