package io.seedgrid.udf.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.udf.pipeline.ConditionAnnealing;
import io.seedgrid.udf.sampler.ScheduleSpec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A recipe: which model runs which steps of one timeline with which sampler, guidance and conditioning.
 * Every recipe kind ({@link Recipes}) is sugar for this one general form, whose {@link #canonicalJson()}
 * (sorted keys, no name) identifies what it computes and goes into every output row.
 *
 * @param name      the user's name for it, unique in a run
 * @param kind      the kind it was written as ({@code base}, {@code dmd2}, {@code hybrid}, …)
 * @param timeline  the timeline every phase's sampler is built on
 * @param startStep the first step run (1 for {@code skip-first}); the latent starts as pure noise there
 * @param phases    contiguous phases covering {@code [startStep, steps)}
 */
public record RecipeSpec(String name, String kind, ScheduleSpec timeline, int startStep, List<PhaseSpec> phases) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RecipeSpec {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a recipe name is 1-64 letters, digits, '.', '_' or '-' (starting with a letter"
                    + " or digit), got '" + name + "'");
        }
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("recipe '" + name + "' has no phases");
        }
        if (startStep < 0 || startStep >= timeline.steps()) {
            throw new IllegalArgumentException("recipe '" + name + "' starts at step " + startStep + " of a "
                    + timeline.steps() + "-step timeline");
        }
        int expected = startStep;
        for (PhaseSpec phase : phases) {
            if (phase.from() != expected) {
                throw new IllegalArgumentException("recipe '" + name + "': phase steps " + (phase.from() < expected ? "overlap" : "leave a gap")
                        + ": a phase starts at step " + phase.from() + " where step " + expected + " is next");
            }
            expected = phase.to();
        }
        if (expected != timeline.steps()) {
            throw new IllegalArgumentException("recipe '" + name + "': the phases end at step " + expected + " but the timeline has "
                    + timeline.steps() + " steps");
        }
    }

    /** Names of every model the recipe uses (blend inputs included), in order of first use. */
    public Set<String> modelNames() {
        Set<String> names = new LinkedHashSet<>();
        for (PhaseSpec phase : phases) {
            if (phase.model() instanceof ModelRef.Blend blend) {
                names.add(blend.a());
                names.add(blend.b());
            } else {
                names.add(phase.model().base());
            }
        }
        return names;
    }

    /** The canonical JSON of what the recipe computes: sorted keys, no name, infinities omitted. */
    public String canonicalJson() {
        return CanonicalJson.of(toJson(false));
    }

    /** The canonical JSON with the name: what travels to executors and {@link #fromJson} reads back. */
    public String toJsonWithName() {
        return CanonicalJson.of(toJson(true));
    }

    private ObjectNode toJson(boolean withName) {
        ObjectNode root = JSON.createObjectNode();
        if (withName) {
            root.put("name", name);
        }
        root.put("kind", kind);
        ObjectNode tl = root.putObject("timeline");
        if (timeline.isExplicit()) {
            ArrayNode steps = tl.putArray("timesteps");
            for (double t : timeline.timesteps()) {
                steps.add(t);
            }
        } else {
            tl.put("steps", timeline.steps());
            tl.put("scheduler", timeline.scheduler());
            tl.put("denoise", timeline.denoise());
        }
        root.put("start_step", startStep);
        ArrayNode list = root.putArray("phases");
        for (PhaseSpec p : phases) {
            ObjectNode node = list.addObject();
            if (p.model() instanceof ModelRef.Blend b) {
                ObjectNode blend = node.putObject("model").putObject("blend");
                blend.put("a", b.a());
                blend.put("b", b.b());
                blend.put("alpha", b.alpha());
            } else {
                node.put("model", p.model().base());
            }
            node.put("from", p.from());
            node.put("to", p.to());
            node.put("sampler", p.sampler());
            if (p.eta() != 0.0) {
                node.put("eta", p.eta());
            }
            node.put("cfg", p.cfg());
            if (p.negativePrompt() != null) {
                node.put("negative_prompt", p.negativePrompt());
            }
            if (Double.isFinite(p.cfgSigmaLow())) {
                node.put("cfg_sigma_low", p.cfgSigmaLow());
            }
            if (Double.isFinite(p.cfgSigmaHigh())) {
                node.put("cfg_sigma_high", p.cfgSigmaHigh());
            }
            if (p.cads() != null) {
                ObjectNode cads = node.putObject("cads");
                cads.put("tau1", p.cads().tau1());
                cads.put("tau2", p.cads().tau2());
                cads.put("noise_scale", p.cads().noiseScale());
                cads.put("psi", p.cads().psi());
                cads.put("rescale", p.cads().rescale());
            }
        }
        return root;
    }

    /** Reads the form {@link #toJsonWithName()} writes. */
    public static RecipeSpec fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a recipe: " + e.getOriginalMessage());
        }
        JsonNode tl = root.get("timeline");
        ScheduleSpec timeline;
        if (tl.has("timesteps")) {
            double[] steps = new double[tl.get("timesteps").size()];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = tl.get("timesteps").get(i).asDouble();
            }
            timeline = ScheduleSpec.explicit(steps);
        } else {
            timeline = new ScheduleSpec(tl.get("steps").asInt(), tl.get("scheduler").asText(), null, tl.get("denoise").asDouble());
        }
        List<PhaseSpec> phases = new ArrayList<>();
        for (JsonNode p : root.get("phases")) {
            JsonNode m = p.get("model");
            ModelRef model = m.isTextual() ? new ModelRef.Named(m.asText())
                    : new ModelRef.Blend(m.get("blend").get("a").asText(), m.get("blend").get("b").asText(),
                    m.get("blend").get("alpha").asDouble());
            JsonNode c = p.get("cads");
            ConditionAnnealing cads = c == null ? null : new ConditionAnnealing(c.get("tau1").asDouble(), c.get("tau2").asDouble(),
                    c.get("noise_scale").asDouble(), c.get("psi").asDouble(), c.get("rescale").asBoolean());
            phases.add(new PhaseSpec(model, p.get("from").asInt(), p.get("to").asInt(), p.get("sampler").asText(),
                    p.has("eta") ? p.get("eta").asDouble() : 0.0, p.get("cfg").asDouble(),
                    p.has("negative_prompt") ? p.get("negative_prompt").asText() : null,
                    p.has("cfg_sigma_low") ? p.get("cfg_sigma_low").asDouble() : Double.NEGATIVE_INFINITY,
                    p.has("cfg_sigma_high") ? p.get("cfg_sigma_high").asDouble() : Double.POSITIVE_INFINITY, cads));
        }
        return new RecipeSpec(root.get("name").asText(), root.get("kind").asText(), timeline, root.get("start_step").asInt(), phases);
    }
}
