package io.seedgrid.jobs.inspect;

import ai.onnxruntime.OnnxJavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.udf.blend.OnnxFiles;
import io.seedgrid.udf.onnx.ModelHash;
import io.seedgrid.udf.onnx.ModelSignatureException;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.onnx.OnnxSignature;
import io.seedgrid.udf.onnx.SessionCache;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.onnx.TensorSpec;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.SdxlSignature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code seedgrid inspect model} prints: each sub-model's signature, sizes and hash, and the SDXL fit: the
 * graphs fit seedgrid's SDXL signature and the configs hold what diffusers and Optimum read ({@link DiffusersConfigs}).
 */
public final class ModelReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode json;
    private final String problem;

    private ModelReport(ObjectNode json, String problem) {
        this.json = json;
        this.problem = problem;
    }

    /**
     * Loads every sub-model of {@code dir} on the CPU (sessions only; nothing runs), after checking that each
     * file is a whole ONNX model ({@link OnnxFiles}: a truncated, empty or foreign file is refused naming it).
     */
    public static ModelReport of(Path dir, Path base) {
        ModelDirectory directory = ModelDirectory.open(dir, base);
        ObjectNode root = JSON.createObjectNode();
        root.put("directory", directory.root().toString());
        if (directory.borrowsBase()) {
            root.put("base", directory.baseRoot().toString());
        }
        Map<String, Path> parts = new LinkedHashMap<>();
        parts.put("text_encoder", directory.textEncoder());
        parts.put("text_encoder_2", directory.textEncoder2());
        parts.put("unet", directory.unet());
        parts.put("vae_decoder", directory.vaeDecoder());
        parts.values().forEach(OnnxFiles::read);
        Map<String, OnnxSignature> models = new LinkedHashMap<>();
        ObjectNode components = root.putObject("components");
        for (Map.Entry<String, Path> part : parts.entrySet()) {
            OnnxModel model = SessionCache.get(part.getValue(), SessionSettings.cpu());
            models.put(part.getKey(), model.signature());
            ObjectNode node = components.putObject(part.getKey());
            node.put("path", part.getValue().toString());
            node.put("bytes", bytes(part.getValue().getParent()));
            node.put("sha256", ModelHash.sha256(part.getValue()));
            specs(node.putArray("inputs"), model.inputs());
            specs(node.putArray("outputs"), model.outputs());
        }
        directory.schedulerConfig().ifPresent(p -> root.put("scheduler_config", p.toString()));
        String problem = null;
        try {
            SdxlSignature signature = SdxlSignature.check(models.get("text_encoder"), models.get("text_encoder_2"),
                    models.get("unet"), models.get("vae_decoder"));
            ObjectNode fit = root.putObject("signature");
            fit.put("fits", true);
            fit.put("text_encoder_layer", signature.layer1());
            fit.put("text_encoder_2_layer", signature.layer2());
            fit.put("token_width", signature.width1() + signature.width2());
            fit.put("pooled_width", signature.pooledWidth());
            fit.put("latent_channels", signature.latentChannels());
            boolean halfVae = models.get("vae_decoder").inputs().values().iterator().next().type() == OnnxJavaType.FLOAT16;
            List<String> configs = DiffusersConfigs.problems(directory, signature.latentChannels(), signature.pooledWidth(),
                    halfVae);
            ObjectNode loads = root.putObject("diffusers_configs");
            loads.put("complete", configs.isEmpty());
            if (directory.borrowsBase()) {
                loads.put("note", "a UNet-only folder loads in diffusers and Optimum once `seedgrid assemble` completes it");
            }
            configs.forEach(loads.putArray("problems")::add);
            if (!configs.isEmpty()) {
                fit.put("fits", false);
                problem = "the folder fits seedgrid's SDXL signature, but diffusers and Optimum cannot load it: "
                        + String.join("; ", configs);
                fit.put("problem", problem);
            }
        } catch (ModelSignatureException e) {
            problem = e.getMessage();
            ObjectNode fit = root.putObject("signature");
            fit.put("fits", false);
            fit.put("problem", problem);
        }
        return new ModelReport(root, problem);
    }

    private static void specs(ArrayNode array, Map<String, TensorSpec> specs) {
        for (TensorSpec spec : specs.values()) {
            ObjectNode node = array.addObject();
            node.put("name", spec.name());
            node.put("dtype", spec.type().name().toLowerCase(java.util.Locale.ROOT));
            ArrayNode shape = node.putArray("shape");
            for (long d : spec.shape()) {
                shape.add(d);
            }
        }
    }

    /** Bytes of the sub-model's ONNX graph and weights (its folder, configs and caches excluded). */
    private static long bytes(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().endsWith(".json"))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    public boolean fits() {
        return problem == null;
    }

    public String problem() {
        return problem;
    }

    public String json() {
        try {
            return JSON.writeValueAsString(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
