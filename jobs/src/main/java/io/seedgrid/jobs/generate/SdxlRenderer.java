package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.render.PngMetadata;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.pipeline.SdxlPipeline;
import io.seedgrid.udf.recipe.RecipeCompiler;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The run's renderer: the recipe compiled against the executor's models, the SDXL pipeline, PNG encoding. */
public final class SdxlRenderer implements CellRenderer {

    private static final long serialVersionUID = 1L;

    private final int threadsOutsideTasks;

    /** ONNX Runtime on the CPU gets {@code spark.task.cpus} threads in a task, all cores outside one. */
    public SdxlRenderer() {
        this(0);
    }

    /** @param threadsOutsideTasks CPU intra-op threads when not in a Spark task (0 = all cores) */
    public SdxlRenderer(int threadsOutsideTasks) {
        this.threadsOutsideTasks = threadsOutsideTasks;
    }

    @Override
    public List<Rendered> render(WorkUnit unit, RunContext run) throws ai.onnxruntime.OrtException {
        RecipeSpec recipe = RecipeSpec.fromJson(unit.recipeJson());
        ExecutorModels models = new ExecutorModels(run.models(), run.blendCache(), threadsOutsideTasks);
        SamplingPlan plan = RecipeCompiler.compile(recipe, unit.negativePrompt(), models);
        GenerationRequest request = new GenerationRequest(unit.prompt(), run.width(), run.height(), plan,
                LongPromptMode.parse(run.longPrompt()));
        List<GeneratedImage> images = SdxlPipeline.generate(request, unit.seeds(), PipelineObserver.NONE);
        Map<String, String> hashes = run.modelHashes(recipe);
        List<Rendered> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            GeneratedImage image = images.get(i);
            byte[] png = image.status() != ImageStatus.OK ? null : PngEncoder.encode(image.image(),
                    PngMetadata.forRecipe(unit.prompt(), unit.negativePrompt(), unit.seeds()[i], recipe, run.width(),
                            run.height(), hashes));
            out.add(new Rendered(image.status(), image.message(), png, models.deviceNote(), image.promptTokens(),
                    image.truncated(), image.timings()));
        }
        return out;
    }
}
