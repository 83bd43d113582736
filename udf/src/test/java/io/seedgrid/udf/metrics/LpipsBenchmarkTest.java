package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's bookkeeping and agreement (timings are reported, never asserted). */
class LpipsBenchmarkTest {

    @Test
    void cachedAndNaiveAgreeOnASyntheticGroup() throws Exception {
        try (OrtSession session = Fixtures.session(Fixtures.dir("lpips-tiny/model.onnx"))) {
            Lpips lpips = new Lpips(LpipsModel.load(Fixtures.dir("lpips-tiny"), session));
            List<RgbImage> group = LpipsBenchmark.syntheticGroup(4, 64, 48, 1);
            LpipsBenchmark.Result r = LpipsBenchmark.run(lpips, group);
            assertEquals(4, r.images());
            assertEquals(6, r.pairs());
            assertEquals(64, r.width());
            assertTrue(r.maxAbsDifference() <= 1e-5, r.summary());
            assertTrue(r.meanDistance() > 0, r.summary());
            assertTrue(r.cachedNanos() > 0 && r.naiveNanos() > 0);
            assertEquals((double) r.naiveNanos() / r.cachedNanos(), r.speedup(), 1e-12);
            assertThrows(IllegalArgumentException.class, () -> LpipsBenchmark.run(lpips, group.subList(0, 1)));
            assertThrows(IllegalArgumentException.class, () -> LpipsBenchmark.run(lpips, group, 0));
        }
    }

    @Test
    void syntheticGroupIsSeeded() {
        assertEquals(LpipsBenchmark.syntheticGroup(2, 16, 8, 5), LpipsBenchmark.syntheticGroup(2, 16, 8, 5));
        assertNotEquals(LpipsBenchmark.syntheticGroup(2, 16, 8, 5), LpipsBenchmark.syntheticGroup(2, 16, 8, 6));
    }
}
