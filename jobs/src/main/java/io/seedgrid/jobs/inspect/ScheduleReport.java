package io.seedgrid.jobs.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.sampler.NoiseSchedule;
import io.seedgrid.udf.sampler.Sampler;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.ScheduleSpec;
import io.seedgrid.udf.sampler.SchedulerConfig;
import io.seedgrid.udf.sampler.Timeline;

import java.nio.file.Path;

/**
 * What {@code seedgrid inspect schedule} prints: a sampler's timesteps, its sigmas (one per step plus
 * the final one) and {@code init_noise_sigma}, as diffusers' {@code set_timesteps} computes them for the
 * model's scheduler config (SDXL's when no model is named).
 */
public final class ScheduleReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScheduleReport() {
    }

    public static String json(String samplerName, String scheduler, int steps, double[] timesteps, double denoise, Path model) {
        Sampler sampler = Samplers.byName(samplerName);
        ScheduleSpec spec = timesteps != null ? ScheduleSpec.explicit(timesteps) : ScheduleSpec.of(steps, scheduler, denoise);
        SchedulerConfig config = model == null ? SchedulerConfig.sdxl()
                : ModelDirectory.open(model).schedulerConfig().map(SchedulerConfig::read).orElseGet(SchedulerConfig::sdxl);
        Timeline timeline = sampler.timeline(NoiseSchedule.of(config), spec);
        ObjectNode root = JSON.createObjectNode();
        root.put("sampler", sampler.name());
        root.put("scheduler", spec.isExplicit() ? "explicit" : spec.scheduler());
        ArrayNode ts = root.putArray("timesteps");
        for (double t : timeline.timesteps()) {
            if (t == Math.rint(t)) {
                ts.add((long) t);
            } else {
                ts.add(t);
            }
        }
        ArrayNode sigmas = root.putArray("sigmas");
        for (double s : timeline.sigmas()) {
            sigmas.add(s);
        }
        root.put("init_noise_sigma", sampler.initNoiseSigma(timeline, 0));
        return root.toString();
    }
}
