package io.seedgrid.udf.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.ScheduleSpec;
import io.seedgrid.udf.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java pipeline against the reference computation of {@code tools/testmodels/reference_pipeline.py}
 * (the same steps on the torch modules, in float32): the latents after every step within 1e-4 relative
 * error, and the 8-bit images within one grey level (float32 rounding of values that land on .5).
 */
class SdxlPipelineGoldenTest {

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "case_h64w64_euler4_cfg1, fp32, 1e-4, 1",
        "case_h64w64_euler4_cfg5_zero-negative, fp32, 1e-4, 1",
        "case_h64w64_euler4_cfg5_negative, fp32, 1e-4, 1",
        "case_h64w64_euler20_cfg1, fp32, 1e-4, 1",
        "case_h64w64_euler20_cfg5_negative, fp32, 1e-4, 1",
        "case_h48w80_euler4_cfg1, fp32, 1e-4, 1",
        "case_h48w80_euler4_cfg5_zero-negative, fp32, 1e-4, 1",
        "case_h48w80_euler20_cfg5_negative, fp32, 1e-4, 1",
        "case_h64w64_euler20_cfg5_negative, float-timestep, 1e-4, 1",
        "case_h48w80_euler4_cfg5_zero-negative, float-timestep, 1e-4, 1",
        "case_h64w64_euler20_cfg5_negative, external-data, 1e-4, 1",
        "case_fp16_h64w64_euler4_cfg5_zero-negative, fp16, 3e-2, 3",
        "case_fp16_h48w80_euler20_cfg5_negative, fp16, 3e-2, 3",
    })
    void matchesTheReferenceStepByStep(String caseName, String variant, double relativeTolerance, int greyLevels) throws Exception {
        JsonNode c = Golden.json("golden/pipeline/" + caseName + ".json");
        int steps = c.get("steps").asInt();
        boolean cfg = c.get("cfg").asBoolean();
        SdxlModel model = TinyModels.load(variant);
        Guidance guidance = cfg ? Guidance.cfg(c.get("guidance_scale").asDouble(), c.get("negative_prompt").asText())
                : Guidance.off();
        SamplingPlan plan = SamplingPlan.single(model, Samplers.byName("euler"), ScheduleSpec.of(steps, "normal"), guidance);
        GenerationRequest request = new GenerationRequest(c.get("prompt").asText(), c.get("width").asInt(),
                c.get("height").asInt(), plan, LongPromptMode.TRUNCATE);
        long[] seeds = seeds(c.get("seeds"));
        List<float[]> trajectory = new ArrayList<>();
        List<GeneratedImage> images = SdxlPipeline.generate(request, seeds, new PipelineObserver() {
            @Override
            public void afterStep(int step, float[][] latents) {
                float[] all = new float[latents.length * latents[0].length];
                for (int b = 0; b < latents.length; b++) {
                    System.arraycopy(latents[b], 0, all, b * latents[b].length, latents[b].length);
                }
                trajectory.add(all);
            }
        });

        float[] expected = Golden.floats(c.get("latents_after_step"));
        assertEquals(steps, trajectory.size());
        int perStep = expected.length / steps;
        for (int s = 0; s < steps; s++) {
            float[] want = java.util.Arrays.copyOfRange(expected, s * perStep, (s + 1) * perStep);
            double error = relativeError(trajectory.get(s), want);
            assertTrue(error <= relativeTolerance, caseName + " step " + s + ": relative error " + error);
        }

        byte[] pixels = Golden.bytes(c.get("image_uint8_nhwc"));
        int perImage = pixels.length / seeds.length;
        for (int b = 0; b < seeds.length; b++) {
            GeneratedImage image = images.get(b);
            assertEquals(ImageStatus.OK, image.status(), image.message());
            byte[] got = image.image().rgb();
            int worst = 0;
            for (int i = 0; i < perImage; i++) {
                worst = Math.max(worst, Math.abs((got[i] & 0xff) - (pixels[b * perImage + i] & 0xff)));
            }
            assertTrue(worst <= greyLevels, caseName + " seed " + seeds[b] + ": pixels differ by " + worst + " grey levels");
        }
    }

    static long[] seeds(JsonNode array) {
        long[] seeds = new long[array.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = array.get(i).asLong();
        }
        return seeds;
    }

    /** max |a − b| / max |b|. */
    static double relativeError(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return diff / scale;
    }
}
