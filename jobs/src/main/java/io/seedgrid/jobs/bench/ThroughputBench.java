package io.seedgrid.jobs.bench;

import io.seedgrid.jobs.render.RenderSpec;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.onnx.GpuOptions;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.pipeline.SdxlModel;
import io.seedgrid.udf.pipeline.SdxlPipeline;
import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.ModelResolver;
import io.seedgrid.udf.recipe.RecipeCompiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Images per second of one recipe at one batch size on one device: {@code images} seeds (0, 1, ...) in
 * batches of {@code batch}, after one untimed batch (session loading, cuDNN's algorithm choice, TensorRT's
 * engine), each image written as {@code <seed>.png} (pixels only) so that another renderer's output can be
 * compared with it. What {@code tools/gpu-check} runs against ONNX Runtime's Python API with diffusers'
 * schedulers.
 *
 * @param images  images timed
 * @param batch   seeds per UNet call
 * @param seconds wall time of the timed batches (PNG writing excluded)
 * @param device  where the UNet ran, as the {@code device} column says it
 */
public record ThroughputBench(int images, int batch, double seconds, String device) {

    public double imagesPerSecond() {
        return images / seconds;
    }

    /** One JSON line, for scripts. */
    public String json() {
        return String.format(Locale.ROOT, "{\"renderer\": \"seedgrid\", \"images\": %d, \"batch\": %d, \"seconds\": %.4f,"
                + " \"images_per_second\": %.4f, \"device\": \"%s\"}", images, batch, seconds, imagesPerSecond(),
                device.replace("\\", "\\\\").replace("\"", "'"));
    }

    /** Renders {@code spec}'s recipe for seeds 0..images-1 and writes them into {@code outDir}. */
    public static ThroughputBench run(RenderSpec spec, GpuOptions gpu, int images, int batch, Path outDir) throws IOException {
        if (images < 1 || batch < 1) {
            throw new IllegalArgumentException("--images and --batch are at least 1");
        }
        SessionSettings settings = SessionSettings.forDevice(spec.device(), 0).withGpu(gpu);
        ModelDirectory main = ModelDirectory.open(spec.model(), spec.base());
        ModelDirectory student = spec.student() == null ? null : ModelDirectory.open(spec.student(),
                Files.isDirectory(spec.student().resolve("text_encoder")) ? null : spec.model());
        Map<String, ModelDirectory> dirs = student == null ? Map.of(RenderSpec.MODEL, main)
                : Map.of(RenderSpec.MODEL, main, RenderSpec.STUDENT, student);
        ModelResolver models = ref -> {
            if (ref instanceof ModelRef.Blend) {
                throw new IllegalArgumentException("bench throughput runs base, dmd2, hybrid, skip-first, cads and"
                        + " interval-cfg recipes");
            }
            return SdxlModel.load(dirs.get(ref.base()), settings);
        };
        SdxlModel first = models.resolve(new ModelRef.Named(RenderSpec.MODEL));
        int width = spec.width() != null ? spec.width() : first.defaultImageSize();
        int height = spec.height() != null ? spec.height() : first.defaultImageSize();
        SamplingPlan plan = RecipeCompiler.compile(spec.recipe(), spec.negative(), models);
        GenerationRequest request = new GenerationRequest(spec.prompt(), width, height, plan, spec.longPrompt());
        Files.createDirectories(outDir);
        try {
            SdxlPipeline.generate(request, seeds(0, Math.min(batch, images)), PipelineObserver.NONE); // warm-up
            long nanos = 0;
            for (int start = 0; start < images; start += batch) {
                long t = System.nanoTime();
                var batchImages = SdxlPipeline.generate(request, seeds(start, Math.min(batch, images - start)),
                        PipelineObserver.NONE);
                nanos += System.nanoTime() - t;
                for (GeneratedImage image : batchImages) {
                    if (image.status() != ImageStatus.OK) {
                        throw new IllegalStateException("seed " + image.seed() + " gave " + image.status().label()
                                + ": " + image.message());
                    }
                    Files.write(outDir.resolve(image.seed() + ".png"), PngEncoder.encode(image.image(), Map.of()));
                }
            }
            return new ThroughputBench(images, batch, nanos / 1e9, first.deviceNote());
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static long[] seeds(int start, int count) {
        long[] seeds = new long[count];
        Arrays.setAll(seeds, i -> start + i);
        return seeds;
    }
}
