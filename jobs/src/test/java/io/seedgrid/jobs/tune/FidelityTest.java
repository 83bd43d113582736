package io.seedgrid.jobs.tune;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FidelityTest {

    @Test
    void rungsGrowByTheFactorAndEndOnTheWholePool() {
        assertEquals(List.of(new Fidelity.Rung(0, 4, 4), new Fidelity.Rung(1, 8, 8), new Fidelity.Rung(2, 16, 16)),
                new Fidelity(4, 4, 2).rungs(16, 16));
        assertEquals(List.of(new Fidelity.Rung(0, 3, 2), new Fidelity.Rung(1, 6, 4), new Fidelity.Rung(2, 10, 6)),
                new Fidelity(3, 2, 2).rungs(10, 6), "each capped by the pool");
        assertEquals(List.of(new Fidelity.Rung(0, 5, 5)), new Fidelity(5, 5, 3).rungs(5, 5), "the pool at once: one rung");
        assertEquals(256, new Fidelity.Rung(2, 16, 16).images());
    }

    @Test
    void aFirstRungLargerThanThePoolOrTooFewSeedsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Fidelity(8, 4, 2).rungs(4, 16));
        assertThrows(IllegalArgumentException.class, () -> new Fidelity(4, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new Fidelity(4, 4, 1));
    }
}
