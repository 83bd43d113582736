package io.seedgrid.jobs.render;

import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.onnx.ModelHash;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.Guidance;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.pipeline.SdxlModel;
import io.seedgrid.udf.pipeline.SdxlPipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Renders one {@link RenderSpec} to a PNG, written atomically (a failed render leaves no file). */
public final class Renderer {

    private Renderer() {
    }

    /** What a render produced. */
    public record Result(boolean ok, Path out, GeneratedImage image, String device) {
        /** One line for the console. */
        public String summary() {
            if (!ok) {
                return "not written: seed " + Seeds.format(image.seed()) + " gave " + image.status().label() + " (" + image.message() + ")";
            }
            return String.format(Locale.ROOT, "wrote %s (seed %s, %d tokens%s, %s, %.0f ms: text %.0f, unet %.0f, vae %.0f)",
                    out, Seeds.format(image.seed()), image.promptTokens(), image.truncated() ? ", prompt truncated to 75 tokens" : "",
                    device, image.timings().totalMs(), image.timings().textMs(), image.timings().unetMs(), image.timings().vaeMs());
        }
    }

    public static Result render(RenderSpec spec) throws Exception {
        ModelDirectory directory = ModelDirectory.open(spec.model(), spec.base());
        SessionSettings settings = SessionSettings.forDevice(spec.device(), 0);
        SdxlModel model = SdxlModel.load(directory, settings);
        int width = spec.width() != null ? spec.width() : model.defaultImageSize();
        int height = spec.height() != null ? spec.height() : model.defaultImageSize();
        SamplingPlan plan = SamplingPlan.single(model, spec.sampler(), spec.schedule(), Guidance.cfg(spec.cfg(), spec.negative()));
        GenerationRequest request = new GenerationRequest(spec.prompt(), width, height, plan, spec.longPrompt());
        GeneratedImage image = SdxlPipeline.generate(request, new long[] {spec.seed()}, PipelineObserver.NONE).get(0);
        if (image.status() != ImageStatus.OK) {
            return new Result(false, spec.out(), image, settings.device().note());
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put(directory.root().getFileName().toString(), ModelHash.sha256(directory.unet()));
        PngMetadata.ImageSettings settingsUsed = new PngMetadata.ImageSettings(spec.prompt(), spec.negative(), spec.seed(),
                spec.schedule().steps(), spec.sampler().name(), spec.schedule().isExplicit() ? "explicit" : spec.schedule().scheduler(),
                spec.cfg(), width, height);
        byte[] png = PngEncoder.encode(image.image(), PngMetadata.chunks(settingsUsed, hashes, null, null));
        writeAtomically(spec.out(), png);
        return new Result(true, spec.out(), image, settings.device().note());
    }

    private static void writeAtomically(Path out, byte[] bytes) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".seedgrid-render", ".png.tmp");
        try {
            Files.write(temp, bytes);
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
