package io.seedgrid.jobs.tune;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParetoTest {

    private static Point p(String name, double diversity, double adherence, double cost) {
        return new Point(name, diversity, adherence, cost);
    }

    private static List<String> names(List<Point> points) {
        return points.stream().map(Point::name).toList();
    }

    @Test
    void dominanceNeedsNoWorseEverywhereAndBetterSomewhere() {
        Point a = p("a", 0.5, 50, 4);
        assertTrue(a.dominates(p("b", 0.4, 50, 4)), "more diverse, same otherwise");
        assertTrue(a.dominates(p("c", 0.5, 49, 4)), "more adherent");
        assertTrue(a.dominates(p("d", 0.5, 50, 5)), "cheaper");
        assertFalse(a.dominates(p("e", 0.5, 50, 4)), "equal is not dominated");
        assertFalse(a.dominates(p("f", 0.6, 40, 4)), "a trade-off");
        assertFalse(a.dominates(p("g", 0.4, 40, 3)), "cheaper but worse: no");
    }

    @Test
    void frontsAreSortedByWhoDominatesWhom() {
        // worked by hand: a, b, e trade off; c is dominated by a only; d by a, b and c
        List<Point> points = List.of(p("a", 0.6, 40, 4), p("b", 0.4, 50, 4), p("c", 0.5, 39, 4), p("d", 0.3, 38, 6),
                p("e", 0.7, 35, 40));
        assertEquals(List.of("a", "b", "e"), names(Pareto.front(points)));
        List<List<Point>> fronts = Pareto.sort(points);
        assertEquals(3, fronts.size());
        assertEquals(List.of("c"), names(fronts.get(1)));
        assertEquals(List.of("d"), names(fronts.get(2)));
        assertEquals(List.of(), Pareto.front(List.of()));
    }
}
