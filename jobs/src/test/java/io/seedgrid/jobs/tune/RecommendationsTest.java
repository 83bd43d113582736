package io.seedgrid.jobs.tune;

import io.seedgrid.udf.metrics.ConfidenceInterval;
import io.seedgrid.udf.recipe.Recipes;
import io.seedgrid.udf.sampler.ScheduleSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RecommendationsTest {

    private static TuneResult.Entry e(String name, boolean reference, int cost, double diversity, double adherence,
                                      String status) {
        Candidate c = new Candidate(name, reference ? Candidate.REFERENCE : "f", Map.of(),
                Recipes.dmd2(name, "m", ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), "{}");
        return new TuneResult.Entry(c, cost, 0.01 * cost, 1, 4, 4, 16, 16,
                new ConfidenceInterval(diversity, diversity - 0.05, diversity + 0.05, 0.95, 1000, 4, 0),
                new ConfidenceInterval(adherence, adherence - 2, adherence + 2, 0.95, 1000, 4, 0), status, null);
    }

    private static final List<TuneResult.Entry> ENTRIES = List.of(
            e("teacher", true, 40, 0.38, 48.0, TuneResult.FRONT),
            e("student", true, 4, 0.32, 45.0, TuneResult.DOMINATED),
            e("wild", false, 4, 0.53, 38.0, TuneResult.FRONT),
            e("dose", false, 4, 0.40, 47.2, TuneResult.FRONT),
            e("hybrid", false, 6, 0.39, 47.5, TuneResult.FRONT),
            e("early", false, 4, 0.70, 49.0, TuneResult.STOPPED));

    @Test
    void theDefaultsAreTwiceTheCheapestReferencesCostAndOnePointBelowTheMostAdherentOne() {
        List<TuneResult.Recommendation> r = Recommendations.answer(null, ENTRIES, TuneConfig.Cost.UNET_EVALUATIONS);
        assertEquals(2, r.size());
        assertEquals("cost <= 2x student's", r.get(0).budget().label());
        assertEquals("cost <= 8 UNet evaluations per image", r.get(0).bounds());
        assertEquals("wild", r.get(0).pick().name(), "the most diverse within the cost; a stopped candidate never");
        assertEquals("adherence >= teacher's - 1", r.get(1).budget().label());
        assertEquals("adherence >= 47", r.get(1).bounds());
        assertEquals("dose", r.get(1).pick().name(), "more diverse than hybrid, and cheaper");
    }

    @Test
    void withSecondsAsTheCostTheBoundsAreInSeconds() {
        List<TuneResult.Recommendation> r = Recommendations.answer(null, ENTRIES, TuneConfig.Cost.SECONDS);
        assertEquals("cost <= 0.08 seconds per image", r.get(0).bounds(), "twice the student's 0.04 s");
        assertEquals("wild", r.get(0).pick().name());
    }

    @Test
    void bothBoundsTogetherAndABudgetNothingMeets() {
        List<TuneResult.Recommendation> r = Recommendations.answer(List.of(
                        new Budget("both", null, null, 5.0, null, null, 47.3),
                        new Budget("none", null, null, 3.0, null, null, null)),
                ENTRIES, TuneConfig.Cost.UNET_EVALUATIONS);
        assertNull(r.get(0).pick(), "dose has the adherence 47.2 < 47.3, hybrid costs 6 > 5");
        assertEquals("cost <= 5 UNet evaluations per image, adherence >= 47.3", r.get(0).bounds());
        assertNull(r.get(1).pick());
    }
}
