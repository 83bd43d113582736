package io.seedgrid.udf.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SchedulerConfig parsing and the NoiseSchedule's helpers (tables are checked in ScheduleGoldenTest). */
class NoiseScheduleTest {

    @Test
    void parsesSdxlsConfigAndIgnoresUnknownKeys() {
        SchedulerConfig c = Golden.sdxlConfig(); // contains skip_prk_steps, sample_max_value, use_karras_sigmas
        assertEquals(SchedulerConfig.sdxl(), c);
        assertEquals("EulerDiscreteScheduler", c.className());
        assertNull(c.trainedBetas());
    }

    @Test
    void missingKeysTakeSdxlValues() {
        SchedulerConfig c = SchedulerConfig.parse("{\"prediction_type\": \"v_prediction\", \"timestep_spacing\": \"trailing\","
                + " \"original_inference_steps\": 25, \"whatever\": [1, 2]}");
        assertEquals(PredictionType.V_PREDICTION, c.predictionType());
        assertEquals("trailing", c.timestepSpacing());
        assertEquals(25, c.originalInferenceSteps());
        assertEquals(0.00085, c.betaStart());
        assertEquals(1, c.stepsOffset());
        assertEquals(10.0, c.timestepScaling());
        assertEquals(SchedulerConfig.sdxl(), SchedulerConfig.parse("{\"_class_name\": \"EulerDiscreteScheduler\"}"));
        assertNull(SchedulerConfig.parse("{}").className());
    }

    @Test
    void readsAFileAndNamesItInErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, "{\"beta_schedule\": \"sigmoid\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.read(file));
        assertTrue(e.getMessage().contains("scheduler_config.json") && e.getMessage().contains("sigmoid"), e.getMessage());
        Files.writeString(file, "{\"steps_offset\": 0}");
        assertEquals(0, SchedulerConfig.read(file).stepsOffset());
    }

    @Test
    void rejectsWhatItCannotHonour() {
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{\"prediction_type\": \"sample\"}"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{\"rescale_betas_zero_snr\": true}"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{\"interpolation_type\": \"log_linear\"}"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{\"timestep_spacing\": \"uniform\"}"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{\"trained_betas\": [0.1, 0.2]}"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("[1]"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{not json"));
    }

    @Test
    void trainedBetasAreUsedAsGiven() {
        StringBuilder json = new StringBuilder("{\"num_train_timesteps\": 10, \"original_inference_steps\": 5, \"trained_betas\": [");
        for (int t = 0; t < 10; t++) {
            json.append(t == 0 ? "" : ",").append(0.01 * (t + 1));
        }
        NoiseSchedule s = NoiseSchedule.of(SchedulerConfig.parse(json.append("]}").toString()));
        assertEquals(0.01f, s.beta(0));
        assertEquals((float) ((1 - 0.01f) * (double) (1 - 0.02f)), s.alphaCumprod(1));
    }

    @Test
    void sigmaAndAlphaRoundTripExactlyForEveryTimestep() {
        NoiseSchedule s = NoiseSchedule.sdxl();
        for (int t = 0; t < s.trainSteps(); t++) {
            float a = s.alphaCumprod(t);
            assertEquals(a, NoiseSchedule.alphaCumprodOfSigma(NoiseSchedule.sigmaOfAlphaCumprod(a)), 0f, "t=" + t);
        }
        assertEquals(1.0f, NoiseSchedule.alphaCumprodOfSigma(0.0));
    }

    @Test
    void interpolationAndItsInverse() {
        NoiseSchedule s = NoiseSchedule.sdxl();
        assertEquals(s.sigma(500), s.interpolatedSigma(500), 0.0);
        assertEquals(0.5 * s.sigma(500) + 0.5 * (double) s.sigma(501), s.interpolatedSigma(500.5), 1e-12);
        assertEquals(s.sigmaMax(), s.interpolatedSigma(999), 0.0);
        assertEquals(14.6146, s.sigmaMax(), 1e-4);
        assertEquals(0.0292, s.sigmaMin(), 1e-4);
        // timestepForSigma interpolates log σ between neighbouring table entries
        for (double t : new double[] {0, 1, 137.25, 500, 998.5, 999}) {
            int lo = (int) Math.min(Math.floor(t), 998);
            double w = t - lo;
            double sigma = Math.exp((1 - w) * Math.log(s.sigma(lo)) + w * Math.log(s.sigma(lo + 1)));
            assertEquals(t, s.timestepForSigma(sigma), 1e-3, "t=" + t);
        }
        assertEquals(0.0, s.timestepForSigma(1e-6));
        assertEquals(999.0, s.timestepForSigma(100));
        assertThrows(IllegalArgumentException.class, () -> s.interpolatedSigma(999.5));
        assertThrows(IllegalArgumentException.class, () -> s.alphaCumprod(1000));
    }
}
