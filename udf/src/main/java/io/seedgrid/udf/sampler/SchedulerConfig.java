package io.seedgrid.udf.sampler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The keys of a diffusers {@code scheduler/scheduler_config.json} that seedgrid's samplers read. Missing
 * keys take SDXL base's values ({@link #sdxl()}); keys seedgrid does not use are ignored. Every sampler
 * reads the same config, as diffusers' {@code SomeScheduler.from_config(pipe.scheduler.config)} does.
 *
 * @param className              {@code _class_name}, the diffusers scheduler the model shipped with (informative)
 * @param numTrainTimesteps      {@code num_train_timesteps} (1000)
 * @param betaStart              {@code beta_start} (0.00085)
 * @param betaEnd                {@code beta_end} (0.012)
 * @param betaSchedule           {@code beta_schedule}: {@code scaled_linear} (SDXL), {@code linear} or {@code squaredcos_cap_v2}
 * @param trainedBetas           {@code trained_betas}, or {@code null}
 * @param predictionType         {@code prediction_type}
 * @param timestepSpacing        {@code timestep_spacing}: {@code leading} (SDXL), {@code trailing} or {@code linspace}
 * @param stepsOffset            {@code steps_offset} (1), added to {@code leading} timesteps
 * @param setAlphaToOne          {@code set_alpha_to_one} (false): DDIM's and LCM's ᾱ after the last step is 1, else ᾱ_0
 * @param clipSample             {@code clip_sample} (false): DDIM and LCM clamp x0 to ±{@code clipSampleRange}
 * @param clipSampleRange        {@code clip_sample_range} (1.0)
 * @param finalSigmasType        {@code final_sigmas_type}: {@code zero} or {@code sigma_min} (Euler, DPM-Solver)
 * @param originalInferenceSteps {@code original_inference_steps} (50): LCM's distillation grid
 * @param timestepScaling        {@code timestep_scaling} (10.0): LCM's boundary-condition scaling
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        PredictionType predictionType,
        String timestepSpacing,
        int stepsOffset,
        boolean setAlphaToOne,
        boolean clipSample,
        double clipSampleRange,
        String finalSigmasType,
        int originalInferenceSteps,
        double timestepScaling) {

    private static final Set<String> BETA_SCHEDULES = Set.of("linear", "scaled_linear", "squaredcos_cap_v2");
    private static final Set<String> SPACINGS = Set.of("leading", "trailing", "linspace");
    private static final Set<String> FINAL_SIGMAS = Set.of("zero", "sigma_min");

    public SchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("num_train_timesteps must be at least 2, got " + numTrainTimesteps);
        }
        betaSchedule = oneOf("beta_schedule", betaSchedule, BETA_SCHEDULES);
        timestepSpacing = oneOf("timestep_spacing", timestepSpacing, SPACINGS);
        finalSigmasType = oneOf("final_sigmas_type", finalSigmasType, FINAL_SIGMAS);
        if (trainedBetas != null) {
            trainedBetas = trainedBetas.clone();
            if (trainedBetas.length != numTrainTimesteps) {
                throw new IllegalArgumentException("trained_betas has " + trainedBetas.length
                        + " values but num_train_timesteps is " + numTrainTimesteps);
            }
        }
        if (originalInferenceSteps < 1 || originalInferenceSteps > numTrainTimesteps) {
            throw new IllegalArgumentException("original_inference_steps must be in [1, " + numTrainTimesteps
                    + "], got " + originalInferenceSteps);
        }
        if (predictionType == null) {
            throw new IllegalArgumentException("prediction_type is required");
        }
    }

    /** SDXL base 1.0's scheduler config (EulerDiscreteScheduler) plus LCM's defaults. */
    public static SchedulerConfig sdxl() {
        return new SchedulerConfig("EulerDiscreteScheduler", 1000, 0.00085, 0.012, "scaled_linear", null,
                PredictionType.EPSILON, "leading", 1, false, false, 1.0, "zero", 50, 10.0);
    }

    /** Parses scheduler_config.json text. */
    public static SchedulerConfig parse(String json) {
        try {
            return fromJson(new ObjectMapper().readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("scheduler config is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a scheduler_config.json file. */
    public static SchedulerConfig read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds a config from a parsed JSON object; missing keys take {@link #sdxl()}'s values. */
    public static SchedulerConfig fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("scheduler config must be a JSON object");
        }
        SchedulerConfig d = sdxl();
        if (node.path("rescale_betas_zero_snr").asBoolean(false)) {
            throw new IllegalArgumentException("rescale_betas_zero_snr = true is not supported");
        }
        String interpolation = node.path("interpolation_type").asText("linear");
        if (!interpolation.equals("linear")) {
            throw new IllegalArgumentException("interpolation_type '" + interpolation + "' is not supported (only linear)");
        }
        JsonNode trained = node.path("trained_betas");
        double[] trainedBetas = null;
        if (trained.isArray()) {
            trainedBetas = new double[trained.size()];
            for (int i = 0; i < trainedBetas.length; i++) {
                trainedBetas[i] = trained.get(i).asDouble();
            }
        }
        return new SchedulerConfig(
                node.path("_class_name").asText(null),
                intOr(node, "num_train_timesteps", d.numTrainTimesteps),
                doubleOr(node, "beta_start", d.betaStart),
                doubleOr(node, "beta_end", d.betaEnd),
                textOr(node, "beta_schedule", d.betaSchedule),
                trainedBetas,
                node.hasNonNull("prediction_type") ? PredictionType.byConfigName(node.get("prediction_type").asText())
                        : d.predictionType,
                textOr(node, "timestep_spacing", d.timestepSpacing),
                intOr(node, "steps_offset", d.stepsOffset),
                node.hasNonNull("set_alpha_to_one") ? node.get("set_alpha_to_one").asBoolean() : d.setAlphaToOne,
                node.hasNonNull("clip_sample") ? node.get("clip_sample").asBoolean() : d.clipSample,
                doubleOr(node, "clip_sample_range", d.clipSampleRange),
                textOr(node, "final_sigmas_type", d.finalSigmasType),
                intOr(node, "original_inference_steps", d.originalInferenceSteps),
                doubleOr(node, "timestep_scaling", d.timestepScaling));
    }

    /** A copy with another prediction type. */
    public SchedulerConfig withPredictionType(PredictionType type) {
        return new SchedulerConfig(className, numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, type,
                timestepSpacing, stepsOffset, setAlphaToOne, clipSample, clipSampleRange, finalSigmasType,
                originalInferenceSteps, timestepScaling);
    }

    /** A copy with another {@code timestep_spacing}. */
    public SchedulerConfig withTimestepSpacing(String spacing) {
        return new SchedulerConfig(className, numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                predictionType, spacing, stepsOffset, setAlphaToOne, clipSample, clipSampleRange, finalSigmasType,
                originalInferenceSteps, timestepScaling);
    }

    @Override
    public double[] trainedBetas() {
        return trainedBetas == null ? null : trainedBetas.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchedulerConfig c && Objects.equals(className, c.className)
                && numTrainTimesteps == c.numTrainTimesteps && Double.compare(betaStart, c.betaStart) == 0
                && Double.compare(betaEnd, c.betaEnd) == 0 && betaSchedule.equals(c.betaSchedule)
                && Arrays.equals(trainedBetas, c.trainedBetas) && predictionType == c.predictionType
                && timestepSpacing.equals(c.timestepSpacing) && stepsOffset == c.stepsOffset
                && setAlphaToOne == c.setAlphaToOne && clipSample == c.clipSample
                && Double.compare(clipSampleRange, c.clipSampleRange) == 0 && finalSigmasType.equals(c.finalSigmasType)
                && originalInferenceSteps == c.originalInferenceSteps
                && Double.compare(timestepScaling, c.timestepScaling) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(className, numTrainTimesteps, betaStart, betaEnd, betaSchedule,
                Arrays.hashCode(trainedBetas), predictionType, timestepSpacing, stepsOffset, setAlphaToOne, clipSample,
                clipSampleRange, finalSigmasType, originalInferenceSteps, timestepScaling);
    }

    @Override
    public String toString() {
        return "SchedulerConfig[" + (className == null ? "" : className + ", ") + numTrainTimesteps + " steps, "
                + betaSchedule + " " + betaStart + ".." + betaEnd + (trainedBetas != null ? " (trained betas)" : "")
                + ", " + predictionType.configName() + ", " + timestepSpacing + " offset " + stepsOffset + "]";
    }

    private static String oneOf(String key, String value, Set<String> allowed) {
        String v = value == null ? null : value.trim().toLowerCase(Locale.ROOT);
        if (v == null || !allowed.contains(v)) {
            throw new IllegalArgumentException("unsupported " + key + " '" + value + "': expected one of "
                    + allowed.stream().sorted().toList());
        }
        return v;
    }

    private static int intOr(JsonNode node, String key, int fallback) {
        return node.hasNonNull(key) ? node.get(key).asInt() : fallback;
    }

    private static double doubleOr(JsonNode node, String key, double fallback) {
        return node.hasNonNull(key) ? node.get(key).asDouble() : fallback;
    }

    private static String textOr(JsonNode node, String key, String fallback) {
        return node.hasNonNull(key) ? node.get(key).asText() : fallback;
    }
}
