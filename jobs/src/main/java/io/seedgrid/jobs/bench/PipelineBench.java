package io.seedgrid.jobs.bench;

import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.Guidance;
import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.pipeline.SdxlModel;
import io.seedgrid.udf.pipeline.SdxlPipeline;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.ScheduleSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The pipeline benchmark: how much of a batch's wall time is spent inside ONNX Runtime's {@code run}
 * (text encoders, UNet, VAE) and how much outside it (seedgrid's own work: tokenizing, tensor
 * plumbing, guidance, sampler steps, NaN checks, post-processing). Both from the same runs.
 */
public final class PipelineBench {

    private PipelineBench() {
    }

    /** Totals over the timed batches. */
    public record Result(int batch, int steps, int repeats, double totalMs, double onnxMs) {
        public double outsideMs() {
            return totalMs - onnxMs;
        }

        public double outsideShare() {
            return outsideMs() / totalMs;
        }

        public String report() {
            return String.format(Locale.ROOT,
                    "pipeline bench: batch %d, %d steps, %d timed batches%n"
                            + "  total            %10.1f ms (%.1f ms per batch)%n"
                            + "  inside run()     %10.1f ms%n"
                            + "  outside run()    %10.1f ms = %.2f%% of the total",
                    batch, steps, repeats, totalMs, totalMs / repeats, onnxMs, outsideMs(), 100 * outsideShare());
        }
    }

    public static Result run(Path modelDir, int batch, int steps, double cfg, Integer size, int repeats, int threads)
            throws Exception {
        if (batch < 1 || repeats < 1) {
            throw new IllegalArgumentException("--batch and --repeats must be at least 1");
        }
        SdxlModel model = SdxlModel.load(ModelDirectory.open(modelDir), SessionSettings.cpu(threads));
        int side = size != null ? size : model.defaultImageSize();
        SamplingPlan plan = SamplingPlan.single(model, Samplers.byName("euler"), ScheduleSpec.of(steps, "normal"),
                Guidance.cfg(cfg, ""));
        GenerationRequest request = new GenerationRequest("a red circle on a blue background", side, side, plan,
                LongPromptMode.TRUNCATE);
        long[] seeds = new long[batch];
        for (int i = 0; i < batch; i++) {
            seeds[i] = i;
        }
        SdxlPipeline.generate(request, seeds, PipelineObserver.NONE); // warm-up: sessions, JIT, allocator
        double total = 0;
        double onnx = 0;
        for (int r = 0; r < repeats; r++) {
            List<GeneratedImage> images = SdxlPipeline.generate(request, seeds, PipelineObserver.NONE);
            for (GeneratedImage image : images) {
                total += image.timings().totalMs();
                onnx += image.timings().onnxMs();
            }
        }
        return new Result(batch, steps, repeats, total, onnx);
    }
}
