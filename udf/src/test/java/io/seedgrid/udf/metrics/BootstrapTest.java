package io.seedgrid.udf.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Bootstrap against numpy.percentile on the same SplitMix64 resamples (bootstrap_reference.py). */
class BootstrapTest {
    private static final JsonNode GOLDEN = Fixtures.golden("bootstrap.json");

    @Test
    void splitMixStreamMatchesReference() {
        SplitMix64 rng = new SplitMix64(42);
        for (JsonNode v : GOLDEN.get("splitmix64_seed42_first")) {
            assertEquals(Long.parseUnsignedLong(v.asText()), rng.next());
        }
    }

    @Test
    void intervalsMatchNumpy() {
        double[] values = doubles(GOLDEN.get("values"));
        double[] reference = doubles(GOLDEN.get("reference"));
        for (JsonNode c : GOLDEN.get("cases")) {
            int resamples = c.get("resamples").asInt();
            double level = c.get("level").asDouble();
            long seed = c.get("seed").asLong();
            check(c.get("mean"), Bootstrap.mean(values, resamples, level, seed));
            check(c.get("paired_difference"), Bootstrap.pairedDifference(values, reference, resamples, level, seed));
        }
    }

    @Test
    void deterministicPerSeedAndSensible() {
        double[] values = doubles(GOLDEN.get("values"));
        ConfidenceInterval a = Bootstrap.mean(values, 7);
        assertEquals(a, Bootstrap.mean(values, 7));
        assertNotEquals(a.low(), Bootstrap.mean(values, 8).low());
        assertTrue(a.low() < a.estimate() && a.estimate() < a.high());
        assertEquals(Bootstrap.DEFAULT_RESAMPLES, a.resamples());
        ConfidenceInterval single = Bootstrap.mean(new double[] {0.3}, 100, 0.95, 1);
        assertEquals(0.3, single.low(), 0);
        assertEquals(0.3, single.high(), 0);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.mean(new double[0], 1));
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.mean(new double[] {1, Double.NaN}, 1));
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.mean(new double[] {1}, 100, 1.0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Bootstrap.pairedDifference(new double[] {1, 2}, new double[] {1}, 100, 0.95, 1));
    }

    private static void check(JsonNode expected, ConfidenceInterval actual) {
        assertEquals(expected.get("mean").asDouble(), actual.estimate(), 1e-12);
        assertEquals(expected.get("low").asDouble(), actual.low(), 1e-12);
        assertEquals(expected.get("high").asDouble(), actual.high(), 1e-12);
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
