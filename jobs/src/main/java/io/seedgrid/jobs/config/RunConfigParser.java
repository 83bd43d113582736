package io.seedgrid.jobs.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.render.Seeds;
import io.seedgrid.jobs.spark.SparkSessions;
import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a run config strictly: an unknown key, a missing required key, a value of the wrong kind, a
 * model or recipe name used twice, a size that is not a multiple of 8, an empty prompt source are
 * errors that name the key and its line. Nothing touches Spark or a model here.
 */
public final class RunConfigParser {

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private RunConfigParser() {
    }

    public static RunConfig parse(Path file) {
        return parse(ConfigNode.parse(file), file, false);
    }

    /**
     * Reads the run config part of {@code root}.
     *
     * @param tune true for a tune config ({@code seedgrid tune}): the {@code tune} key is allowed (read by
     *             {@code TuneConfigParser}) and {@code recipes}, the tune's reference recipes, may be left out
     */
    public static RunConfig parse(ConfigNode root, Path file, boolean tune) {
        List<String> keys = new ArrayList<>(List.of("run", "output", "models", "prompts", "negative_prompt", "seeds", "width",
                "height", "recipes", "batch_size", "chunk_size", "commit_seconds", "evaluation_ms", "prompt_buckets",
                "long_prompt", "max_failed_share", "png_files", "blend_cache", "spark", "measure", "limits"));
        if (tune) {
            keys.add("tune");
        }
        root.allowOnly(keys.toArray(String[]::new));
        Limits limits = Limits.parse(root.get("limits"));
        if (root.documentChars() > limits.configChars()) {
            throw new ConfigException(file + ": the config has " + root.documentChars()
                    + " characters, over limits.config_chars = " + limits.configChars() + Limits.raise());
        }
        root.checkScalars(limits.scalarChars(), Limits.raise());
        Path dir = file.toAbsolutePath().getParent();

        ConfigNode runNode = root.require("run");
        String run = runNode.nonEmptyText();
        if (!run.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw runNode.error("a run name is letters, digits, '.', '_' and '-' (it names a folder), got '" + run + "'");
        }
        String output = location(root.require("output"), dir);

        Map<String, ModelConfig> models = models(root.require("models"), dir);
        String defaultNegative = root.has("negative_prompt")
                ? promptText(root.get("negative_prompt"), "the negative prompt", limits, false) : "";
        List<PromptEntry> prompts = prompts(root.require("prompts"), dir, defaultNegative, limits);
        ConfigNode seedsNode = root.require("seeds");
        SeedSet seeds = seeds(seedsNode);
        ConfigNode widthNode = root.require("width");
        ConfigNode heightNode = root.require("height");
        int width = size(widthNode);
        int height = size(heightNode);
        String image = limits.imageProblem(width, height);
        if (image != null) {
            throw (width >= height ? widthNode : heightNode).error(image + Limits.raise());
        }

        List<RecipeSpec> recipes = new ArrayList<>();
        ConfigNode recipeList = tune && !root.has("recipes") ? null : root.require("recipes");
        for (ConfigNode node : recipeList == null ? List.<ConfigNode>of() : recipeList.list()) {
            RecipeSpec recipe = RecipeParser.parse(node, models.keySet());
            String steps = limits.stepsProblem(recipe.timeline().fullSteps());
            if (steps != null) {
                throw node.error(steps + Limits.raise());
            }
            for (RecipeSpec other : recipes) {
                if (other.name().equals(recipe.name())) {
                    throw node.require("name").error("duplicate recipe name '" + recipe.name() + "'");
                }
            }
            recipes.add(recipe);
        }
        if (recipes.isEmpty() && !tune) {
            throw recipeList.error("no recipes");
        }
        String cells = limits.cellsProblem(prompts.size(), seeds.size(), recipes.size());
        if (cells != null) {
            throw seedsNode.error(cells + Limits.raise());
        }

        int batchSize = positive(root, "batch_size", 8);
        PartSizing defaults = PartSizing.defaults();
        PartSizing parts = new PartSizing(positive(root, "chunk_size", defaults.maxCells()),
                positiveNumber(root, "commit_seconds", defaults.commitSeconds()),
                root.has("evaluation_ms") ? positiveNumber(root, "evaluation_ms", 0) : 0,
                root.has("prompt_buckets") ? powerOfTwo(root, "prompt_buckets") : 0);
        LongPromptMode longPrompt = parseEnum(root, "long_prompt");
        models = ModelOptionsParser.sizeTensorRt(models, batchSize, width, height, longPrompt);
        double maxFailed = root.number("max_failed_share", 0.1);
        if (maxFailed < 0 || maxFailed > 1) {
            throw root.get("max_failed_share").error("must be in [0, 1], got " + maxFailed);
        }
        boolean pngFiles = root.bool("png_files", false);
        // without blend_cache each executor uses its node's default (BlendCache.defaultRoot(), on local disk)
        String blendCache = root.has("blend_cache") ? location(root.get("blend_cache"), dir) : null;

        String master = null;
        int partitions = 0;
        Map<String, String> sparkConf = new TreeMap<>();
        ConfigNode spark = root.get("spark");
        if (spark != null) {
            spark.allowOnly("master", "partitions", "conf");
            master = spark.text("master", null);
            try {
                SparkSessions.checkMaster(master);
            } catch (IllegalArgumentException e) {
                throw spark.get("master").error(e.getMessage());
            }
            partitions = spark.integer("partitions", 0);
            if (partitions < 0) {
                throw spark.get("partitions").error("must be at least 1 (or 0 for Spark's default parallelism)");
            }
            ConfigNode conf = spark.get("conf");
            if (conf != null) {
                conf.entries().forEach((key, value) -> sparkConf.put(key, value.text()));
            }
        }
        MeasureConfig measure = measure(root.get("measure"), dir, recipes);

        ObjectNode canonical = canonical(run, output, models, prompts, seeds, width, height, recipes, batchSize, parts,
                longPrompt, maxFailed, pngFiles, measure, limits);
        return new RunConfig(file.toString(), run, output, models, prompts, seeds, width, height, List.copyOf(recipes),
                batchSize, parts, longPrompt, maxFailed, pngFiles, blendCache, master, partitions, sparkConf, measure,
                limits, canonical.toString(), identity(canonical));
    }

    /**
     * The config of another run made from {@code base} (the runs of {@code seedgrid tune}'s candidates): its own
     * name, output, prompts, seeds, recipes, prompt buckets and measure settings, the rest as {@code base}; the
     * canonical form and identity are computed as {@link #parse} computes them.
     */
    public static RunConfig derive(RunConfig base, String run, String output, List<PromptEntry> prompts, SeedSet seeds,
                                   List<RecipeSpec> recipes, int promptBuckets, MeasureConfig measure) {
        PartSizing parts = new PartSizing(base.parts().maxCells(), base.parts().commitSeconds(), base.parts().evaluationMs(),
                promptBuckets);
        ObjectNode canonical = canonical(run, output, base.models(), prompts, seeds, base.width(), base.height(), recipes,
                base.batchSize(), parts, base.longPrompt(), base.maxFailedShare(), base.pngFiles(), measure, base.limits());
        return new RunConfig(base.source(), run, output, base.models(), List.copyOf(prompts), seeds, base.width(),
                base.height(), List.copyOf(recipes), base.batchSize(), parts, base.longPrompt(), base.maxFailedShare(),
                base.pngFiles(), base.blendCache(), base.master(), base.partitions(), base.sparkConf(), measure, base.limits(),
                canonical.toString(), identity(canonical));
    }

    /** A run's identity: what decides how a cell is rendered. Prompts and seeds may grow between reruns. */
    private static String identity(ObjectNode canonical) {
        ObjectNode identity = JSON.createObjectNode();
        for (String key : new String[] {"models", "width", "height", "recipes", "long_prompt"}) {
            identity.set(key, canonical.get(key));
        }
        return sha256(identity.toString());
    }

    private static Map<String, ModelConfig> models(ConfigNode node, Path dir) {
        Map<String, ModelConfig> models = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> entry : node.entries().entrySet()) {
            String name = entry.getKey();
            ConfigNode m = entry.getValue();
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw m.error("a model name is letters, digits, '.', '_' and '-', got '" + name + "'");
            }
            if (m.isScalar()) {
                models.put(name, new ModelConfig(name, location(m, dir), null, "auto", null));
                continue;
            }
            m.allowOnly("path", "base", "device", "precision", "gpu", "tensorrt");
            String device = m.text("device", "auto");
            if (!device.matches("auto|cpu|cuda|cuda:\\d+|tensorrt|tensorrt:\\d+")) {
                throw m.get("device").error("device is auto, cpu, cuda, cuda:N, tensorrt or tensorrt:N, got '" + device + "'");
            }
            String precision = m.text("precision", null);
            if (precision != null && !precision.matches("fp32|fp16")) {
                throw m.get("precision").error("precision is fp32 or fp16, got '" + precision + "'");
            }
            models.put(name, new ModelConfig(name, location(m.require("path"), dir),
                    m.has("base") ? location(m.get("base"), dir) : null, device, precision,
                    ModelOptionsParser.gpu(m, device, dir)));
        }
        if (models.isEmpty()) {
            throw node.error("no models");
        }
        return models;
    }

    private static List<PromptEntry> prompts(ConfigNode node, Path dir, String defaultNegative, Limits limits) {
        List<PromptEntry> prompts = new ArrayList<>();
        if (node.isMap()) {
            node.allowOnly("file");
            ConfigNode file = node.require("file");
            prompts.addAll(PromptSources.read(dir.resolve(file.nonEmptyText()).normalize(), limits));
        } else {
            for (ConfigNode item : node.list()) {
                try {
                    if (item.isScalar()) {
                        prompts.add(PromptEntry.of(null, promptText(item, "the prompt", limits, true), ""));
                    } else {
                        item.allowOnly("prompt", "id", "negative_prompt");
                        prompts.add(PromptEntry.of(item.text("id", null),
                                promptText(item.require("prompt"), "the prompt", limits, true),
                                item.has("negative_prompt")
                                        ? promptText(item.get("negative_prompt"), "the negative prompt", limits, false) : ""));
                    }
                } catch (ConfigException e) {
                    throw e.getMessage().startsWith(item.file()) ? e : item.error(e.getMessage());
                }
            }
        }
        if (prompts.isEmpty()) {
            throw node.error("no prompts");
        }
        Map<String, PromptEntry> byId = new LinkedHashMap<>();
        List<PromptEntry> resolved = new ArrayList<>();
        for (PromptEntry p : prompts) {
            PromptEntry entry = p.negativePrompt().isEmpty() && !defaultNegative.isEmpty()
                    ? new PromptEntry(p.id(), p.prompt(), defaultNegative) : p;
            if (byId.putIfAbsent(entry.id(), entry) != null) {
                throw node.error("prompt id '" + entry.id() + "' appears twice (a repeated prompt, or a repeated id)");
            }
            resolved.add(entry);
        }
        return List.copyOf(resolved);
    }

    /** A prompt or negative prompt of the config, checked by {@link PromptText}'s rule. */
    private static String promptText(ConfigNode node, String what, Limits limits, boolean required) {
        String text = required ? node.nonEmptyText() : node.text();
        String problem = PromptText.problem(what, text, limits);
        if (problem != null) {
            throw node.error(problem + (problem.contains("limits.") ? Limits.raise() : ""));
        }
        return text;
    }

    private static SeedSet seeds(ConfigNode node) {
        try {
            if (node.isMap()) {
                node.allowOnly("start", "count");
                return SeedSet.range(Seeds.parse(node.require("start").text()), node.require("count").longInteger());
            }
            List<ConfigNode> items = node.list();
            long[] seeds = new long[items.size()];
            for (int i = 0; i < seeds.length; i++) {
                try {
                    seeds[i] = Seeds.parse(items.get(i).text());
                } catch (IllegalArgumentException e) {
                    throw items.get(i).error(e.getMessage());
                }
            }
            return SeedSet.of(seeds);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static int size(ConfigNode node) {
        int value = node.integer();
        if (value <= 0 || value % 8 != 0) {
            throw node.error("must be a positive multiple of 8 (the VAE works in 8x8 blocks), got " + value);
        }
        return value;
    }

    private static int positive(ConfigNode root, String key, int fallback) {
        int value = root.integer(key, fallback);
        if (value < 1) {
            throw root.get(key).error("must be at least 1, got " + value);
        }
        return value;
    }

    private static double positiveNumber(ConfigNode root, String key, double fallback) {
        double value = root.number(key, fallback);
        if (!(value > 0)) {
            throw root.get(key).error("must be greater than 0, got " + value);
        }
        return value;
    }

    private static int powerOfTwo(ConfigNode root, String key) {
        int value = root.integer(key, 1);
        if (value < 1 || value > 65536 || Integer.bitCount(value) != 1) {
            throw root.get(key).error("must be a power of two from 1 to 65536, got " + value);
        }
        return value;
    }

    private static LongPromptMode parseEnum(ConfigNode root, String key) {
        try {
            return LongPromptMode.parse(root.text(key, "truncate"));
        } catch (IllegalArgumentException e) {
            throw root.get(key).error(e.getMessage());
        }
    }

    private static MeasureConfig measure(ConfigNode node, Path dir, List<RecipeSpec> recipes) {
        if (node == null) {
            return MeasureConfig.defaults();
        }
        node.allowOnly("lpips", "encoders", "clip", "reference_recipe", "bootstrap", "ms_ssim");
        List<String> encoders = new ArrayList<>();
        ConfigNode list = node.get("encoders");
        if (list != null) {
            for (ConfigNode item : list.list()) {
                encoders.add(location(item, dir));
            }
        }
        String reference = node.text("reference_recipe", null);
        if (reference != null && recipes.stream().noneMatch(r -> r.name().equals(reference))) {
            throw node.get("reference_recipe").error("no recipe named '" + reference + "' (recipes: "
                    + String.join(", ", recipes.stream().map(RecipeSpec::name).toList()) + ")");
        }
        int bootstrap = node.integer("bootstrap", 1000);
        if (bootstrap < 100) {
            throw node.get("bootstrap").error("use at least 100 bootstrap resamples, got " + bootstrap);
        }
        return new MeasureConfig(node.has("lpips") ? location(node.get("lpips"), dir) : null, List.copyOf(encoders),
                node.has("clip") ? location(node.get("clip"), dir) : null, reference, bootstrap, node.bool("ms_ssim", true));
    }

    /** A local path resolved against the config's folder, or an {@code s3a://} (or other scheme) URI as given. */
    private static String location(ConfigNode node, Path dir) {
        String text = node.nonEmptyText();
        if (text.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            if (text.startsWith("s3://") || text.startsWith("s3n://")) {
                throw node.error("use s3a:// (Hadoop's S3A connector), not " + text.substring(0, text.indexOf(':') + 3));
            }
            return text;
        }
        return dir.resolve(text).normalize().toString();
    }

    private static ObjectNode canonical(String run, String output, Map<String, ModelConfig> models, List<PromptEntry> prompts,
                                        SeedSet seeds, int width, int height, List<RecipeSpec> recipes, int batchSize,
                                        PartSizing parts, LongPromptMode longPrompt, double maxFailed, boolean pngFiles,
                                        MeasureConfig measure, Limits limits) {
        ObjectNode root = JSON.createObjectNode();
        root.put("run", run);
        root.put("output", output);
        ObjectNode m = root.putObject("models");
        models.forEach((name, model) -> {
            ObjectNode node = m.putObject(name);
            node.put("path", model.path());
            node.put("base", model.base());
            node.put("device", model.device());
            node.put("precision", model.precision());
            ModelOptionsParser.canonical(model.gpu()).ifPresent(gpu -> node.set("gpu", gpu));
        });
        ArrayNode p = root.putArray("prompts");
        for (PromptEntry prompt : prompts) {
            p.addObject().put("id", prompt.id()).put("prompt", prompt.prompt()).put("negative_prompt", prompt.negativePrompt());
        }
        if (seeds.isRange()) {
            root.putObject("seeds").put("start", Long.toUnsignedString(seeds.start())).put("count", seeds.size());
        } else {
            ArrayNode s = root.putArray("seeds");
            for (long i = 0; i < seeds.size(); i++) {
                s.add(Long.toUnsignedString(seeds.get(i)));
            }
        }
        root.put("width", width);
        root.put("height", height);
        ArrayNode r = root.putArray("recipes");
        for (RecipeSpec recipe : recipes) {
            try {
                r.add(JSON.readTree(recipe.toJsonWithName()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        root.put("batch_size", batchSize);
        root.put("chunk_size", parts.maxCells());
        root.put("commit_seconds", parts.commitSeconds());
        root.put("evaluation_ms", parts.evaluationMs());
        root.put("prompt_buckets", parts.promptBuckets());
        root.put("long_prompt", longPrompt.name().toLowerCase(java.util.Locale.ROOT));
        root.put("max_failed_share", maxFailed);
        root.put("png_files", pngFiles);
        ObjectNode meas = root.putObject("measure");
        meas.put("lpips", measure.lpips());
        ArrayNode enc = meas.putArray("encoders");
        measure.encoders().forEach(enc::add);
        meas.put("clip", measure.clip());
        meas.put("reference_recipe", measure.referenceRecipe());
        meas.put("bootstrap", measure.bootstrap());
        meas.put("ms_ssim", measure.msSsim());
        ObjectNode lim = root.putObject("limits");
        limits.byKey().forEach(lim::put);
        return root;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
