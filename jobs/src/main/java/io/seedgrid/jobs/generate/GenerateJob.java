package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.GracefulStop;
import io.seedgrid.jobs.KillPoints;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.RunPaths;
import io.seedgrid.jobs.spark.SparkWaves;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code seedgrid generate}: renders every cell of a config that is not yet in {@code <run>/images/}.
 *
 * <p>The grid is cut into parts ({@link GridLayout}); each part is one Spark task that renders its cells
 * and publishes them as one Parquet file ({@link PartTask}). All parts of the run go through a few Spark
 * jobs of many tasks ({@link SparkWaves}) with no barrier between them: every executor slot stays busy
 * until the grid is done, and each task's output is final the moment it is published. The driver holds
 * the config (prompts and seed range), never a list of cells: what is done is found by the tasks, in the
 * run folder. A rerun renders exactly the missing cells, whatever ended the run before.
 */
public final class GenerateJob {

    /** Told on the driver after each finished wave of parts (tests use it to stop a run midway). */
    @FunctionalInterface
    public interface WaveListener {
        WaveListener NONE = (parts, cells) -> { };

        void finished(long partsDone, long cellsDone);
    }

    /**
     * @param retryErrors render the cells recorded with status {@code error} again first ({@code --retry-errors})
     * @param renderer    what renders a unit (the SDXL pipeline; benchmarks and tests stand in others)
     * @param listener    told after each wave
     */
    public record Options(boolean retryErrors, CellRenderer renderer, WaveListener listener) {
        public static Options defaults() {
            return new Options(false, new SdxlRenderer(), WaveListener.NONE);
        }

        public Options withListener(WaveListener l) {
            return new Options(retryErrors, renderer, l);
        }

        public Options withRenderer(CellRenderer r) {
            return new Options(retryErrors, r, listener);
        }

        public Options withRetryErrors(boolean retry) {
            return new Options(retry, renderer, listener);
        }
    }

    /** What one attempt did. */
    public record Summary(String runDir, long gridCells, long alreadyDone, long rendered, long ok, long nan, long errors,
                          long retried, long parts, double seconds) {
        public double imagesPerSecond() {
            return seconds > 0 ? rendered / seconds : 0;
        }

        public String report() {
            return String.format(Locale.ROOT,
                    "generate: %d cells in the grid, %d already done, %d rendered now (ok %d, nan %d, error %d)%s in %d"
                            + " parts, %.1f s, %.2f images/s%n  output: %s/images", gridCells, alreadyDone, rendered, ok, nan,
                    errors, retried > 0 ? ", " + retried + " error cells retried" : "", parts, seconds, imagesPerSecond(),
                    runDir);
        }
    }

    /** Jobs submitted at once: the next job's tasks start while the current job's last tasks run. */
    static final int JOBS_IN_FLIGHT = 3;

    private GenerateJob() {
    }

    public static Summary run(RunConfig config, Map<String, ModelIdentity> models, SparkSession spark, PrintStream console,
                              Options options) {
        long start = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String runDir = config.runDirectory();
        try (RunLock lock = RunLock.acquire(runDir, hadoop)) {
            Manifest manifest = Manifest.open(runDir, hadoop);
            RunFolder.checkSameRun(manifest, config, models);
            int buckets = RunFolder.buckets(manifest, config);
            RunFolder.record(manifest, config, models, buckets);
            String attempt = Attempts.newId();
            ObjectNode attemptNode = Attempts.start(manifest, "generate", attempt);
            // What killed attempts left under <run>/_tmp is never published nor read: under the run lock no other
            // attempt is alive, and a straggler task of a dead one can no longer publish once its file is gone.
            FileSystem fs = FileSystems.of(RunPaths.temporary(runDir), hadoop);
            FileSystems.delete(fs, RunPaths.temporary(runDir));

            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            GridLayout layout = GridLayout.of(config, buckets, jsc.defaultParallelism());
            GridLayout.Totals totals = layout.totals();
            RunContext context = new RunContext(config.run(), attempt, runDir, config.width(), config.height(),
                    config.longPrompt().name().toLowerCase(Locale.ROOT), models, config.blendCache(), config.pngFiles(),
                    new HadoopConf(hadoop), options.renderer());
            int waveSize = config.partitions() > 0 ? config.partitions() : 4 * jsc.defaultParallelism();
            console.printf(Locale.ROOT, "generate %s: %d cells (%d prompts x %d seeds x %d recipes) in %d parts over %d prompt"
                            + " buckets, %d Spark tasks per job%n", config.run(), config.gridSize(), config.prompts().size(),
                    config.seeds().size(), config.recipes().size(), totals.parts(), buckets, waveSize);

            LiveCounts live = new LiveCounts(jsc.sc().longAccumulator("seedgrid.cells"),
                    jsc.sc().longAccumulator("seedgrid.rendered"));
            Progress progress = new Progress(totals.cells(), start, live);
            try {
                long retried = 0;
                if (options.retryErrors()) {
                    retried = RetryErrors.run(spark, context, layout.batchSize(), console);
                }
                // Broadcast, so that an executor deserializes the layout and the run's settings (their Hadoop
                // configuration alone is ~100 kB) once per job instead of once per task.
                Broadcast<GridLayout> shared = jsc.broadcast(layout);
                Broadcast<RunContext> sharedRun = jsc.broadcast(context);
                SparkWaves.Outcome outcome;
                try (Ticker ignored = Ticker.every(15, progress::line, console)) {
                    outcome = SparkWaves.run(jsc, "seedgrid-generate-" + attempt, layout.parts(), waveSize, JOBS_IN_FLIGHT,
                            wave -> jsc.parallelize(wave, wave.size())
                                    .map(part -> live.count(PartTask.run(part, shared.value(), sharedRun.value())))
                                    .collectAsync(),
                            results -> {
                                progress.add(results);
                                Attempts.update(attemptNode, "running", progress.counts(), null);
                                KillPoints.reach(KillPoints.MANIFEST);
                                manifest.save();
                                options.listener().finished(progress.parts, progress.cells());
                                progress.checkFailedShare(config.maxFailedShare(), runDir);
                            },
                            GracefulStop::requested);
                }
                if (outcome == SparkWaves.Outcome.STOPPED) {
                    Attempts.update(attemptNode, "interrupted", progress.counts(), "stopped by SIG" + GracefulStop.signal());
                    manifest.save();
                    throw new GracefulStop.Interrupted("interrupted: " + progress.committed() + " cells committed; a rerun"
                            + " resumes");
                }
                Attempts.update(attemptNode, "done", progress.counts(), null);
                manifest.save();
                FileSystems.delete(fs, RunPaths.temporary(runDir));
                return new Summary(runDir, config.gridSize(), progress.alreadyDone, progress.rendered(), progress.ok,
                        progress.nan, progress.errors, retried, totals.parts(), (System.nanoTime() - start) / 1e9);
            } catch (GracefulStop.Interrupted e) {
                throw e;
            } catch (RuntimeException e) {
                Attempts.update(attemptNode, "failed", progress.counts(), e.getMessage());
                manifest.save();
                throw e;
            }
        }
    }

    /**
     * Cells of the finished parts and cells rendered, added to by the tasks as they end, so that the progress
     * line moves while a Spark job of hundreds of tasks runs.
     */
    private record LiveCounts(LongAccumulator cells, LongAccumulator rendered) implements java.io.Serializable {
        /** On an executor: counts a finished part and passes its result on. */
        PartTask.Result count(PartTask.Result result) {
            cells.add(result.cells());
            rendered.add(result.rendered());
            return result;
        }
    }

    /**
     * Counts of the parts finished so far in this attempt from the results of finished Spark jobs (the
     * manifest and the summary), and the progress line from the live counts.
     */
    private static final class Progress {
        private final long gridCells;
        private final long start;
        private final LiveCounts live;
        long parts;
        long alreadyDone;
        long ok;
        long nan;
        long errors;
        long evaluations;

        Progress(long gridCells, long start, LiveCounts live) {
            this.gridCells = gridCells;
            this.start = start;
            this.live = live;
        }

        synchronized void add(List<PartTask.Result> results) {
            for (PartTask.Result r : results) {
                parts++;
                alreadyDone += r.alreadyDone();
                ok += r.ok();
                nan += r.nan();
                errors += r.errors();
                evaluations += r.evaluations();
            }
        }

        synchronized long rendered() {
            return ok + nan + errors;
        }

        /** Cells of the finished parts: already done before, or rendered and published now. */
        synchronized long cells() {
            return alreadyDone + rendered();
        }

        synchronized long committed() {
            return rendered();
        }

        synchronized Map<String, Number> counts() {
            Map<String, Number> counts = new LinkedHashMap<>();
            counts.put("parts", parts);
            counts.put("already_done", alreadyDone);
            counts.put("rendered", rendered());
            counts.put("ok", ok);
            counts.put("nan", nan);
            counts.put("error", errors);
            counts.put("unet_evaluations", evaluations);
            return counts;
        }

        String line() {
            double elapsed = (System.nanoTime() - start) / 1e9;
            long cells = live.cells().value();
            long rendered = live.rendered().value();
            double rate = rendered / Math.max(elapsed, 1e-9);
            return String.format(Locale.ROOT, "  ... %d/%d cells done (%.0f%%), %d rendered now, %.2f images/s, ETA %s",
                    cells, gridCells, 100.0 * cells / Math.max(1, gridCells), rendered, rate,
                    rate > 0 ? Eta.of((gridCells - cells) / rate) : "?");
        }

        synchronized void checkFailedShare(double maxShare, String runDir) {
            long rendered = rendered();
            double share = rendered == 0 ? 0 : (double) errors / rendered;
            if (share > maxShare) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%d of %d cells failed (%.0f%% > max_failed_share"
                        + " %.0f%%); see the message column of %s/images for the errors", errors, rendered, 100 * share,
                        100 * maxShare, runDir));
            }
        }
    }
}
