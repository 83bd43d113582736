package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.render.PngMetadata;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.pipeline.ModelCalls;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.pipeline.SdxlPipeline;
import io.seedgrid.udf.recipe.RecipeCompiler;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The run's renderer: the recipe compiled against the executor's models, the SDXL pipeline, PNG encoding. In a
 * part's loop its steps are: start (models and recipe, on the task's thread), prepare (the prompts' encodings and
 * the initial latents), render (UNet and VAE: the device; decoded images convert to 8-bit on a helper thread
 * meanwhile) and finish (PNG encoding, the unit's images in parallel). The images are the same whichever threads
 * ran the steps.
 */
public final class SdxlRenderer implements CellRenderer {

    private static final long serialVersionUID = 1L;

    private final int threadsOutsideTasks;
    private final ModelCalls calls;
    private final PngEncoder.Compression png;

    /** ONNX Runtime on the CPU gets {@code spark.task.cpus} threads in a task, all cores outside one. */
    public SdxlRenderer() {
        this(0);
    }

    /** @param threadsOutsideTasks CPU intra-op threads when not in a Spark task (0 = all cores) */
    public SdxlRenderer(int threadsOutsideTasks) {
        this(threadsOutsideTasks, ModelCalls.ONNX, PngEncoder.Compression.DEFAULT);
    }

    /**
     * @param calls where the sub-model calls go: ONNX Runtime, or a benchmark's stand-in for a GPU (which runs in
     *              its own JVM: only {@link ModelCalls#ONNX} survives serialization to executors)
     * @param png   how PNGs are compressed (benchmarks compare settings; runs use the default)
     */
    public SdxlRenderer(int threadsOutsideTasks, ModelCalls calls, PngEncoder.Compression png) {
        this.threadsOutsideTasks = threadsOutsideTasks;
        this.calls = calls;
        this.png = png;
    }

    @Override
    public List<Rendered> render(WorkUnit unit, RunContext run) throws Exception {
        try (OnDevice device = start(unit, run, Helpers.CALLER).prepare(); Behind behind = device.render()) {
            return behind.finish();
        }
    }

    @Override
    public Ahead start(WorkUnit unit, RunContext run, Helpers helpers) {
        RecipeSpec recipe = RecipeSpec.fromJson(unit.recipeJson());
        ExecutorModels models = new ExecutorModels(run.models(), run.blendCache(), threadsOutsideTasks);
        SamplingPlan plan = RecipeCompiler.compile(recipe, unit.negativePrompt(), models);
        GenerationRequest request = new GenerationRequest(unit.prompt(), run.width(), run.height(), plan,
                LongPromptMode.parse(run.longPrompt()));
        String device = models.deviceNote();
        Map<String, String> hashes = run.modelHashes(recipe);
        return () -> {
            SdxlPipeline.Batch batch = SdxlPipeline.prepare(request, unit.seeds(), calls);
            return new OnDevice() {
                private boolean rendered;

                @Override
                public Behind render() throws Exception {
                    SdxlPipeline.Decoding decoding;
                    try {
                        decoding = batch.render(PipelineObserver.NONE, helpers.convert());
                    } catch (Exception | Error e) {
                        batch.close();
                        throw e;
                    }
                    rendered = true;
                    return new Behind() {
                        @Override
                        public List<Rendered> finish() {
                            return encode(unit, run, recipe, hashes, device, decoding.images(), helpers, png);
                        }

                        @Override
                        public void close() {
                            batch.close();
                        }
                    };
                }

                @Override
                public void close() {
                    if (!rendered) {
                        batch.close();
                    }
                }
            };
        };
    }

    /** The unit's cells: each ok image PNG-encoded on {@code helpers.encode()}, in seed order. */
    private static List<Rendered> encode(WorkUnit unit, RunContext run, RecipeSpec recipe, Map<String, String> hashes,
                                         String device, List<GeneratedImage> images, Helpers helpers,
                                         PngEncoder.Compression png) {
        List<CompletableFuture<byte[]>> pngs = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            GeneratedImage image = images.get(i);
            long seed = unit.seeds()[i];
            pngs.add(image.status() != ImageStatus.OK ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> PngEncoder.encode(image.image(), PngMetadata.forRecipe(
                            unit.prompt(), unit.negativePrompt(), seed, recipe, run.width(), run.height(), hashes), png),
                    helpers.encode()));
        }
        List<Rendered> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            GeneratedImage image = images.get(i);
            out.add(new Rendered(image.status(), image.message(), join(pngs.get(i)), device, image.promptTokens(),
                    image.truncated(), image.timings()));
        }
        return out;
    }

    private static byte[] join(CompletableFuture<byte[]> png) {
        try {
            return png.join();
        } catch (CompletionException e) {
            throw Failures.unchecked(e.getCause());   // PNG encoding throws only unchecked exceptions
        }
    }
}
