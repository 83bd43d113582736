package io.seedgrid.jobs.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.udf.image.A1111Parameters;
import io.seedgrid.udf.recipe.PhaseSpec;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text chunks of every PNG seedgrid writes: A1111's {@code parameters} (what PNG-info readers show)
 * and {@code seedgrid}, a JSON object with the exact values (prompt, seed, recipe, model hashes, code
 * version) for tools that want them unparsed.
 */
public final class PngMetadata {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PngMetadata() {
    }

    /**
     * @param modelHashes model name to content hash (SHA-256); the first is A1111's "Model"
     * @param recipeJson  the recipe's canonical JSON, or null for a plain render
     */
    public static Map<String, String> chunks(ImageSettings s, Map<String, String> modelHashes, String recipe, String recipeJson) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("Steps", Integer.toString(s.steps()));
        settings.put("Sampler", A1111Parameters.samplerName(s.sampler()));
        settings.put("Schedule type", s.scheduler());
        settings.put("CFG scale", number(s.cfg()));
        settings.put("Seed", Seeds.format(s.seed()));
        settings.put("Size", s.width() + "x" + s.height());
        Map.Entry<String, String> first = modelHashes.entrySet().iterator().next();
        settings.put("Model hash", first.getValue().substring(0, 10));
        settings.put("Model", first.getKey());
        if (recipe != null) {
            settings.put("Recipe", recipe);
        }
        settings.put("Version", "seedgrid " + BuildInfo.version());

        ObjectNode json = JSON.createObjectNode();
        json.put("prompt", s.prompt());
        json.put("negative_prompt", s.negative());
        json.put("seed", Seeds.format(s.seed()));
        json.put("steps", s.steps());
        json.put("sampler", s.sampler());
        json.put("scheduler", s.scheduler());
        json.put("cfg", s.cfg());
        json.put("width", s.width());
        json.put("height", s.height());
        if (recipe != null) {
            json.put("recipe", recipe);
            json.set("recipe_json", read(recipeJson));
        }
        ObjectNode hashes = json.putObject("models");
        modelHashes.forEach(hashes::put);
        json.put("code_version", BuildInfo.codeVersion());

        Map<String, String> chunks = new LinkedHashMap<>();
        chunks.put("parameters", A1111Parameters.format(s.prompt(), s.negative(), settings));
        chunks.put("seedgrid", json.toString());
        return chunks;
    }

    /** The chunks of an image rendered under {@code recipe} (A1111's fields come from its first phase). */
    public static Map<String, String> forRecipe(String prompt, String negative, long seed, RecipeSpec recipe, int width,
                                                int height, Map<String, String> modelHashes) {
        PhaseSpec first = recipe.phases().get(0);
        ImageSettings settings = new ImageSettings(prompt, negative, seed, recipe.timeline().steps() - recipe.startStep(),
                first.sampler(), recipe.timeline().isExplicit() ? "explicit" : recipe.timeline().scheduler(), first.cfg(),
                width, height);
        return chunks(settings, modelHashes, recipe.name(), recipe.canonicalJson());
    }

    /** What one image was made with. */
    public record ImageSettings(String prompt, String negative, long seed, int steps, String sampler, String scheduler,
                                double cfg, int width, int height) {
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static com.fasterxml.jackson.databind.JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
