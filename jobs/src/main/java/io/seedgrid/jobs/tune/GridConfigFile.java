package io.seedgrid.jobs.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.LocalFiles;
import io.seedgrid.jobs.config.MeasureConfig;
import io.seedgrid.jobs.config.ModelConfig;
import io.seedgrid.jobs.config.PromptEntry;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.SeedSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code seedgrid tune CONFIG --grid-config FILE}: the ordinary run config of the exhaustive grid over the tune's
 * space — every candidate (references first) as a recipe, every prompt and seed of the pool, the tune's models,
 * size and measure settings with resolved paths — which {@code seedgrid run} renders and measures like any run.
 * With the tune's own run name it is the tune folder's run: {@code seedgrid run} on it completes the grid around
 * the images the tune rendered; another name makes a grid of its own. The models' {@code gpu:} and
 * {@code tensorrt:} options are not copied.
 */
public final class GridConfigFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GridConfigFile() {
    }

    public static void write(TuneConfig tune, String runName, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = LocalFiles.temporaryBeside(file.toAbsolutePath());
            Files.writeString(temp, text(tune, runName), StandardCharsets.UTF_8);
            Files.move(temp, file.toAbsolutePath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String text(TuneConfig tune, String runName) {
        RunConfig run = tune.run();
        List<String> lines = new ArrayList<>();
        lines.add("# The exhaustive grid of the tune " + quote(run.source()) + ": every candidate of its search space as a");
        lines.add("# recipe, on every prompt and seed of its pool (written by seedgrid tune --grid-config).");
        lines.add("run: " + quote(runName));
        lines.add("output: " + quote(run.output()));
        lines.add("models:");
        for (ModelConfig m : run.models().values()) {
            StringBuilder model = new StringBuilder("  " + m.name() + ": {path: " + quote(m.path()));
            if (m.base() != null) {
                model.append(", base: ").append(quote(m.base()));
            }
            model.append(", device: ").append(quote(m.device()));
            if (m.precision() != null) {
                model.append(", precision: ").append(m.precision());
            }
            lines.add(model.append('}').toString());
        }
        lines.add("prompts:");
        for (PromptEntry p : run.prompts()) {
            lines.add("  - {id: " + quote(p.id()) + ", prompt: " + quote(p.prompt()) + ", negative_prompt: "
                    + quote(p.negativePrompt()) + "}");
        }
        SeedSet seeds = run.seeds();
        if (seeds.isRange()) {
            lines.add("seeds: {start: " + Long.toUnsignedString(seeds.start()) + ", count: " + seeds.size() + "}");
        } else {
            List<String> list = new ArrayList<>();
            for (long i = 0; i < seeds.size(); i++) {
                list.add(Long.toUnsignedString(seeds.get(i)));
            }
            lines.add("seeds: [" + String.join(", ", list) + "]");
        }
        lines.add("width: " + run.width());
        lines.add("height: " + run.height());
        lines.add("recipes:");
        for (Candidate c : tune.candidates()) {
            lines.add("  - " + c.yaml());
        }
        lines.add("batch_size: " + run.batchSize());
        lines.add("chunk_size: " + run.parts().maxCells());
        lines.add(String.format(Locale.ROOT, "commit_seconds: %s", run.parts().commitSeconds()));
        if (run.parts().evaluationMs() > 0) {
            lines.add(String.format(Locale.ROOT, "evaluation_ms: %s", run.parts().evaluationMs()));
        }
        lines.add("prompt_buckets: " + TuneRun.grid(tune, runName, run.output()).parts().promptBuckets());
        lines.add("long_prompt: " + run.longPrompt().name().toLowerCase(Locale.ROOT));
        lines.add(String.format(Locale.ROOT, "max_failed_share: %s", run.maxFailedShare()));
        lines.add("png_files: " + run.pngFiles());
        if (run.blendCache() != null) {
            lines.add("blend_cache: " + quote(run.blendCache()));
        }
        lines.add("spark:");
        if (run.master() != null) {
            lines.add("  master: " + quote(run.master()));
        }
        if (run.partitions() > 0) {
            lines.add("  partitions: " + run.partitions());
        }
        if (!run.sparkConf().isEmpty()) {
            lines.add("  conf:");
            run.sparkConf().forEach((k, v) -> lines.add("    " + quote(k) + ": " + quote(v)));
        }
        if (run.master() == null && run.partitions() == 0 && run.sparkConf().isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        MeasureConfig m = run.measure();
        lines.add("measure:");
        if (m.lpips() != null) {
            lines.add("  lpips: " + quote(m.lpips()));
        }
        if (!m.encoders().isEmpty()) {
            lines.add("  encoders: [" + String.join(", ", m.encoders().stream().map(GridConfigFile::quote).toList()) + "]");
        }
        if (m.clip() != null) {
            lines.add("  clip: " + quote(m.clip()));
        }
        if (m.referenceRecipe() != null) {
            lines.add("  reference_recipe: " + quote(m.referenceRecipe()));
        }
        lines.add("  bootstrap: " + m.bootstrap());
        lines.add("  ms_ssim: " + m.msSsim());
        lines.add("limits:");
        run.limits().byKey().forEach((k, v) -> lines.add("  " + k + ": " + v));
        return String.join("\n", lines) + "\n";
    }

    /** A YAML double-quoted scalar (a JSON string is one), whatever the text holds. */
    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
