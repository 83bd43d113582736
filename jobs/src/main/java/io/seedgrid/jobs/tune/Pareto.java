package io.seedgrid.jobs.tune;

import java.util.ArrayList;
import java.util.List;

/**
 * Pareto fronts of {@link Point}s: the non-dominated set, and the successive fronts of NSGA-II's fast
 * non-dominated sorting (Deb, Pratap, Agarwal & Meyarivan 2002, "A fast and elitist multiobjective genetic
 * algorithm: NSGA-II", IEEE TEC 6(2), §III-A).
 */
public final class Pareto {

    private Pareto() {
    }

    /** The points no other point dominates, in input order. */
    public static List<Point> front(List<Point> points) {
        List<List<Point>> fronts = sort(points);
        return fronts.isEmpty() ? List.of() : fronts.get(0);
    }

    /**
     * Fast non-dominated sorting: front 1 is the non-dominated points, front k+1 those dominated only by points of
     * fronts 1..k. Each front keeps input order.
     */
    public static List<List<Point>> sort(List<Point> points) {
        int n = points.size();
        List<List<Integer>> dominated = new ArrayList<>();
        int[] dominatedBy = new int[n];
        for (int p = 0; p < n; p++) {
            dominated.add(new ArrayList<>());
        }
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                if (points.get(p).dominates(points.get(q))) {
                    dominated.get(p).add(q);
                } else if (points.get(q).dominates(points.get(p))) {
                    dominatedBy[p]++;
                }
            }
        }
        List<List<Point>> fronts = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            if (dominatedBy[p] == 0) {
                current.add(p);
            }
        }
        while (!current.isEmpty()) {
            fronts.add(current.stream().sorted().map(points::get).toList());
            List<Integer> next = new ArrayList<>();
            for (int p : current) {
                for (int q : dominated.get(p)) {
                    if (--dominatedBy[q] == 0) {
                        next.add(q);
                    }
                }
            }
            current = next;
        }
        return fronts;
    }
}
