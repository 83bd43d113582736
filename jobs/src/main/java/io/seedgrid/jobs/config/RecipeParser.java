package io.seedgrid.jobs.config;

import io.seedgrid.udf.pipeline.ConditionAnnealing;
import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.PhaseSpec;
import io.seedgrid.udf.recipe.RecipeSpec;
import io.seedgrid.udf.recipe.Recipes;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.ScheduleSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads one entry of a config's {@code recipes:} list. Each kind takes its own keys (anything else is
 * an error) and defaults to the literature's settings (README, "Recipes").
 */
public final class RecipeParser {

    private static final String[] TIMELINE = {"steps", "scheduler", "timesteps", "denoise"};

    private RecipeParser() {
    }

    /**
     * @param models the model names the config defines (a recipe naming another is an error)
     */
    public static RecipeSpec parse(ConfigNode node, Set<String> models) {
        String kind = node.require("kind").text();
        String name = node.require("name").nonEmptyText();
        try {
            RecipeSpec recipe = switch (kind) {
                case "base" -> {
                    node.allowOnly(keys("name", "kind", "model", "sampler", "eta", "cfg", "negative_prompt"));
                    yield tweak(node, Recipes.base(name, model(node, "model", models), sampler(node, "euler"),
                            timeline(node, 20, null), node.number("cfg", 5.0)));
                }
                case "dmd2" -> {
                    node.allowOnly("name", "kind", "model", "timesteps");
                    yield Recipes.dmd2(name, model(node, "model", models), timeline(node, 4, Recipes.DMD2_TIMESTEPS));
                }
                case "skip-first" -> {
                    node.allowOnly("name", "kind", "model", "timesteps");
                    yield Recipes.skipFirst(name, model(node, "model", models), timeline(node, 4, Recipes.DMD2_TIMESTEPS));
                }
                case "hybrid" -> node.has("phases") ? generalHybrid(node, name, models) : simpleHybrid(node, name, models);
                case "blend" -> {
                    node.allowOnly(keys("name", "kind", "a", "b", "alpha", "sampler", "eta", "cfg", "negative_prompt"));
                    double alpha = node.require("alpha").number();
                    yield tweak(node, Recipes.blend(name, model(node, "a", models), model(node, "b", models), alpha,
                            sampler(node, "lcm"), timeline(node, 4, Recipes.DMD2_TIMESTEPS), node.number("cfg", 1.0)));
                }
                case "cads" -> {
                    node.allowOnly(keys("name", "kind", "model", "sampler", "eta", "cfg", "negative_prompt",
                            "tau1", "tau2", "noise_scale", "psi", "rescale"));
                    ConditionAnnealing recommended = ConditionAnnealing.recommended();
                    ConditionAnnealing cads = new ConditionAnnealing(node.number("tau1", recommended.tau1()),
                            node.number("tau2", recommended.tau2()), node.number("noise_scale", recommended.noiseScale()),
                            node.number("psi", recommended.psi()), node.bool("rescale", recommended.rescale()));
                    yield tweak(node, Recipes.cads(name, model(node, "model", models), sampler(node, "euler"),
                            timeline(node, 20, null), node.number("cfg", 5.0), cads));
                }
                case "interval-cfg" -> {
                    node.allowOnly(keys("name", "kind", "model", "sampler", "eta", "cfg", "negative_prompt",
                            "sigma_low", "sigma_high"));
                    yield tweak(node, Recipes.intervalCfg(name, model(node, "model", models), sampler(node, "euler"),
                            timeline(node, 20, null), node.number("cfg", 5.0),
                            node.number("sigma_low", Recipes.INTERVAL_SIGMA_LOW),
                            node.number("sigma_high", Recipes.INTERVAL_SIGMA_HIGH)));
                }
                default -> throw node.get("kind").error("unknown recipe kind '" + kind + "' (known: "
                        + String.join(", ", Recipes.KINDS) + ")");
            };
            return recipe;
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** The keys of a single-phase kind: its own plus the timeline's. */
    private static String[] keys(String... own) {
        String[] all = new String[own.length + TIMELINE.length];
        System.arraycopy(own, 0, all, 0, own.length);
        System.arraycopy(TIMELINE, 0, all, own.length, TIMELINE.length);
        return all;
    }

    /** The simple hybrid: {@code base}, {@code student}, {@code base_steps}, {@code base_cfg}, {@code base_sampler}. */
    private static RecipeSpec simpleHybrid(ConfigNode node, String name, Set<String> models) {
        node.allowOnly("name", "kind", "base", "student", "base_steps", "base_cfg", "base_sampler", "negative_prompt",
                "timesteps", "steps", "scheduler");
        RecipeSpec recipe = Recipes.hybrid(name, model(node, "base", models), sampler(node, "base_sampler", "euler"),
                node.number("base_cfg", 5.0), node.integer("base_steps", 1), model(node, "student", models),
                timeline(node, 4, Recipes.DMD2_TIMESTEPS));
        return tweak(node, recipe);
    }

    /** A hybrid written as explicit phases over one timeline. */
    private static RecipeSpec generalHybrid(ConfigNode node, String name, Set<String> models) {
        node.allowOnly("name", "kind", "phases", "timesteps", "steps", "scheduler", "denoise", "start_step");
        ScheduleSpec timeline = timeline(node, 4, Recipes.DMD2_TIMESTEPS);
        List<PhaseSpec> phases = new ArrayList<>();
        for (ConfigNode p : node.require("phases").list()) {
            p.allowOnly("model", "from", "to", "sampler", "eta", "cfg", "negative_prompt", "sigma_low", "sigma_high");
            PhaseSpec phase = new PhaseSpec(new ModelRef.Named(model(p, "model", models)), p.require("from").integer(),
                    p.require("to").integer(), sampler(p, "euler"), p.number("eta", 0.0), p.number("cfg", 1.0),
                    p.has("negative_prompt") ? p.get("negative_prompt").text() : null,
                    p.number("sigma_low", Double.NEGATIVE_INFINITY), p.number("sigma_high", Double.POSITIVE_INFINITY), null);
            phases.add(phase);
        }
        int start = node.integer("start_step", phases.isEmpty() ? 0 : phases.get(0).from());
        return new RecipeSpec(name, "hybrid", timeline, start, phases);
    }

    private static String model(ConfigNode node, String key, Set<String> models) {
        ConfigNode value = node.require(key);
        String name = value.nonEmptyText();
        if (!models.contains(name)) {
            throw value.error("unknown model '" + name + "' (models: " + String.join(", ", models) + ")");
        }
        return name;
    }

    private static String sampler(ConfigNode node, String fallback) {
        return sampler(node, "sampler", fallback);
    }

    private static String sampler(ConfigNode node, String key, String fallback) {
        ConfigNode value = node.get(key);
        String name = value == null ? fallback : value.nonEmptyText();
        try {
            return Samplers.byName(name).name();
        } catch (IllegalArgumentException e) {
            throw (value == null ? node : value).error(e.getMessage());
        }
    }

    /** {@code timesteps: [..]}, or {@code steps}/{@code scheduler}/{@code denoise}, else the kind's default. */
    private static ScheduleSpec timeline(ConfigNode node, int defaultSteps, double[] defaultTimesteps) {
        ConfigNode explicit = node.get("timesteps");
        try {
            if (explicit != null) {
                if (node.has("steps") || node.has("scheduler") || node.has("denoise")) {
                    throw explicit.error("give either timesteps or steps/scheduler/denoise, not both");
                }
                List<ConfigNode> items = explicit.list();
                double[] values = new double[items.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = items.get(i).number();
                }
                return ScheduleSpec.explicit(values);
            }
            if (defaultTimesteps != null && !node.has("steps") && !node.has("scheduler")) {
                return ScheduleSpec.explicit(defaultTimesteps);
            }
            return new ScheduleSpec(node.integer("steps", defaultSteps), node.text("scheduler", "normal"), null,
                    node.number("denoise", 1.0));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** Applies the kind-level {@code negative_prompt} and {@code eta} keys to the recipe's first phase. */
    private static RecipeSpec tweak(ConfigNode node, RecipeSpec recipe) {
        if (!node.has("negative_prompt") && !node.has("eta")) {
            return recipe;
        }
        List<PhaseSpec> phases = new ArrayList<>(recipe.phases());
        PhaseSpec p = phases.get(0);
        String negative = node.has("negative_prompt") ? node.get("negative_prompt").text() : p.negativePrompt();
        phases.set(0, new PhaseSpec(p.model(), p.from(), p.to(), p.sampler(), node.number("eta", p.eta()), p.cfg(), negative,
                p.cfgSigmaLow(), p.cfgSigmaHigh(), p.cads()));
        return new RecipeSpec(recipe.name(), recipe.kind(), recipe.timeline(), recipe.startStep(), phases);
    }
}
