package io.seedgrid.jobs.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.config.ConfigNode;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a tune config strictly: a run config (README, "The run config") whose {@code recipes} are the
 * references, and a {@code tune:} section (README, "Tuning"). Errors name the key and its line; nothing
 * touches Spark or a model here.
 */
public final class TuneConfigParser {

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final String METRIC = "[a-z0-9_]{1,128}";

    private TuneConfigParser() {
    }

    public static TuneConfig parse(Path file) {
        ConfigNode root = ConfigNode.parse(file);
        RunConfig run = RunConfigParser.parse(root, file, true);
        ConfigNode tune = root.require("tune");
        tune.allowOnly("space", "diversity", "adherence", "cost", "images", "fidelity", "confidence", "recommend");

        List<Candidate> references = new ArrayList<>();
        List<ConfigNode> recipeNodes = root.has("recipes") ? root.get("recipes").list() : List.of();
        for (int i = 0; i < run.recipes().size(); i++) {
            RecipeSpec recipe = run.recipes().get(i);
            references.add(new Candidate(recipe.name(), Candidate.REFERENCE, Map.of(), recipe,
                    recipeNodes.get(i).toFlowYaml()));
        }
        ConfigNode spaceNode = tune.require("space");
        List<Candidate> space = SearchSpace.expand(spaceNode, run.models().keySet());
        Map<String, String> names = new HashMap<>();
        Map<String, String> recipes = new HashMap<>();
        for (Candidate c : concat(references, space)) {
            if (names.put(c.name(), c.family()) != null) {
                throw spaceNode.error("two candidates are called '" + c.name() + "' (a reference recipe and a search-space"
                        + " value, or two families): rename a family");
            }
            String same = recipes.putIfAbsent(c.recipe().canonicalJson(), c.name());
            if (same != null) {
                throw spaceNode.error("candidates '" + same + "' and '" + c.name() + "' are the same recipe: list each"
                        + " value once");
            }
        }

        String diversity = metric(tune, "diversity", null);
        String adherence = metric(tune, "adherence", "clip_score_mean");
        TuneConfig.Cost cost = cost(tune);
        int poolPrompts = run.prompts().size();
        long poolSeeds = run.seeds().size();
        Fidelity fidelity = fidelity(tune.get("fidelity"), poolPrompts, poolSeeds);
        List<Fidelity.Rung> rungs;
        try {
            rungs = fidelity.rungs(poolPrompts, poolSeeds);
        } catch (IllegalArgumentException e) {
            throw tune.get("fidelity").error(e.getMessage());
        }
        ConfigNode imagesNode = tune.require("images");
        long images = imagesNode.longInteger();
        Fidelity.Rung full = rungs.get(rungs.size() - 1);
        long needed = references.size() * full.images() + space.size() * rungs.get(0).images();
        if (images < needed) {
            throw imagesNode.error(String.format(Locale.ROOT, "%d images cannot pay for the start: the %d references"
                            + " take %d (%d prompts x %d seeds each) and the first rung %d (%d candidates x %d prompts x %d"
                            + " seeds); give at least %d, or search fewer values", images, references.size(),
                    references.size() * full.images(), full.prompts(), full.seeds(), space.size() * rungs.get(0).images(),
                    space.size(), rungs.get(0).prompts(), rungs.get(0).seeds(), needed));
        }
        double confidence = tune.number("confidence", 0.95);
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw tune.get("confidence").error("must be in [0.5, 1), got " + confidence);
        }
        Set<String> known = names.keySet();
        List<Budget> recommend = tune.has("recommend") ? budgets(tune.get("recommend"), known) : null;

        ObjectNode identity = identity(run, space, diversity, adherence, cost, images, fidelity, confidence);
        return new TuneConfig(run, List.copyOf(references), List.copyOf(space), diversity, adherence, cost, images,
                fidelity, confidence, recommend, TuneConfig.sha256(identity.toString()));
    }

    private static List<Candidate> concat(List<Candidate> a, List<Candidate> b) {
        List<Candidate> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String metric(ConfigNode tune, String key, String fallback) {
        ConfigNode node = tune.get(key);
        if (node == null) {
            return fallback;
        }
        String name = node.nonEmptyText();
        if (!name.matches(METRIC)) {
            throw node.error("a metric is a column of groups/ (e.g. clip_score_mean, lpips_mean), got '" + name + "'");
        }
        return name;
    }

    private static TuneConfig.Cost cost(ConfigNode tune) {
        String text = tune.text("cost", TuneConfig.Cost.UNET_EVALUATIONS.key());
        for (TuneConfig.Cost c : TuneConfig.Cost.values()) {
            if (c.key().equals(text)) {
                return c;
            }
        }
        throw tune.get("cost").error("cost is unet_evaluations or seconds, got '" + text + "'");
    }

    private static Fidelity fidelity(ConfigNode node, int poolPrompts, long poolSeeds) {
        int prompts = Math.min(4, poolPrompts);
        int seeds = (int) Math.min(4, poolSeeds);
        int factor = 2;
        if (node != null) {
            node.allowOnly("prompts", "seeds", "factor");
            prompts = node.integer("prompts", prompts);
            seeds = node.integer("seeds", seeds);
            factor = node.integer("factor", factor);
        }
        if (poolSeeds < 2) {
            throw (node == null ? new IllegalArgumentException("a tune needs at least 2 seeds (diversity is measured"
                    + " between seeds)") : node.error("a tune needs at least 2 seeds"));
        }
        if (poolSeeds > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a tune's seed pool holds at most " + Integer.MAX_VALUE + " seeds");
        }
        try {
            return new Fidelity(prompts, seeds, factor);
        } catch (IllegalArgumentException e) {
            throw node == null ? e : node.error(e.getMessage());
        }
    }

    private static List<Budget> budgets(ConfigNode list, Set<String> candidates) {
        List<Budget> out = new ArrayList<>();
        for (ConfigNode b : list.list()) {
            b.allowOnly("name", "cost_at_most", "adherence_at_least");
            Double costTimes = null;
            String costOf = null;
            Double costMax = null;
            Double loss = null;
            String adherenceOf = null;
            Double adherenceMin = null;
            List<String> words = new ArrayList<>();
            ConfigNode cost = b.get("cost_at_most");
            if (cost != null) {
                if (cost.isScalar()) {
                    costMax = cost.number();
                    words.add("cost <= " + cost.text());
                } else {
                    cost.allowOnly("times", "of");
                    costTimes = cost.require("times").number();
                    costOf = candidate(cost.require("of"), candidates);
                    words.add("cost <= " + cost.get("times").text() + "x " + costOf + "'s");
                }
            }
            ConfigNode adherence = b.get("adherence_at_least");
            if (adherence != null) {
                if (adherence.isScalar()) {
                    adherenceMin = adherence.number();
                    words.add("adherence >= " + adherence.text());
                } else {
                    adherence.allowOnly("minus", "of");
                    loss = adherence.require("minus").number();
                    adherenceOf = candidate(adherence.require("of"), candidates);
                    words.add("adherence >= " + adherenceOf + "'s - " + adherence.get("minus").text());
                }
            }
            if (words.isEmpty()) {
                throw b.error("a budget bounds cost_at_most, adherence_at_least or both");
            }
            out.add(new Budget(b.has("name") ? b.get("name").nonEmptyText() : String.join(", ", words), costTimes, costOf,
                    costMax, loss, adherenceOf, adherenceMin));
        }
        return List.copyOf(out);
    }

    private static String candidate(ConfigNode node, Set<String> candidates) {
        String name = node.nonEmptyText();
        if (!candidates.contains(name)) {
            throw node.error("no recipe or candidate named '" + name + "' (the references: the config's recipes)");
        }
        return name;
    }

    /** What the search's decisions depend on: the pools, the models and rendering settings, every candidate, the rules. */
    private static ObjectNode identity(RunConfig run, List<Candidate> space, String diversity, String adherence,
                                       TuneConfig.Cost cost, long images, Fidelity fidelity, double confidence) {
        ObjectNode id = JSON.createObjectNode();
        try {
            JsonNode canonical = JSON.readTree(run.canonicalJson());
            for (String key : new String[] {"models", "prompts", "seeds", "width", "height", "recipes", "long_prompt",
                    "measure"}) {
                id.set(key, canonical.get(key));
            }
            ArrayNode candidates = id.putArray("space");
            for (Candidate c : space) {
                candidates.add(JSON.readTree(c.recipe().toJsonWithName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        id.put("diversity", diversity);
        id.put("adherence", adherence);
        id.put("cost", cost.key());
        id.put("images", images);
        id.put("fidelity", fidelity.prompts() + "x" + fidelity.seeds() + "x" + fidelity.factor());
        id.put("confidence", confidence);
        return id;
    }
}
