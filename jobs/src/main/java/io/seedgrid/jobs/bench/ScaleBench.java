package io.seedgrid.jobs.bench;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.GridLayout;
import io.seedgrid.jobs.generate.HadoopConf;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.generate.RunContext;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * {@code seedgrid bench scale}: how busy the run loop keeps a big cluster, simulated on this machine. The real
 * generate job runs over a grid mixing a 50-step CFG recipe (101 UNet image-evaluations per image) with a
 * 4-step one (5), but each unit is rendered by a {@link SleepingRenderer} that sleeps for its modelled GPU
 * time, so that 64 task slots cost no CPU. Utilisation = modelled work / (task slots × wall time). The wave-1
 * run loop ({@link LegacyChunkLoop}: one blocking job and commit per chunk) is measured in the same run, on the
 * same grid and session, for {@code legacySeconds} of wall time.
 */
public final class ScaleBench {

    /**
     * @param prompts       prompts of the grid (cells = prompts × seeds × 2 recipes)
     * @param seeds         seeds per prompt
     * @param evaluationMs  modelled GPU time of one UNet image-evaluation
     * @param commitSeconds modelled work per part at most (how often each task slot commits)
     * @param legacyChunk   the wave-1 loop's chunk_size (the SDXL + DMD2 sweep config's: 64)
     * @param legacyBatch   its batch_size (the sweep's: 4)
     * @param legacySeconds how long the wave-1 loop runs (its utilisation is steady from the first chunks)
     */
    public record Options(int prompts, int seeds, double evaluationMs, double commitSeconds, int legacyChunk,
                          int legacyBatch, double legacySeconds) {
    }

    /** The figures of one run. */
    public record Result(String master, int slots, long cells, double modelledSeconds, long parts, double wallSeconds,
                         LegacyChunkLoop.Result legacy, Options options) {
        public double utilisation() {
            return modelledSeconds / (slots * wallSeconds);
        }

        public double legacyUtilisation() {
            return legacy.modelledSeconds() / (slots * legacy.wallSeconds());
        }

        public String report() {
            return String.format(Locale.ROOT, """
                    bench scale: %d cells (%d prompts x %d seeds x 2 recipes: base-50 at 101 and dmd2-4 at 5 UNet \
                    image-evaluations per image), %.3g ms per evaluation: %.0f s of modelled GPU work
                      master %s, %d task slots
                      run loop:    %d parts (at most %.0f s of modelled work each), wall %.1f s, utilisation %.3f
                      wave-1 loop: %d-cell chunks of batch %d, %d chunks (%d cells, %.0f s of work) in %.1f s, \
                    utilisation %.3f
                      ratio %.2f""", cells, options.prompts(), options.seeds(), options.evaluationMs(), modelledSeconds,
                    master, slots, parts, options.commitSeconds(), wallSeconds, utilisation(), options.legacyChunk(),
                    options.legacyBatch(), legacy.chunks(), legacy.cells(), legacy.modelledSeconds(), legacy.wallSeconds(),
                    legacyUtilisation(), utilisation() / legacyUtilisation());
        }
    }

    private ScaleBench() {
    }

    public static Result run(SparkSession spark, Path models, Path scratch, Options o, PrintStream console)
            throws IOException {
        RunConfig config = config(models, scratch, o);
        Map<String, ModelIdentity> identities = Preflight.check(config);
        SleepingRenderer renderer = new SleepingRenderer(o.evaluationMs());
        double modelled = 0;
        for (RecipeSpec recipe : config.recipes()) {
            modelled += renderer.modelledMs(recipe, config.prompts().size() * config.seeds().size()) / 1000;
        }
        int slots = spark.sparkContext().defaultParallelism();
        long parts = GridLayout.of(config, GridLayout.autoBuckets(config), slots).totals().parts();
        console.printf(Locale.ROOT, "bench scale: %d cells, %.0f s of modelled work over %d slots; the run loop first%n",
                config.gridSize(), modelled, slots);
        long start = System.nanoTime();
        GenerateJob.run(config, identities, spark, console, GenerateJob.Options.defaults().withRenderer(renderer));
        double wall = (System.nanoTime() - start) / 1e9;

        console.printf(Locale.ROOT, "run loop: %.1f s; now the wave-1 loop for %.0f s%n", wall, o.legacySeconds());
        RunContext context = new RunContext(config.run(), "legacy", scratch.resolve("legacy").toString(), config.width(),
                config.height(), "truncate", identities, null, false, new HadoopConf(spark.sparkContext()
                .hadoopConfiguration()), renderer);
        LegacyChunkLoop.Result legacy = LegacyChunkLoop.run(spark, config, identities, context, renderer, o.legacyChunk(),
                o.legacyBatch(), o.legacySeconds(), scratch.resolve("legacy/images").toString());
        return new Result(spark.sparkContext().master(), slots, config.gridSize(), modelled, parts, wall, legacy, o);
    }

    /** The benchmark grid on the embedded models' folders (only their signatures and hashes are read). */
    static RunConfig config(Path models, Path scratch, Options o) throws IOException {
        Files.createDirectories(scratch);
        Path prompts = scratch.resolve("prompts.txt");
        Files.writeString(prompts, LongStream.range(0, o.prompts()).mapToObj(i -> "prompt " + i)
                .collect(Collectors.joining("\n")) + "\n");
        Path yaml = scratch.resolve("scale.yaml");
        Files.writeString(yaml, """
                run: scale
                output: %s
                models:
                  base: {path: %s, device: cpu}
                  dmd2: {path: %s, device: cpu}
                prompts: {file: %s}
                seeds: {start: 0, count: %d}
                width: 64
                height: 64
                recipes:
                  - {name: base-50, kind: base, model: base, steps: 50, cfg: 5}
                  - {name: dmd2-4, kind: dmd2, model: dmd2}
                batch_size: 8
                chunk_size: 1000000
                commit_seconds: %s
                evaluation_ms: %s
                limits: {cells: 100000000}
                """.formatted(scratch.resolve("runs"), models.resolve("base"), models.resolve("dmd2"), prompts, o.seeds(),
                o.commitSeconds(), o.evaluationMs()));
        return RunConfigParser.parse(yaml);
    }
}
