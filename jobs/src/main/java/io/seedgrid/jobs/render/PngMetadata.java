package io.seedgrid.jobs.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.udf.image.A1111Parameters;
import io.seedgrid.udf.onnx.ModelHash;
import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.PhaseSpec;
import io.seedgrid.udf.recipe.RecipeSpec;
import io.seedgrid.udf.sampler.ScheduleSpec;

import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

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
     * @param modelHashes model name to content hash (SHA-256 over its sub-models' hashes); the first is A1111's
     *                    "Model", its "Model hash" the first 10 hex digits, as A1111 shortens its own hashes
     * @param recipeJson  the recipe's canonical JSON, or null for a plain render
     * @param extra       settings A1111 has no field for, written after "Model"
     */
    public static Map<String, String> chunks(ImageSettings s, Map<String, String> modelHashes, String recipe, String recipeJson,
                                             Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("Steps", Integer.toString(s.steps()));
        settings.put("Sampler", A1111Parameters.samplerName(s.sampler()));
        String scheduleType = scheduleType(s.scheduler());
        if (scheduleType != null) {
            settings.put("Schedule type", scheduleType);
        } else if (!s.scheduler().equals("explicit")) {
            settings.put("Timestep spacing", s.scheduler());  // diffusers' timestep_spacing, e.g. trailing
        }
        settings.put("CFG scale", number(s.cfg()));
        settings.put("Seed", Seeds.format(s.seed()));
        settings.put("Size", s.width() + "x" + s.height());
        Map.Entry<String, String> first = modelHashes.entrySet().iterator().next();
        settings.put("Model hash", ModelHash.shortHash(first.getValue()));
        settings.put("Model", first.getKey());
        settings.putAll(extra);
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

    /**
     * The chunks of an image rendered under {@code recipe}. A1111's fields describe its first phase; what they
     * cannot say is written in fields of its own: {@code Timesteps} (the timesteps run, for explicit timelines and
     * the schedules A1111 has no name for), {@code Phases} (every phase of a multi-phase recipe: its steps, model
     * with hash, sampler and CFG) and {@code Blend} (both models with their hashes and α).
     *
     * @param modelHashes each model's content hash ({@code ModelIdentity.contentHash}), keyed by the recipe's model
     *                    names, or by display names in the order of {@link RecipeSpec#modelNames()}
     */
    public static Map<String, String> forRecipe(String prompt, String negative, long seed, RecipeSpec recipe, int width,
                                                int height, Map<String, String> modelHashes) {
        Map<String, Map.Entry<String, String>> models = byRecipeName(recipe, modelHashes);
        PhaseSpec first = recipe.phases().get(0);
        ScheduleSpec timeline = recipe.timeline();
        ImageSettings settings = new ImageSettings(prompt, negative, seed, timeline.steps() - recipe.startStep(),
                first.sampler(), timeline.isExplicit() ? "explicit" : timeline.scheduler(), first.cfg(), width, height);
        Map<String, String> extra = new LinkedHashMap<>();
        if (timeline.isExplicit()) {
            double[] run = Arrays.copyOfRange(timeline.timesteps(), recipe.startStep(), timeline.steps());
            extra.put("Timesteps", Arrays.stream(run).mapToObj(PngMetadata::number).collect(Collectors.joining(", ")));
        } else if (recipe.startStep() > 0) {
            extra.put("Skipped steps", Integer.toString(recipe.startStep()));
        }
        if (recipe.phases().size() > 1) {
            StringJoiner phases = new StringJoiner("; ");
            for (PhaseSpec phase : recipe.phases()) {
                phases.add("steps " + (phase.from() + 1) + "-" + phase.to() + ": " + describe(phase.model(), models) + ", "
                        + A1111Parameters.samplerName(phase.sampler()) + ", CFG " + number(phase.cfg()));
            }
            extra.put("Phases", phases.toString());
        }
        if (first.model() instanceof ModelRef.Blend blend) {
            extra.put("Blend", describe(new ModelRef.Named(blend.a()), models) + " + " + number(blend.alpha()) + " * ("
                    + describe(new ModelRef.Named(blend.b()), models) + " - " + models.get(blend.a()).getKey() + ")");
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        Map.Entry<String, String> main = models.get(first.model().base());
        ordered.put(main.getKey(), main.getValue());
        modelHashes.forEach(ordered::putIfAbsent);
        return chunks(settings, ordered, recipe.name(), recipe.canonicalJson(), extra);
    }

    /** The recipe's model names mapped to (display name, hash). */
    private static Map<String, Map.Entry<String, String>> byRecipeName(RecipeSpec recipe, Map<String, String> modelHashes) {
        Map<String, Map.Entry<String, String>> models = new LinkedHashMap<>();
        Iterator<Map.Entry<String, String>> inOrder = modelHashes.entrySet().iterator();
        for (String name : recipe.modelNames()) {
            String hash = modelHashes.get(name);
            Map.Entry<String, String> entry = hash != null ? Map.entry(name, hash) : inOrder.hasNext() ? inOrder.next() : null;
            if (entry == null) {
                throw new IllegalArgumentException("no hash for model '" + name + "' of recipe " + recipe.name());
            }
            models.put(name, entry);
        }
        return models;
    }

    private static String describe(ModelRef model, Map<String, Map.Entry<String, String>> models) {
        if (model instanceof ModelRef.Blend blend) {
            return "blend of " + models.get(blend.a()).getKey() + " and " + models.get(blend.b()).getKey() + " at "
                    + number(blend.alpha());
        }
        Map.Entry<String, String> entry = models.get(model.base());
        return entry.getKey() + " (" + ModelHash.shortHash(entry.getValue()) + ")";
    }

    /** A1111's "Schedule type" label of a seedgrid schedule, or null where A1111 has none (trailing, explicit). */
    static String scheduleType(String scheduler) {
        return switch (scheduler) {
            case "normal" -> "Normal";
            case "karras" -> "Karras";
            case "sgm_uniform" -> "SGM Uniform";
            default -> null;
        };
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
