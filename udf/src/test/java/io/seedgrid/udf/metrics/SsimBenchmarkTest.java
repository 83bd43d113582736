package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSIM benchmark's bookkeeping and agreement (timings are reported, never asserted). */
class SsimBenchmarkTest {

    @Test
    void bothPathsAgreeAndTheRatioIsTheirPerPairTimes() {
        List<RgbImage> group = LpipsBenchmark.syntheticGroup(3, 170, 165, 2);
        SsimBenchmark.Result r = SsimBenchmark.run(group, 2, 1);
        assertEquals(3, r.images());
        assertEquals(3, r.pairs());
        assertEquals(2, r.baselinePairs());
        assertEquals(170, r.width());
        assertEquals("ms-ssim", r.method());
        assertTrue(r.maxAbsDifference() <= 1e-12, r.summary());
        assertEquals(SsimFeatures.of(group.get(0)).bytes(), r.featureBytes());
        assertEquals(r.baseline().wallNanos() / 2, r.baselinePerPair().wallNanos());
        assertEquals(r.baseline().cpuNanos() / 2, r.baselinePerPair().cpuNanos());
        assertEquals((r.features().wallNanos() + r.pairsFromCache().wallNanos()) / 3, r.cachedPerPair().wallNanos());
        assertEquals((r.features().cpuNanos() + r.pairsFromCache().cpuNanos()) / 3, r.cachedPerPair().cpuNanos());
        assertTrue(r.baseline().cpuNanos() > 0 && r.features().cpuNanos() > 0 && r.pairsFromCache().cpuNanos() > 0);
        assertEquals((double) r.baseline().wallNanos() / 2 / ((r.features().wallNanos() + r.pairsFromCache().wallNanos())
                / 3.0), r.speedup(), 1e-9);
        assertEquals((double) r.baseline().cpuNanos() / 2 / ((r.features().cpuNanos() + r.pairsFromCache().cpuNanos())
                / 3.0), r.cpuSpeedup(), 1e-9);
        assertTrue(r.summary().contains("all pairs of 3 images 170x165 (3 pairs)"), r.summary());

        SsimBenchmark.Result small = SsimBenchmark.run(LpipsBenchmark.syntheticGroup(2, 40, 30, 2), 1, 2);
        assertEquals("ms-ssim-upsampled", small.method());
        assertTrue(small.maxAbsDifference() <= 1e-12, small.summary());
    }

    @Test
    void rejectsBadArguments() {
        List<RgbImage> group = LpipsBenchmark.syntheticGroup(3, 20, 20, 2);
        assertThrows(IllegalArgumentException.class, () -> SsimBenchmark.run(group.subList(0, 1), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SsimBenchmark.run(group, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> SsimBenchmark.run(group, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> SsimBenchmark.run(group, 1, 0));
    }
}
