package io.seedgrid.jobs.render;

import io.seedgrid.jobs.LocalFiles;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.udf.blend.BlendCache;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.pipeline.SdxlFiles;
import io.seedgrid.udf.pipeline.SdxlModel;
import io.seedgrid.udf.pipeline.SdxlPipeline;
import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.ModelResolver;
import io.seedgrid.udf.recipe.RecipeCompiler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Renders one {@link RenderSpec} to a PNG, written atomically (a failed render leaves no file) with the
 * permissions the umask gives. The model files are checked first ({@link SdxlFiles}), so a broken file is
 * refused naming it before ONNX Runtime reads it.
 */
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
        Map<String, ModelDirectory> directories = new LinkedHashMap<>();
        directories.put(RenderSpec.MODEL, ModelDirectory.open(spec.model(), spec.base()));
        if (spec.student() != null) {
            boolean complete = Files.isDirectory(spec.student().resolve("text_encoder"));
            directories.put(RenderSpec.STUDENT, ModelDirectory.open(spec.student(), complete ? null : spec.model()));
        }
        for (Map.Entry<String, ModelDirectory> dir : directories.entrySet()) {
            SdxlFiles files = SdxlFiles.check(dir.getValue());
            if (dir.getKey().equals(RenderSpec.MODEL)) {
                spec.checkImageSize(files.defaultImageSize());
            }
        }
        SessionSettings settings = SessionSettings.forDevice(spec.device(), 0);
        ModelResolver models = ref -> resolve(ref, directories, settings);
        SdxlModel main = models.resolve(new ModelRef.Named(RenderSpec.MODEL));
        int width = spec.width() != null ? spec.width() : main.defaultImageSize();
        int height = spec.height() != null ? spec.height() : main.defaultImageSize();
        SamplingPlan plan = RecipeCompiler.compile(spec.recipe(), spec.negative(), models);
        GenerationRequest request = new GenerationRequest(spec.prompt(), width, height, plan, spec.longPrompt());
        GeneratedImage image = SdxlPipeline.generate(request, new long[] {spec.seed()}, PipelineObserver.NONE).get(0);
        if (image.status() != ImageStatus.OK) {
            return new Result(false, spec.out(), image, settings.device().note());
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String name : spec.recipe().modelNames()) {
            ModelDirectory dir = directories.get(name);
            hashes.put(dir.root().getFileName().toString(), ModelIdentity.contentHash(dir));  // as generate writes it
        }
        byte[] png = PngEncoder.encode(image.image(), PngMetadata.forRecipe(spec.prompt(), spec.negative(), spec.seed(),
                spec.recipe(), width, height, hashes));
        writeAtomically(spec.out(), png);
        return new Result(true, spec.out(), image, settings.device().note());
    }

    private static SdxlModel resolve(ModelRef ref, Map<String, ModelDirectory> directories, SessionSettings settings) {
        if (ref instanceof ModelRef.Blend blend) {
            ModelDirectory a = directories.get(blend.a());
            try {
                Path blended = new BlendCache(BlendCache.defaultRoot()).get(a.unet(), directories.get(blend.b()).unet(),
                        blend.alpha()).model();
                return SdxlModel.withUnet(a, blended, settings);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot blend the UNets", e);
            }
        }
        return SdxlModel.load(directories.get(ref.base()), settings);
    }

    private static void writeAtomically(Path out, byte[] bytes) throws IOException {
        Path temp = LocalFiles.temporaryBeside(out.toAbsolutePath());
        try {
            Files.write(temp, bytes);
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
