package io.seedgrid.udf.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seedgrid.udf.rng.TorchGenerator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The samplers' public behaviour: names, anchors, errors, per-image noise and state. */
class SamplerApiTest {

    private static final NoiseSchedule SDXL = NoiseSchedule.sdxl();

    @Test
    void namesAndDiffusersAliases() {
        assertEquals(List.of("euler", "euler_ancestral", "dpmpp_2m", "ddim", "lcm"), Samplers.names());
        assertSame(Samplers.byName("euler"), Samplers.byName("EulerDiscreteScheduler"));
        assertSame(Samplers.byName("euler_ancestral"), Samplers.byName("EulerAncestralDiscreteScheduler"));
        assertSame(Samplers.byName("dpmpp_2m"), Samplers.byName("DPMSolverMultistepScheduler"));
        assertSame(Samplers.byName("ddim"), Samplers.byName("ddimscheduler"));
        assertSame(Samplers.byName("lcm"), Samplers.byName(" LCM "));
        for (String name : Samplers.names()) {
            assertEquals(name, Samplers.byName(name).name());
        }
        assertEquals(List.of("normal", "karras", "trailing", "sgm_uniform"), SigmaSchedule.names());
        assertEquals(Space.SIGMA, Samplers.byName("euler").space());
        assertEquals(Space.VP, Samplers.byName("dpmpp_2m").space());
        assertEquals(Space.VP, Samplers.byName("ddim").space());
        assertEquals(Space.VP, Samplers.byName("lcm").space());
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> Samplers.byName("heun"));
        assertTrue(s.getMessage().contains("heun") && s.getMessage().contains("dpmpp_2m")
                && s.getMessage().contains("LCMScheduler"), s.getMessage());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.of(10, "exponential"));
        assertTrue(k.getMessage().contains("exponential") && k.getMessage().contains("sgm_uniform"), k.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Samplers.byName(null));
    }

    @Test
    void sdxlEulerAnchors() {
        Sampler euler = Samplers.byName("euler");
        Timeline tl = euler.timeline(SDXL, ScheduleSpec.of(30, "normal"));
        assertEquals(958.0, tl.timestep(0));
        assertEquals(1.0, tl.timestep(29));
        assertEquals(11.4768, tl.sigma(0), 5e-5);
        assertEquals(0.0, tl.sigma(30));
        assertEquals(11.5203, euler.initNoiseSigma(tl, 0), 5e-5);
        assertEquals(1 / Math.sqrt(11.4768 * 11.4768 + 1), euler.modelInputScale(tl, 0), 1e-6);
        // trailing spacing starts at T - 1 and takes sigma itself as the initial noise, as diffusers
        Timeline trailing = euler.timeline(SDXL, ScheduleSpec.of(30, "trailing"));
        assertEquals(999.0, trailing.timestep(0));
        assertEquals(trailing.sigma(0), euler.initNoiseSigma(trailing, 0), 1e-6);
    }

    @Test
    void lcmDefaultAndDmd2Timesteps() {
        Sampler lcm = Samplers.byName("lcm");
        assertArrayEquals(new double[] {999, 759, 499, 259}, lcm.timeline(SDXL, ScheduleSpec.of(4, "normal")).timesteps());
        assertArrayEquals(new double[] {999, 749, 499, 249},
                lcm.timeline(SDXL, ScheduleSpec.explicit(999, 749, 499, 249)).timesteps());
        assertArrayEquals(new double[] {999, 749, 499, 249}, lcm.timeline(SDXL, ScheduleSpec.of(4, "trailing")).timesteps());
        assertEquals(1.0, lcm.initNoiseSigma(lcm.timeline(SDXL, ScheduleSpec.of(4, "normal")), 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lcm.timeline(SDXL, ScheduleSpec.of(51, "normal")));
        assertTrue(e.getMessage().contains("original_inference_steps"), e.getMessage());
    }

    @Test
    void denoiseKeepsTheLastStepsOfALongerSchedule() {
        Sampler euler = Samplers.byName("euler");
        Timeline full = euler.timeline(SDXL, ScheduleSpec.of(33, "normal"));
        Timeline part = euler.timeline(SDXL, ScheduleSpec.of(20, "normal", 0.6)); // floor(20 / 0.6) = 33
        assertArrayEquals(Arrays.copyOfRange(full.timesteps(), 13, 33), part.timesteps());
        assertArrayEquals(Arrays.copyOfRange(full.sigmas(), 13, 34), part.sigmas());
        assertEquals(20, part.steps());
        assertEquals(20, ScheduleSpec.of(20, "normal", 0.99995).fullSteps());
        assertThrows(IllegalArgumentException.class, () -> new ScheduleSpec(4, "normal", new double[] {999, 749, 499, 249}, 0.5));
    }

    @Test
    void badSpecsAreRejectedWithClearMessages() {
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.of(0, "normal"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.of(4, "normal", 0.0));
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.of(4, "normal", 1.5));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.explicit(999, 999, 10));
        assertTrue(order.getMessage().contains("strictly decreasing"), order.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.explicit(500, 600));
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.explicit(10, -1));
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.explicit(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.explicit());
        for (String name : Samplers.names()) {
            Sampler s = Samplers.byName(name);
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> s.timeline(SDXL, ScheduleSpec.explicit(1000, 500)), name);
            assertTrue(range.getMessage().contains("[0, 999]"), range.getMessage());
        }
        // integer-timestep samplers refuse fractional timesteps; the Euler family takes them
        for (String name : List.of("dpmpp_2m", "ddim", "lcm")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Samplers.byName(name).timeline(SDXL, ScheduleSpec.explicit(999, 500.5)));
            assertTrue(e.getMessage().contains("whole-number"), e.getMessage());
        }
        Timeline fractional = Samplers.byName("euler").timeline(SDXL, ScheduleSpec.explicit(999, 500.5));
        assertEquals(500.5, fractional.timestep(1));
        assertEquals(SDXL.interpolatedSigma(500.5), fractional.sigma(1), 1e-6);
    }

    @Test
    void stepNoiseComesFromTheImagesOwnGenerator() {
        // A sampler that draws noise must leave the generator exactly where torch leaves it; others must not draw.
        float[] out = new float[256];
        Arrays.fill(out, 0.1f);
        assertDraws("euler_ancestral", ScheduleSpec.of(3, "normal"), 3, out);
        assertDraws("lcm", ScheduleSpec.of(3, "normal"), 2, out); // no noise after the last step
        assertDraws("euler", ScheduleSpec.of(3, "normal"), 0, out);
        assertDraws("dpmpp_2m", ScheduleSpec.of(3, "normal"), 0, out);
        assertDraws("ddim", ScheduleSpec.of(3, "normal"), 0, out);
        Sampler stochastic = Samplers.ddim(0.5);
        TorchGenerator g = new TorchGenerator(7);
        Timeline tl = stochastic.timeline(SDXL, ScheduleSpec.of(3, "normal"));
        float[] x = new float[256];
        for (int i = 0; i < 3; i++) {
            stochastic.step(tl, i, x, out, stochastic.newState(), g);
        }
        TorchGenerator reference = new TorchGenerator(7);
        for (int i = 0; i < 3; i++) {
            reference.randn(256);
        }
        assertArrayEquals(reference.randn(16), g.randn(16));
        assertThrows(IllegalArgumentException.class, () -> Samplers.ddim(-0.1));
    }

    private static void assertDraws(String name, ScheduleSpec spec, int draws, float[] out) {
        Sampler s = Samplers.byName(name);
        Timeline tl = s.timeline(SDXL, spec);
        TorchGenerator g = new TorchGenerator(11);
        SamplerState state = s.newState();
        float[] x = new TorchGenerator(3).randn(out.length);
        for (int i = 0; i < tl.steps(); i++) {
            s.step(tl, i, x, out, state, g);
        }
        TorchGenerator reference = new TorchGenerator(11);
        for (int i = 0; i < draws; i++) {
            reference.randn(out.length);
        }
        assertArrayEquals(reference.randn(16), g.randn(16), name + " should draw " + draws + " times");
    }

    @Test
    void imagesAreIndependentOfEachOther() {
        // DPM-Solver++ keeps history per image: interleaving two images must not change either.
        Sampler dpm = Samplers.byName("dpmpp_2m");
        Timeline tl = dpm.timeline(SDXL, ScheduleSpec.of(6, "karras"));
        float[] alone = run(dpm, tl, 1, null);
        float[] interleaved = run(dpm, tl, 1, 2L);
        assertArrayEquals(alone, interleaved);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dpm.step(tl, 0, new float[4], new float[4], SamplerState.NONE, new TorchGenerator(0)));
        assertTrue(e.getMessage().contains("newState"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> dpm.step(tl, 6, new float[4], new float[4], dpm.newState(), new TorchGenerator(0)));
        assertThrows(IllegalArgumentException.class,
                () -> dpm.step(tl, 0, new float[4], new float[5], dpm.newState(), new TorchGenerator(0)));
    }

    private static float[] run(Sampler s, Timeline tl, long seed, Long otherSeed) {
        float[] x = new TorchGenerator(seed).randn(64);
        float[] y = otherSeed == null ? null : new TorchGenerator(otherSeed).randn(64);
        SamplerState sx = s.newState();
        SamplerState sy = s.newState();
        for (int i = 0; i < tl.steps(); i++) {
            s.step(tl, i, x, TrajectoryGoldenTest.standIn(x, tl.timestep(i)), sx, new TorchGenerator(0));
            if (y != null) {
                s.step(tl, i, y, TrajectoryGoldenTest.standIn(y, tl.timestep(i)), sy, new TorchGenerator(0));
            }
        }
        return x;
    }

    @Test
    void ddimStepsToTheStrideOfItsSpacingAndToTheNextTimestepOtherwise() {
        Sampler ddim = Samplers.byName("ddim");
        // trailing at 6 steps: timesteps 999, 832, ... but diffusers steps from 999 to 999 - 1000 div 6 = 833
        Timeline trailing = ddim.timeline(SDXL, ScheduleSpec.of(6, "trailing"));
        assertEquals(832.0, trailing.timestep(1));
        assertEquals(SDXL.alphaCumprod(833), NoiseSchedule.alphaCumprodOfSigma(trailing.sigma(1)));
        Timeline explicit = ddim.timeline(SDXL, ScheduleSpec.explicit(999, 832, 500));
        assertEquals(SDXL.alphaCumprod(832), NoiseSchedule.alphaCumprodOfSigma(explicit.sigma(1)));
        // set_alpha_to_one = false: the run ends at the level of alpha_cumprod[0]
        assertEquals(SDXL.alphaCumprod(0), NoiseSchedule.alphaCumprodOfSigma(explicit.sigma(3)));
    }

    @Test
    void spaceConversionIsTheFactorSqrtSigmaSquaredPlusOne() {
        float[] x = {1f, -2f};
        Space.SIGMA.convertInPlace(x, Space.VP, Math.sqrt(3)); // divide by 2
        assertArrayEquals(new float[] {0.5f, -1f}, x);
        Space.VP.convertInPlace(x, Space.SIGMA, Math.sqrt(3));
        assertArrayEquals(new float[] {1f, -2f}, x);
        Space.VP.convertInPlace(x, Space.VP, 5);
        assertArrayEquals(new float[] {1f, -2f}, x);
    }

    @Test
    void timelinesAreImmutableValues() {
        Sampler euler = Samplers.byName("euler");
        Timeline a = euler.timeline(SDXL, ScheduleSpec.of(8, "karras"));
        double[] t = a.timesteps();
        t[0] = -1;
        assertNotEquals(-1.0, a.timestep(0));
        assertEquals(a, euler.timeline(SDXL, ScheduleSpec.of(8, "karras")));
        assertEquals(a.hashCode(), euler.timeline(SDXL, ScheduleSpec.of(8, "karras")).hashCode());
        assertNotEquals(a, euler.timeline(SDXL, ScheduleSpec.of(8, "normal")));
        double[] explicit = {999, 500};
        ScheduleSpec spec = ScheduleSpec.explicit(explicit);
        explicit[0] = 1;
        assertEquals(999.0, spec.timesteps()[0]);
    }
}
