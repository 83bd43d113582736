package io.seedgrid.jobs.render;

import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.sampler.Sampler;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.ScheduleSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A validated {@code seedgrid render} request: everything is checked before any model loads, so that
 * bad input costs nothing and writes nothing.
 */
public record RenderSpec(Path model, Path base, String prompt, String negative, long seed, ScheduleSpec schedule,
                         double cfg, Sampler sampler, Integer width, Integer height, LongPromptMode longPrompt,
                         String device, Path out) {

    /** Parses and checks the command line's values; throws IllegalArgumentException naming the first problem. */
    public static RenderSpec parse(Path model, Path base, String prompt, String negative, String seed, int steps, double cfg,
                                   String sampler, String scheduler, double[] timesteps, Integer width, Integer height,
                                   String longPrompt, String device, Path out) {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("--prompt is empty");
        }
        checkSize("--width", width);
        checkSize("--height", height);
        if (!Double.isFinite(cfg) || cfg < 0) {
            throw new IllegalArgumentException("--cfg must be a non-negative number, got " + cfg);
        }
        Sampler resolved = Samplers.byName(sampler);
        ScheduleSpec schedule = timesteps != null ? ScheduleSpec.explicit(timesteps) : ScheduleSpec.of(steps, scheduler);
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model: model directory not found: " + model);
        }
        if (base != null && !Files.isDirectory(base)) {
            throw new IllegalArgumentException("--base: model directory not found: " + base);
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("--out: folder " + parent + " does not exist");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out: " + out + " is a folder; name a .png file");
        }
        return new RenderSpec(model, base, prompt, negative == null ? "" : negative, Seeds.parse(seed), schedule, cfg,
                resolved, width, height, LongPromptMode.parse(longPrompt), device, out);
    }

    private static void checkSize(String option, Integer value) {
        if (value != null && (value <= 0 || value % 8 != 0)) {
            throw new IllegalArgumentException(option + " must be a positive multiple of 8, got " + value);
        }
    }
}
