package io.seedgrid.jobs.tune;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalvingTest {

    private static final Fidelity.Rung RUNG = new Fidelity.Rung(0, 8, 4);
    private static final List<String> PROMPTS = List.of("p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7");
    /** Per-prompt offsets that every candidate shares (prompts differ, pairs do not). */
    private static final double[] PROMPT = {0.05, -0.04, 0.02, -0.01, 0.03, -0.05, 0.0, 0.01};

    /** A candidate whose per-prompt values are {@code diversity}/{@code adherence} plus the prompts' offsets and jitter. */
    private static Measured m(String name, double cost, double diversity, double adherence, double jitter) {
        Map<String, Double> div = new HashMap<>();
        Map<String, Double> adh = new HashMap<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            double wobble = jitter * Math.sin(7 * i + name.length());
            div.put(PROMPTS.get(i), diversity + PROMPT[i] + wobble);
            adh.put(PROMPTS.get(i), adherence + 100 * PROMPT[i] + 10 * wobble);
        }
        return new Measured(name, cost, div, adh);
    }

    @Test
    void aCandidateDominatedWithConfidenceStopsAndNamesWhoDominatesIt() {
        Measured good = m("good", 4, 0.50, 50, 0.002);
        Measured worse = m("worse", 4, 0.40, 45, 0.002);
        Measured pricier = m("pricier", 8, 0.45, 47, 0.002);
        Halving.Decision d = Halving.decide(RUNG, PROMPTS, List.of(good, worse, pricier), List.of(), 10, 1000, 0.95);
        assertEquals(List.of("good"), d.promoted());
        assertTrue(d.stopped().get("worse").startsWith("dominated by good at rung 0 (8 prompts x 4 seeds)"),
                d.stopped().get("worse"));
        assertTrue(d.stopped().get("pricier").startsWith("dominated by good"), "costs more, worse on both");
    }

    @Test
    void dominationNeedsConfidenceOnBothObjectivesAndNoHigherCost() {
        Measured noisyBetter = m("noisy", 4, 0.41, 45.5, 0.08);   // better on average, but not beyond its noise
        Measured base = m("base", 4, 0.40, 45, 0.0);
        Measured cheapWorse = m("cheap", 2, 0.30, 40, 0.0);       // worse, but cheaper: a trade-off
        Measured expensiveBest = m("expensive", 40, 0.60, 55, 0.0);
        Halving.Decision d = Halving.decide(RUNG, PROMPTS, List.of(noisyBetter, base, cheapWorse, expensiveBest),
                List.of(), 10, 1000, 0.95);
        assertEquals(List.of("noisy", "base", "cheap", "expensive"), d.promoted());
    }

    @Test
    void theBudgetPromotesTheCandidatesThatCoverTheFront() {
        // one trade-off curve at one cost, equally noisy: the ends go first, then the middle of the largest gap
        List<Measured> curve = List.of(m("a0", 4, 0.60, 38, 0.01), m("a1", 4, 0.56, 41, 0.01), m("a2", 4, 0.52, 44, 0.01),
                m("a3", 4, 0.48, 46, 0.01), m("a4", 4, 0.44, 47.5, 0.01));
        Halving.Decision d = Halving.decide(RUNG, PROMPTS, curve, List.of(), 3, 1000, 0.95);
        assertEquals(List.of("a0", "a2", "a4"), d.promoted());
        assertTrue(d.stopped().get("a1").startsWith("not promoted at rung 0"), d.stopped().get("a1"));
    }

    @Test
    void referencesAreCentresAlreadyAndCandidatesTheyCoverAreNotSpentOn() {
        Measured reference = m("teacher", 4, 0.50, 48, 0.0);
        List<Measured> candidates = List.of(m("near", 4, 0.49, 47.8, 0.01), m("far", 4, 0.62, 40, 0.01),
                m("dominatedByFar", 4, 0.61, 39.5, 0.01));
        Halving.Decision d = Halving.decide(RUNG, PROMPTS, candidates, List.of(reference), 2, 1000, 0.95);
        assertEquals(List.of("far"), d.promoted(), "near is covered by the reference, dominatedByFar by far: the budget"
                + " for a second one is not spent");
    }

    @Test
    void aCheaperCandidateCoversADearerOneButNotTheOtherWayRound() {
        Measured cheap = m("cheap", 4, 0.50, 45, 0.01);
        Measured dear = m("dear", 8, 0.49, 44.9, 0.01);
        assertEquals(List.of("cheap"), Halving.decide(RUNG, PROMPTS, List.of(cheap, dear), List.of(), 2, 1000, 0.95)
                .promoted());
        Measured dearButBetter = m("dearBetter", 8, 0.51, 45.1, 0.01);
        Halving.Decision both = Halving.decide(RUNG, PROMPTS, List.of(dearButBetter, cheap), List.of(), 1, 1000, 0.95);
        assertEquals(List.of("cheap"), both.promoted(), "nothing cheaper covers the cheap one: it goes first");
    }

    @Test
    void aCandidateWithoutMeasurementsStops() {
        Measured none = new Measured("none", 4, Map.of(), Map.of());
        Halving.Decision d = Halving.decide(RUNG, PROMPTS, List.of(none, m("ok", 4, 0.5, 45, 0.01)), List.of(), 5, 1000,
                0.95);
        assertEquals(List.of("ok"), d.promoted());
        assertTrue(d.stopped().get("none").startsWith("no measurement"));
    }
}
