package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.RunPaths;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code generate --dry-run}: what a run would do, rendering nothing and writing nothing: the grid, its
 * parts (one file each), units (UNet calls of one batch), UNet image-evaluations and the modelled time, and
 * how much of it is still to do. On a run folder with images the remaining work is found by Spark tasks
 * that plan parts exactly as {@link PartTask} does, many parts per task; the driver holds only counts.
 */
public final class DryRun {

    /** Parts planned by one Spark task. */
    static final int PARTS_PER_TASK = 512;

    private DryRun() {
    }

    /** Counts of work still to do. */
    record Remaining(long cells, long parts, long units, long evaluations) implements Serializable {
        Remaining plus(Remaining o) {
            return new Remaining(cells + o.cells, parts + o.parts, units + o.units, evaluations + o.evaluations);
        }
    }

    /**
     * The report for {@code slots} task slots (a local master's; 0 when unknown: a cluster's); {@code spark} is
     * asked for only when the run folder already has images.
     */
    public static String report(RunConfig config, Map<String, ModelIdentity> models, Configuration hadoop, int slots,
                                Supplier<SparkSession> spark) {
        String runDir = config.runDirectory();
        Manifest manifest = Manifest.open(runDir, hadoop);
        RunFolder.checkSameRun(manifest, config, models);
        int buckets = RunFolder.buckets(manifest, config);
        GridLayout layout = GridLayout.of(config, buckets, slots);
        GridLayout.Totals totals = layout.totals();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "generate --dry-run %s: nothing is rendered or written%n", config.run()));
        out.append(String.format(Locale.ROOT, "  grid:        %d cells = %d prompts x %d seeds x %d recipes%n",
                config.gridSize(), config.prompts().size(), config.seeds().size(), config.recipes().size()));
        out.append(String.format(Locale.ROOT, "  layout:      %d prompt buckets per recipe, %s; cells per part:", buckets,
                slots > 0 ? slots + " task slots" : "a cluster's task slots unknown (a grid under 4 parts per slot gets"
                        + " smaller parts there)"));
        for (int r = 0; r < layout.recipes(); r++) {
            out.append(String.format(Locale.ROOT, " %s %d", layout.recipeName(r), layout.cellsPerPart(r)));
        }
        out.append(String.format(Locale.ROOT, "%n  whole grid:  %d parts (Parquet files), %d units (batches of up to %d"
                        + " seeds), %d UNet image-evaluations, %s modelled at %.3g ms each%n", totals.parts(), totals.units(),
                config.batchSize(), totals.evaluations(), hours(totals.modelledSeconds()), layout.evaluationMs()));
        Remaining remaining = hasImages(runDir, hadoop)
                ? remaining(spark.get(), layout, config, models, hadoop)
                : new Remaining(totals.cells(), totals.parts(), totals.units(), totals.evaluations());
        out.append(String.format(Locale.ROOT, "  to do:       %d cells in %d parts, %d units, %d UNet image-evaluations, %s"
                        + " modelled%n", remaining.cells(), remaining.parts(), remaining.units(), remaining.evaluations(),
                hours(remaining.evaluations() * layout.evaluationMs() / 1000)));
        out.append(String.format(Locale.ROOT, "  output:      %s/images", runDir));
        return out.toString();
    }

    private static boolean hasImages(String runDir, Configuration hadoop) {
        Path images = RunPaths.table(runDir, RunPaths.IMAGES);
        try {
            return FileSystems.of(images, hadoop).exists(images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + images, e);
        }
    }

    /** What is left, planned by Spark tasks of {@value #PARTS_PER_TASK} parts each. */
    private static Remaining remaining(SparkSession spark, GridLayout layout, RunConfig config,
                                       Map<String, ModelIdentity> models, Configuration hadoop) {
        RunContext context = new RunContext(config.run(), "dry-run", config.runDirectory(), config.width(), config.height(),
                config.longPrompt().name().toLowerCase(Locale.ROOT), models, config.blendCache(), false,
                new HadoopConf(hadoop), null);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<GridLayout> shared = jsc.broadcast(layout);
        Remaining total = new Remaining(0, 0, 0, 0);
        Iterator<GridLayout.Part> parts = layout.parts();
        while (parts.hasNext()) {
            List<List<GridLayout.Part>> tasks = new ArrayList<>();
            for (int t = 0; t < 4 * jsc.defaultParallelism() && parts.hasNext(); t++) {
                List<GridLayout.Part> batch = new ArrayList<>(PARTS_PER_TASK);
                while (batch.size() < PARTS_PER_TASK && parts.hasNext()) {
                    batch.add(parts.next());
                }
                tasks.add(batch);
            }
            total = total.plus(jsc.parallelize(tasks, tasks.size())
                    .map(batch -> plan(batch, shared.value(), context)).reduce(Remaining::plus));
        }
        return total;
    }

    private static Remaining plan(List<GridLayout.Part> parts, GridLayout layout, RunContext run) throws IOException {
        FileSystem fs = FileSystems.of(new Path(run.runDir()), run.hadoop().get());
        Remaining sum = new Remaining(0, 0, 0, 0);
        for (GridLayout.Part part : parts) {
            PartTask.Plan plan = PartTask.plan(part, layout, run, fs);
            long todo = plan.todo();
            if (todo > 0) {
                sum = sum.plus(new Remaining(todo, 1, plan.units().size(), todo * layout.evaluationsPerCell(part.recipe())));
            }
        }
        return sum;
    }

    private static String hours(double seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%.1f h", seconds / 3600)
                : String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
}
