package io.seedgrid.jobs.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.udf.pipeline.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The config keys that diffusers' StableDiffusionXLPipeline reads from an SDXL folder (diffusers 0.35
 * pipeline_stable_diffusion_xl.py; Optimum's ORTStableDiffusionXLPipeline runs that code on ONNX
 * sub-models), checked against the graphs seedgrid loaded. A folder without them renders in seedgrid
 * but not in Optimum: {@code vae_decoder/config.json} {@code block_out_channels} (the VAE scale factor
 * is 2^(len − 1)) and {@code scaling_factor}, {@code force_upcast} false for an fp16 decoder (diffusers
 * would cast it as a torch module, which an ONNX graph is not); {@code unet/config.json}
 * {@code sample_size}, {@code in_channels}, {@code addition_time_embed_dim} and {@code time_cond_proj_dim}
 * (Optimum warns when it is missing, null for SDXL); {@code text_encoder_2/config.json}
 * {@code projection_dim}; {@code model_index.json} and {@code scheduler/scheduler_config.json}.
 * tools/reference/diffusers/check_optimum_load.py loads the folders seedgrid ships and writes in Optimum.
 */
final class DiffusersConfigs {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** seedgrid decodes latents of H/8 × W/8, as SDXL. */
    private static final int VAE_SCALE_FACTOR = 8;

    private DiffusersConfigs() {
    }

    /**
     * What keeps the folder (a UNet-only one as {@code seedgrid assemble} would complete it) from loading in
     * diffusers' SDXL pipeline code; empty when nothing does.
     */
    static List<String> problems(ModelDirectory dir, long latentChannels, long pooledWidth, boolean halfVae) {
        List<String> problems = new ArrayList<>();
        Path base = dir.baseRoot();
        for (String file : List.of("model_index.json", "scheduler/scheduler_config.json")) {
            if (!Files.isRegularFile(base.resolve(file))) {
                problems.add(base.resolve(file) + " is missing");
            }
        }
        JsonNode vae = read(base.resolve("vae_decoder/config.json"), problems);
        if (vae != null) {
            JsonNode blocks = vae.get("block_out_channels");
            if (blocks == null || !blocks.isArray() || blocks.isEmpty()) {
                problems.add(where(base, "vae_decoder") + " lacks block_out_channels (diffusers derives the VAE scale factor from it)");
            } else if (1 << (blocks.size() - 1) != VAE_SCALE_FACTOR) {
                problems.add(where(base, "vae_decoder") + " block_out_channels has " + blocks.size()
                        + " entries: the VAE scale factor 2^(n-1) would be " + (1 << (blocks.size() - 1)) + ", not 8");
            }
            number(vae, "scaling_factor", where(base, "vae_decoder"), problems);
            if (halfVae && vae.path("force_upcast").asBoolean(false)) {
                problems.add(where(base, "vae_decoder") + " says force_upcast true for an fp16 decoder: diffusers would "
                        + "cast the ONNX decoder to float32 as a torch module and fail (set it false)");
            }
        }
        JsonNode unet = read(dir.unetRoot().resolve("unet/config.json"), problems);
        if (unet != null) {
            String at = where(dir.unetRoot(), "unet");
            number(unet, "sample_size", at, problems);
            number(unet, "addition_time_embed_dim", at, problems);
            if (number(unet, "in_channels", at, problems) && unet.get("in_channels").asLong() != latentChannels) {
                problems.add(at + " in_channels is " + unet.get("in_channels").asLong() + ", the graph's sample has "
                        + latentChannels + " channels");
            }
            if (!unet.has("time_cond_proj_dim")) {
                problems.add(at + " lacks time_cond_proj_dim (null for SDXL; Optimum warns without it)");
            }
        }
        JsonNode text2 = read(base.resolve("text_encoder_2/config.json"), problems);
        if (text2 != null) {
            String at = where(base, "text_encoder_2");
            if (number(text2, "projection_dim", at, problems) && text2.get("projection_dim").asLong() != pooledWidth) {
                problems.add(at + " projection_dim is " + text2.get("projection_dim").asLong() + ", the graph's text_embeds has "
                        + pooledWidth);
            }
        }
        return problems;
    }

    private static String where(Path root, String component) {
        return root.resolve(component).resolve("config.json").toString();
    }

    private static boolean number(JsonNode config, String key, String at, List<String> problems) {
        if (config.path(key).isNumber()) {
            return true;
        }
        problems.add(at + " lacks " + key + " (a number diffusers reads)");
        return false;
    }

    private static JsonNode read(Path file, List<String> problems) {
        if (!Files.isRegularFile(file)) {
            problems.add(file + " is missing");
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            problems.add(file + " is not JSON: " + e.getMessage());
            return null;
        }
    }
}
