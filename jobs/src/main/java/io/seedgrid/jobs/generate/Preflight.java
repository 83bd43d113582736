package io.seedgrid.jobs.generate;

import ai.onnxruntime.OnnxJavaType;
import io.seedgrid.jobs.config.ModelConfig;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.blend.OnnxBlend;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.SdxlFiles;
import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.PhaseSpec;
import io.seedgrid.udf.recipe.RecipeSpec;
import io.seedgrid.udf.sampler.Samplers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything checked before any Spark work, so that bad input fails in seconds with one clear message
 * and writes nothing. The driver never holds a model: every model directory is complete, each of its
 * ONNX files is a whole model whose declared signature (read from the file's protobuf, no ONNX Runtime
 * session, no weights) fits SDXL ({@link SdxlFiles}), declared precisions match the UNet exports, blended
 * UNets are one network, and every recipe's timeline builds on its model's scheduler config. Only when
 * all of that holds are the models hashed, so a refused run leaves no hash cache behind.
 */
public final class Preflight {

    private Preflight() {
    }

    /** The identities of the config's models; throws IllegalArgumentException naming the first problem. */
    public static Map<String, ModelIdentity> check(RunConfig config) {
        Map<String, SdxlFiles> files = new LinkedHashMap<>();
        for (ModelConfig model : config.models().values()) {
            SdxlFiles checked;
            try {
                checked = SdxlFiles.check(ModelDirectory.open(Path.of(model.path()),
                        model.base() == null ? null : Path.of(model.base())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model '" + model.name() + "' (" + model.path() + "): " + e.getMessage(), e);
            }
            if (model.precision() != null) {
                OnnxJavaType type = checked.unet().input("sample").type();
                String actual = type == OnnxJavaType.FLOAT16 ? "fp16" : type == OnnxJavaType.FLOAT ? "fp32" : type.name();
                if (!actual.equals(model.precision())) {
                    throw new IllegalArgumentException("model '" + model.name() + "' is declared " + model.precision()
                            + " but its UNet takes " + actual + " latents");
                }
            }
            files.put(model.name(), checked);
        }
        Set<List<String>> blendsChecked = new HashSet<>();
        for (RecipeSpec recipe : config.recipes()) {
            for (PhaseSpec phase : recipe.phases()) {
                try {
                    // Builds the phase's timeline on its model's schedule, as each task will.
                    Samplers.byName(phase.sampler(), phase.eta()).timeline(files.get(phase.model().base()).noiseSchedule(),
                            recipe.timeline());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("recipe '" + recipe.name() + "': " + e.getMessage(), e);
                }
                // a pair of UNets is one network or not whatever the α: each pair is read once (a tune blends many α)
                if (phase.model() instanceof ModelRef.Blend blend && blendsChecked.add(List.of(blend.a(), blend.b()))) {
                    checkBlend(recipe, blend, files);
                }
            }
        }
        Map<String, ModelIdentity> models = new LinkedHashMap<>();
        for (ModelConfig model : config.models().values()) {
            models.put(model.name(), ModelIdentity.of(model));
        }
        return models;
    }

    /** The two UNets of a blend must be one network (same graph, same initializer names and shapes). */
    private static void checkBlend(RecipeSpec recipe, ModelRef.Blend blend, Map<String, SdxlFiles> files) {
        if (blend.a().equals(blend.b())) {
            throw new IllegalArgumentException("recipe '" + recipe.name() + "' blends model '" + blend.a() + "' with itself");
        }
        try {
            OnnxBlend.check(files.get(blend.a()).directory().unet(), files.get(blend.b()).directory().unet());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("recipe '" + recipe.name() + "' cannot blend the UNets of '" + blend.a()
                    + "' and '" + blend.b() + "': " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the UNets of recipe '" + recipe.name() + "'", e);
        }
    }
}
