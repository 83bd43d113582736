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

    /** Totals over the timed batches, in wall time and in CPU time of the thread that ran them. */
    public record Result(int batch, int steps, int repeats, int threads, double totalMs, double onnxMs, double cpuMs,
                         double onnxCpuMs) {
        public double outsideShare() {
            return (totalMs - onnxMs) / totalMs;
        }

        public double outsideCpuShare() {
            return (cpuMs - onnxCpuMs) / cpuMs;
        }

        public String report() {
            return String.format(Locale.ROOT,
                    "pipeline bench: batch %d, %d steps, %d timed batches, %s%n"
                            + "                      wall time               CPU time of the pipeline's thread%n"
                            + "  total            %10.1f ms (%.1f/batch)  %10.1f ms%n"
                            + "  inside run()     %10.1f ms               %10.1f ms%n"
                            + "  outside run()    %10.1f ms = %5.2f%%      %10.1f ms = %5.2f%%",
                    batch, steps, repeats, threads == 1 ? "1 ONNX Runtime thread (all its work on the pipeline's thread)"
                            : threads == 0 ? "ONNX Runtime threads: all cores" : threads + " ONNX Runtime threads",
                    totalMs, totalMs / repeats, cpuMs, onnxMs, onnxCpuMs, totalMs - onnxMs, 100 * outsideShare(),
                    cpuMs - onnxCpuMs, 100 * outsideCpuShare());
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
        // Warm-up: sessions, ONNX Runtime's allocator, and enough batches for the JIT to compile the hot loops.
        for (int w = 0; w < Math.max(10, repeats / 4); w++) {
            SdxlPipeline.generate(request, seeds, PipelineObserver.NONE);
        }
        double total = 0;
        double onnx = 0;
        double cpu = 0;
        double onnxCpu = 0;
        for (int r = 0; r < repeats; r++) {
            List<GeneratedImage> images = SdxlPipeline.generate(request, seeds, PipelineObserver.NONE);
            for (GeneratedImage image : images) {
                total += image.timings().totalMs();
                onnx += image.timings().onnxMs();
                cpu += image.timings().cpuMs();
                onnxCpu += image.timings().onnxCpuMs();
            }
        }
        return new Result(batch, steps, repeats, threads, total, onnx, cpu, onnxCpu);
    }
}
