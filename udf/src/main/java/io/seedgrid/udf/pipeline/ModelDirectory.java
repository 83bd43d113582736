package io.seedgrid.udf.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An SDXL model in the layout Hugging Face Optimum writes ({@code optimum-cli export onnx}):
 * {@code text_encoder/}, {@code text_encoder_2/}, {@code unet/}, {@code vae_decoder/} (each a
 * {@code model.onnx}, maybe with {@code model.onnx_data}), {@code tokenizer/}, {@code tokenizer_2/},
 * {@code scheduler/scheduler_config.json}. A distilled model (DMD2) may hold only {@code unet/} and
 * borrow everything else from a base: named by the caller, or by {@value #BASE_FILE} in the directory
 * ({@code {"base": "../sdxl-base"}}, relative to the directory).
 *
 * @param root      the directory the user named
 * @param unetRoot  where {@code unet/} lives (= root)
 * @param baseRoot  where every other component lives (= root, or the borrowed base)
 */
public record ModelDirectory(Path root, Path unetRoot, Path baseRoot) {

    /** The file naming a UNet-only directory's base. */
    public static final String BASE_FILE = "seedgrid-export.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Opens {@code dir}; a UNet-only directory must name its base in {@value #BASE_FILE}. */
    public static ModelDirectory open(Path dir) {
        return open(dir, null);
    }

    /**
     * Opens {@code dir}, borrowing the components it lacks from {@code base} (or, when {@code base} is
     * null, from the base its {@value #BASE_FILE} names). Checks that every file exists.
     */
    public static ModelDirectory open(Path dir, Path base) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(Files.exists(dir) ? dir + " is a file, not a model directory"
                    : "no such file or directory: " + dir);
        }
        Path root = dir.toAbsolutePath().normalize();
        boolean complete = Files.isDirectory(root.resolve("text_encoder"));
        Path baseRoot;
        if (base != null) {
            baseRoot = base.toAbsolutePath().normalize();
        } else if (complete) {
            baseRoot = root;
        } else {
            baseRoot = declaredBase(root).orElseThrow(() -> new IllegalArgumentException(
                    "model directory " + dir + " has no text_encoder/: if it holds only a UNet (DMD2), name its base"
                            + " with --base DIR or a " + BASE_FILE + " file {\"base\": \"../base\"}"));
        }
        ModelDirectory model = new ModelDirectory(root, root, baseRoot);
        model.checkFiles();
        return model;
    }

    private static Optional<Path> declaredBase(Path root) {
        Path file = root.resolve(BASE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode base = JSON.readTree(file.toFile()).get("base");
            if (base == null || !base.isTextual()) {
                throw new IllegalArgumentException(file + " must hold {\"base\": \"<directory>\"}");
            }
            return Optional.of(root.resolve(base.asText()).normalize());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void checkFiles() {
        if (!Files.isDirectory(baseRoot)) {
            throw new IllegalArgumentException("base model directory: " + (Files.exists(baseRoot)
                    ? baseRoot + " is a file, not a model directory" : "no such file or directory: " + baseRoot));
        }
        List<String> missing = new ArrayList<>();
        for (Path p : List.of(textEncoder(), textEncoder2(), unet(), vaeDecoder())) {
            if (!Files.isRegularFile(p)) {
                missing.add(p.toString());
            }
        }
        for (Path p : List.of(tokenizer(), tokenizer2())) {
            if (!Files.isDirectory(p)) {
                missing.add(p + "/");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("model directory " + root + " is incomplete, missing: " + String.join(", ", missing));
        }
    }

    public Path textEncoder() {
        return baseRoot.resolve("text_encoder/model.onnx");
    }

    public Path textEncoder2() {
        return baseRoot.resolve("text_encoder_2/model.onnx");
    }

    public Path unet() {
        return unetRoot.resolve("unet/model.onnx");
    }

    public Path vaeDecoder() {
        return baseRoot.resolve("vae_decoder/model.onnx");
    }

    public Path tokenizer() {
        return baseRoot.resolve("tokenizer");
    }

    public Path tokenizer2() {
        return baseRoot.resolve("tokenizer_2");
    }

    /** The scheduler config: the UNet directory's own when it has one (a distilled model may), else the base's. */
    public Optional<Path> schedulerConfig() {
        for (Path dir : List.of(unetRoot, baseRoot)) {
            Path file = dir.resolve("scheduler/scheduler_config.json");
            if (Files.isRegularFile(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** {@code vae_decoder/config.json}, which carries the latent {@code scaling_factor}, when present. */
    public Optional<Path> vaeConfig() {
        Path file = baseRoot.resolve("vae_decoder/config.json");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** True when the UNet comes from this directory and the rest from another. */
    public boolean borrowsBase() {
        return !unetRoot.equals(baseRoot);
    }
}
