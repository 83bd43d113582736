package io.seedgrid.udf.recipe;

import io.seedgrid.udf.blend.BlendCache;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.pipeline.ConditionAnnealing;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SdxlModel;
import io.seedgrid.udf.pipeline.SdxlPipeline;
import io.seedgrid.udf.sampler.ScheduleSpec;
import io.seedgrid.udf.testing.Golden;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recipes run on the tiny models: which sessions run which steps, and the equalities each recipe must keep. */
class RecipeRunTest {

    private static final String PROMPT = "a red cube on a blue floor";
    private static final String NEGATIVE = "blurry low quality";
    private static final long[] SEEDS = {0, 1, 42};

    private static final SdxlModel BASE = SdxlModel.load(ModelDirectory.open(Golden.resource("tiny-sdxl/fp32")),
            SessionSettings.cpu());
    private static final SdxlModel STUDENT = SdxlModel.load(ModelDirectory.open(Golden.resource("tiny-sdxl/dmd2-unet-only"),
            Golden.resource("tiny-sdxl/fp32")), SessionSettings.cpu());
    private static final ModelResolver MODELS = ref -> {
        if (ref instanceof ModelRef.Blend blend) {
            try {
                BlendCache cache = new BlendCache(java.nio.file.Files.createTempDirectory("seedgrid-blends"));
                var blended = cache.get(BASE.directory().unet(), STUDENT.directory().unet(), blend.alpha()).model();
                return SdxlModel.withUnet(BASE.directory(), blended, SessionSettings.cpu());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return switch (ref.base()) {
            case "base" -> BASE;
            case "dmd2" -> STUDENT;
            default -> throw new IllegalArgumentException("unknown model " + ref);
        };
    };

    /** One UNet call as the observer saw it. */
    record Call(String model, int step, double timestep, int rows) {
    }

    private static List<GeneratedImage> run(RecipeSpec recipe, List<Call> calls) throws Exception {
        GenerationRequest request = new GenerationRequest(PROMPT, 64, 64, RecipeCompiler.compile(recipe, NEGATIVE, MODELS),
                LongPromptMode.TRUNCATE);
        return SdxlPipeline.generate(request, SEEDS, new PipelineObserver() {
            @Override
            public void unetCall(SdxlModel model, int step, double timestep, int rows, boolean guided) {
                calls.add(new Call(model == BASE ? "base" : "dmd2", step, timestep, rows));
            }
        });
    }

    private static List<GeneratedImage> run(RecipeSpec recipe) throws Exception {
        return run(recipe, new ArrayList<>());
    }

    private static void assertSameImages(List<GeneratedImage> a, List<GeneratedImage> b) {
        for (int i = 0; i < a.size(); i++) {
            assertEquals(ImageStatus.OK, a.get(i).status());
            assertArrayEquals(a.get(i).latents(), b.get(i).latents(), "seed " + SEEDS[i]);
            assertEquals(a.get(i).image(), b.get(i).image());
        }
    }

    @Test
    void hybridRunsTheBaseForItsFirstStepWithGuidanceThenTheStudent() throws Exception {
        List<Call> calls = new ArrayList<>();
        List<GeneratedImage> images = run(Recipes.hybrid("hybrid", "base", "euler", 5.0, 1, "dmd2",
                ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), calls);
        assertEquals(List.of(new Call("base", 0, 999, 6), new Call("dmd2", 1, 749, 3), new Call("dmd2", 2, 499, 3),
                new Call("dmd2", 3, 249, 3)), calls);
        images.forEach(image -> assertEquals(ImageStatus.OK, image.status()));
        assertNotEquals(run(Recipes.dmd2("dmd2", "dmd2", ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS))).get(0).image(),
                images.get(0).image());
    }

    @Test
    void twoPhasesOfOneModelAndSamplerEqualOnePhase() throws Exception {
        for (String sampler : List.of("euler", "dpmpp_2m", "lcm", "euler_ancestral")) {
            ScheduleSpec schedule = sampler.equals("lcm") ? ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS) : ScheduleSpec.of(6, "normal");
            RecipeSpec one = Recipes.base("one", "base", sampler, schedule, 5.0);
            RecipeSpec two = new RecipeSpec("two", "hybrid", schedule, 0, List.of(
                    PhaseSpec.of(new ModelRef.Named("base"), 0, 2, sampler, 5.0, null),
                    PhaseSpec.of(new ModelRef.Named("base"), 2, schedule.steps(), sampler, 5.0, null)));
            assertSameImages(run(one), run(two));
        }
    }

    @Test
    void skipFirstStartsTheStudentFromNoiseAtTheSecondTimestep() throws Exception {
        List<Call> calls = new ArrayList<>();
        run(Recipes.skipFirst("skip", "dmd2", ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), calls);
        assertEquals(List.of(new Call("dmd2", 1, 749, 3), new Call("dmd2", 2, 499, 3), new Call("dmd2", 3, 249, 3)), calls);
    }

    @Test
    void dmd2RunsLcmAtItsTimestepsWithoutGuidance() throws Exception {
        List<Call> calls = new ArrayList<>();
        run(Recipes.dmd2("dmd2", "dmd2", ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), calls);
        assertEquals(List.of(new Call("dmd2", 0, 999, 3), new Call("dmd2", 1, 749, 3), new Call("dmd2", 2, 499, 3),
                new Call("dmd2", 3, 249, 3)), calls);
    }

    @Test
    void cadsWithoutNoiseEqualsThePlainRunAndWithNoiseDiffers() throws Exception {
        ScheduleSpec schedule = ScheduleSpec.of(8, "normal");
        List<GeneratedImage> plain = run(Recipes.base("plain", "base", "euler", schedule, 5.0));
        assertSameImages(plain, run(Recipes.cads("cads0", "base", "euler", schedule, 5.0,
                new ConditionAnnealing(0.6, 0.9, 0.0, 1.0, true))));
        List<GeneratedImage> annealed = run(Recipes.cads("cads", "base", "euler", schedule, 5.0, ConditionAnnealing.recommended()));
        assertNotEquals(plain.get(0).image(), annealed.get(0).image());
        // Deterministic per seed and independent of the batch: seed 42 alone gives the same image.
        GenerationRequest alone = new GenerationRequest(PROMPT, 64, 64, RecipeCompiler.compile(
                Recipes.cads("cads", "base", "euler", schedule, 5.0, ConditionAnnealing.recommended()), NEGATIVE, MODELS),
                LongPromptMode.TRUNCATE);
        assertArrayEquals(annealed.get(2).latents(),
                SdxlPipeline.generate(alone, new long[] {42}, PipelineObserver.NONE).get(0).latents());
    }

    @Test
    void blendsAtZeroAndOneReproduceTheEndModelsAndHalfwayMatchesTheReference() throws Exception {
        ScheduleSpec schedule = ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS);
        assertSameImages(run(Recipes.dmd2("base-lcm", "base", schedule)), run(Recipes.blend("b0", "base", "dmd2", 0.0, "lcm", schedule, 1.0)));
        assertSameImages(run(Recipes.dmd2("dmd2", "dmd2", schedule)), run(Recipes.blend("b1", "base", "dmd2", 1.0, "lcm", schedule, 1.0)));
        List<GeneratedImage> half = run(Recipes.blend("b05", "base", "dmd2", 0.5, "lcm", schedule, 1.0));
        assertNotEquals(run(Recipes.dmd2("dmd2", "dmd2", schedule)).get(0).image(), half.get(0).image());

        // tools/testmodels' reference: the torch UNet with blended parameters, Euler 4 steps, CFG off.
        var golden = Golden.json("golden/pipeline/case_blend0.5_h64w64_euler4_cfg1.json");
        GenerationRequest request = new GenerationRequest(PROMPT, 64, 64, RecipeCompiler.compile(
                Recipes.blend("b05", "base", "dmd2", 0.5, "euler", ScheduleSpec.of(4, "normal"), 1.0), NEGATIVE, MODELS),
                LongPromptMode.TRUNCATE);
        List<GeneratedImage> images = SdxlPipeline.generate(request, SEEDS, PipelineObserver.NONE);
        float[] expected = Golden.floats(golden.get("latents_after_step"));
        int perImage = expected.length / 4 / SEEDS.length;
        for (int b = 0; b < SEEDS.length; b++) {
            float[] want = java.util.Arrays.copyOfRange(expected, (3 * SEEDS.length + b) * perImage, (3 * SEEDS.length + b + 1) * perImage);
            float[] got = images.get(b).latents();
            double diff = 0;
            double scale = 0;
            for (int i = 0; i < perImage; i++) {
                diff = Math.max(diff, Math.abs(got[i] - want[i]));
                scale = Math.max(scale, Math.abs(want[i]));
            }
            assertTrue(diff / scale <= 1e-4, "seed " + SEEDS[b] + ": relative error " + diff / scale);
        }
    }

    @Test
    void intervalGuidanceWithAnEmptyIntervalEqualsGuidanceOff() throws Exception {
        ScheduleSpec schedule = ScheduleSpec.of(6, "normal");
        List<Call> calls = new ArrayList<>();
        List<GeneratedImage> empty = run(Recipes.intervalCfg("empty", "base", "euler", schedule, 5.0, 3.0, 3.0), calls);
        assertFalse(calls.stream().anyMatch(c -> c.rows() == 6));
        assertSameImages(run(Recipes.base("off", "base", "euler", schedule, 1.0)), empty);

        calls.clear();
        run(Recipes.intervalCfg("mid", "base", "euler", schedule, 5.0, 0.28, 5.42), calls);
        List<Double> sigmas = new ArrayList<>();
        var timeline = io.seedgrid.udf.sampler.Samplers.byName("euler").timeline(BASE.noiseSchedule(), schedule);
        for (Call c : calls) {
            double sigma = timeline.sigma(c.step());
            assertEquals(sigma > 0.28 && sigma <= 5.42 ? 6 : 3, c.rows(), "step " + c.step() + " sigma " + sigma);
            sigmas.add(sigma);
        }
        assertEquals(Map.of(true, true, false, true), Map.of(true, sigmas.stream().anyMatch(s -> s > 5.42),
                false, sigmas.stream().anyMatch(s -> s <= 5.42 && s > 0.28)));
    }
}
