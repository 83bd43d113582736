package io.seedgrid.udf.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.udf.rng.TorchGenerator;
import org.junit.jupiter.api.Test;

/**
 * Full sampling runs against diffusers (golden/sampler/trajectories.json): two images, one torch generator
 * each, a deterministic stand-in for the UNet, the latent compared after every step within 1e-4 relative
 * (to the largest magnitude in the latent at that step, so that values near zero do not make the
 * comparison meaningless).
 */
class TrajectoryGoldenTest {

    private static final double RELATIVE = 1e-4;

    /** The stand-in model of the golden script: 0.5·tanh(0.3·x + t/1000) + 0.1·x in float64, as float32. */
    static float[] standIn(float[] x, double t) {
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            double v = x[j];
            out[j] = (float) (0.5 * Math.tanh(0.3 * v + t / 1000.0) + 0.1 * v);
        }
        return out;
    }

    @Test
    void everyTrajectoryMatchesDiffusers() {
        JsonNode golden = Golden.json("trajectories.json");
        SchedulerConfig sdxl = Golden.sdxlConfig();
        double worst = 0;
        int runs = 0;
        for (JsonNode run : golden.get("runs")) {
            PredictionType prediction = PredictionType.byConfigName(run.get("prediction").asText());
            NoiseSchedule schedule = NoiseSchedule.of(sdxl.withPredictionType(prediction));
            double eta = run.get("eta").asDouble();
            Sampler sampler = eta > 0 ? Samplers.ddim(eta) : Samplers.byName(run.get("sampler").asText());
            ScheduleSpec spec = run.get("explicit").isNull()
                    ? ScheduleSpec.of(run.get("steps").asInt(), run.get("schedule").asText())
                    : ScheduleSpec.explicit(Golden.doubles(run.get("explicit")));
            String where = sampler + " " + spec + " " + prediction.configName();
            Timeline tl = sampler.timeline(schedule, spec);
            assertArrayEquals(Golden.doubles(run.get("timesteps")), tl.timesteps(), 1e-3, where + " timesteps");
            assertEquals(run.get("initNoiseSigma").asDouble(), sampler.initNoiseSigma(tl, 0), 1e-6, where + " init");

            JsonNode seeds = run.get("seeds");
            int perImage = 4 * 8 * 8;
            float[][] x = new float[seeds.size()][];
            TorchGenerator[] generators = new TorchGenerator[seeds.size()];
            SamplerState[] states = new SamplerState[seeds.size()];
            float init = (float) sampler.initNoiseSigma(tl, 0);
            for (int b = 0; b < x.length; b++) {
                generators[b] = TorchGenerator.ofUnsigned(seeds.get(b).asText());
                x[b] = generators[b].randn(perImage);
                for (int j = 0; j < perImage; j++) {
                    x[b][j] *= init;
                }
                states[b] = sampler.newState();
            }
            JsonNode latents = run.get("latents");
            assertEquals(tl.steps(), latents.size(), where + " step count");
            for (int i = 0; i < tl.steps(); i++) {
                float scale = sampler.modelInputScale(tl, i);
                for (int b = 0; b < x.length; b++) {
                    float[] modelIn = new float[perImage];
                    for (int j = 0; j < perImage; j++) {
                        modelIn[j] = x[b][j] * scale;
                    }
                    float[] out = standIn(modelIn, tl.timestep(i));
                    sampler.step(tl, i, x[b], out, states[b], generators[b]);
                }
                float[] expected = Golden.floats(latents.get(i).asText());
                for (int b = 0; b < x.length; b++) {
                    double maxAbs = 0;
                    double maxErr = 0;
                    for (int j = 0; j < perImage; j++) {
                        float e = expected[b * perImage + j];
                        maxAbs = Math.max(maxAbs, Math.abs(e));
                        maxErr = Math.max(maxErr, Math.abs(e - x[b][j]));
                    }
                    double relative = maxErr / maxAbs;
                    worst = Math.max(worst, relative);
                    assertTrue(relative <= RELATIVE, where + " step " + i + " image " + b + ": relative error " + relative);
                }
            }
            runs++;
        }
        assertTrue(runs >= 20, "too few golden runs: " + runs);
        System.out.printf("trajectories: %d runs, worst relative error %.3g%n", runs, worst);
    }
}
