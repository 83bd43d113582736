package io.seedgrid.jobs.generate;

import ai.onnxruntime.OnnxJavaType;
import io.seedgrid.jobs.config.ModelConfig;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.pipeline.SdxlModel;
import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.PhaseSpec;
import io.seedgrid.udf.recipe.RecipeSpec;
import io.seedgrid.udf.sampler.Samplers;

import io.seedgrid.udf.blend.OnnxBlend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything checked before any Spark work, so that bad input fails in seconds with one clear message
 * and writes nothing: every model directory is complete and fits the SDXL signature (sessions load on
 * the CPU here, which in local mode the executors then reuse), declared precisions match the exports,
 * blended models share their latent layout, and every recipe compiles.
 */
public final class Preflight {

    private Preflight() {
    }

    /** The identities of the config's models; throws IllegalArgumentException naming the first problem. */
    public static Map<String, ModelIdentity> check(RunConfig config) {
        Map<String, ModelIdentity> models = new LinkedHashMap<>();
        Map<String, SdxlModel> loaded = new LinkedHashMap<>();
        for (ModelConfig model : config.models().values()) {
            ModelIdentity identity = ModelIdentity.of(model);
            SdxlModel loadedModel;
            try {
                loadedModel = SdxlModel.load(identity.directory(), SessionSettings.cpu(1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model '" + model.name() + "' (" + model.path() + "): " + e.getMessage(), e);
            }
            if (model.precision() != null) {
                OnnxJavaType type = loadedModel.unetLatentType();
                String actual = type == OnnxJavaType.FLOAT16 ? "fp16" : type == OnnxJavaType.FLOAT ? "fp32" : type.name();
                if (!actual.equals(model.precision())) {
                    throw new IllegalArgumentException("model '" + model.name() + "' is declared " + model.precision()
                            + " but its UNet takes " + actual + " latents");
                }
            }
            models.put(model.name(), identity);
            loaded.put(model.name(), loadedModel);
        }
        for (RecipeSpec recipe : config.recipes()) {
            for (PhaseSpec phase : recipe.phases()) {
                try {
                    // Builds the phase's timeline on its model's schedule, as each task will.
                    Samplers.byName(phase.sampler(), phase.eta()).timeline(loaded.get(phase.model().base()).noiseSchedule(),
                            recipe.timeline());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("recipe '" + recipe.name() + "': " + e.getMessage(), e);
                }
                if (phase.model() instanceof ModelRef.Blend blend) {
                    checkBlend(recipe, blend, models);
                }
            }
        }
        return models;
    }

    /** The two UNets of a blend must be one network (same graph, same initializer names and shapes). */
    private static void checkBlend(RecipeSpec recipe, ModelRef.Blend blend, Map<String, ModelIdentity> models) {
        if (blend.a().equals(blend.b())) {
            throw new IllegalArgumentException("recipe '" + recipe.name() + "' blends model '" + blend.a() + "' with itself");
        }
        try {
            OnnxBlend.check(models.get(blend.a()).directory().unet(), models.get(blend.b()).directory().unet());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("recipe '" + recipe.name() + "' cannot blend the UNets of '" + blend.a()
                    + "' and '" + blend.b() + "': " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the UNets of recipe '" + recipe.name() + "'", e);
        }
    }
}
