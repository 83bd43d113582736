package io.seedgrid.jobs.render;

import io.seedgrid.jobs.InputFiles;
import io.seedgrid.jobs.config.Limits;
import io.seedgrid.jobs.config.PromptText;
import io.seedgrid.udf.pipeline.ConditionAnnealing;
import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.recipe.RecipeSpec;
import io.seedgrid.udf.recipe.Recipes;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.ScheduleSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A validated {@code seedgrid render} request: everything is checked before any model loads, so that
 * bad input costs nothing and writes nothing. The recipe names its models {@value #MODEL} (the
 * {@code --model} directory) and {@value #STUDENT} (the {@code --student} directory).
 */
public record RenderSpec(Path model, Path base, Path student, String prompt, String negative, long seed, RecipeSpec recipe,
                         Integer width, Integer height, LongPromptMode longPrompt, String device, Path out) {

    public static final String MODEL = "model";
    public static final String STUDENT = "student";
    /** What a message about a limit adds for render, which takes seedgrid's defaults. */
    private static final String LIMIT = " (seedgrid's default limit; a run config can raise it in its limits: section)";

    /** The command line's values; null means "not given" (the recipe kind's default applies). */
    public record Options(Path model, Path base, Path student, String prompt, String negative, String seed, String recipe,
                          Integer steps, Double cfg, String sampler, String scheduler, double[] timesteps, Double alpha,
                          Integer baseSteps, Double sigmaLow, Double sigmaHigh, Double cadsNoiseScale, Integer width,
                          Integer height, String longPrompt, String device, Path out) {
    }

    /**
     * Parses and checks the command line's values against seedgrid's default {@link Limits} (a run config can
     * raise them, render cannot); throws IllegalArgumentException naming the first problem.
     */
    public static RenderSpec parse(Options o) {
        if (o.prompt() == null || o.prompt().isBlank()) {
            throw new IllegalArgumentException("--prompt is empty");
        }
        checkPrompt("--prompt", "the prompt", o.prompt());
        checkPrompt("--negative", "the negative prompt", o.negative() == null ? "" : o.negative());
        checkSize("--width", o.width());
        checkSize("--height", o.height());
        if (o.width() != null && o.height() != null) {
            checkImage(o.width(), o.height());
        }
        if (o.cfg() != null && (!Double.isFinite(o.cfg()) || o.cfg() < 0)) {
            throw new IllegalArgumentException("--cfg must be a non-negative number, got " + o.cfg());
        }
        if (o.sampler() != null) {
            Samplers.byName(o.sampler());
        }
        checkFolder("--model", o.model());
        checkFolder("--base", o.base());
        checkFolder("--student", o.student());
        Path parent = o.out().toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("--out: no such directory: " + parent);
        }
        if (Files.isDirectory(o.out())) {
            throw new IllegalArgumentException("--out: " + o.out() + " is a directory; name a .png file");
        }
        RecipeSpec recipe = recipe(o);
        String steps = Limits.DEFAULTS.stepsProblem(recipe.timeline().fullSteps());
        if (steps != null) {
            throw new IllegalArgumentException("--steps: " + steps + LIMIT);
        }
        return new RenderSpec(o.model(), o.base(), o.student(), o.prompt(), o.negative() == null ? "" : o.negative(),
                Seeds.parse(o.seed()), recipe, o.width(), o.height(), LongPromptMode.parse(o.longPrompt()), o.device(), o.out());
    }

    /** Checks the image size given the model's default for a side not given on the command line. */
    public void checkImageSize(int defaultSize) {
        checkImage(width != null ? width : defaultSize, height != null ? height : defaultSize);
    }

    private static void checkImage(int width, int height) {
        String problem = Limits.DEFAULTS.imageProblem(width, height);
        if (problem != null) {
            throw new IllegalArgumentException("--width " + width + " --height " + height + ": " + problem + LIMIT);
        }
    }

    private static void checkPrompt(String option, String what, String text) {
        String problem = PromptText.problem(what, text, Limits.DEFAULTS);
        if (problem != null) {
            throw new IllegalArgumentException(option + ": " + problem + (problem.contains("limits.") ? LIMIT : ""));
        }
    }

    private static RecipeSpec recipe(Options o) {
        String kind = o.recipe() == null ? "base" : o.recipe();
        ScheduleSpec dmd2 = timeline(o, Recipes.DMD2_TIMESTEPS, 4);
        ScheduleSpec plain = timeline(o, null, 20);
        double cfg = o.cfg() == null ? 5.0 : o.cfg();
        String sampler = o.sampler() == null ? "euler" : o.sampler();
        if ((kind.equals("hybrid") || kind.equals("blend")) && o.student() == null) {
            throw new IllegalArgumentException("--recipe " + kind + " needs --student DIR (the distilled model) besides --model");
        }
        if (kind.equals("blend") && o.alpha() == null) {
            throw new IllegalArgumentException("--recipe blend needs --alpha");
        }
        return switch (kind) {
            case "base" -> Recipes.base(kind, MODEL, sampler, plain, cfg);
            case "dmd2" -> Recipes.dmd2(kind, MODEL, dmd2);
            case "skip-first" -> Recipes.skipFirst(kind, MODEL, dmd2);
            case "hybrid" -> Recipes.hybrid(kind, MODEL, sampler, cfg, o.baseSteps() == null ? 1 : o.baseSteps(), STUDENT, dmd2);
            case "blend" -> Recipes.blend(kind, MODEL, STUDENT, o.alpha(), o.sampler() == null ? "lcm" : o.sampler(),
                    dmd2, o.cfg() == null ? 1.0 : o.cfg());
            case "cads" -> {
                ConditionAnnealing r = ConditionAnnealing.recommended();
                yield Recipes.cads(kind, MODEL, sampler, plain, cfg, new ConditionAnnealing(r.tau1(), r.tau2(),
                        o.cadsNoiseScale() == null ? r.noiseScale() : o.cadsNoiseScale(), r.psi(), r.rescale()));
            }
            case "interval-cfg" -> Recipes.intervalCfg(kind, MODEL, sampler, plain, cfg,
                    o.sigmaLow() == null ? Recipes.INTERVAL_SIGMA_LOW : o.sigmaLow(),
                    o.sigmaHigh() == null ? Recipes.INTERVAL_SIGMA_HIGH : o.sigmaHigh());
            default -> throw new IllegalArgumentException("unknown --recipe '" + kind + "' (known: " + String.join(", ", Recipes.KINDS) + ")");
        };
    }

    /** {@code --timesteps}, else {@code --steps}/{@code --scheduler}, else the kind's default. */
    private static ScheduleSpec timeline(Options o, double[] defaultTimesteps, int defaultSteps) {
        if (o.timesteps() != null) {
            return ScheduleSpec.explicit(o.timesteps());
        }
        if (defaultTimesteps != null && o.steps() == null && o.scheduler() == null) {
            return ScheduleSpec.explicit(defaultTimesteps);
        }
        return ScheduleSpec.of(o.steps() == null ? defaultSteps : o.steps(), o.scheduler() == null ? "normal" : o.scheduler());
    }

    private static void checkFolder(String option, Path dir) {
        if (dir != null) {
            InputFiles.requireDirectory(option, dir);
        }
    }

    private static void checkSize(String option, Integer value) {
        if (value != null && (value <= 0 || value % 8 != 0)) {
            throw new IllegalArgumentException(option + " must be a positive multiple of 8, got " + value);
        }
    }
}
