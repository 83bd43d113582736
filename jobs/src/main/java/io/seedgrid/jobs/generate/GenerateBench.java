package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generation benchmark: the whole Spark job (render, PNG, rows, each part's Parquet file written and
 * published) against the same cells rendered by a plain loop of {@code threads} threads in this JVM
 * (render, PNG and rows, nothing written), both with one ONNX Runtime thread per worker, after {@value #WARM_UP}
 * untimed runs of each. Loops and Spark runs
 * alternate (loop, Spark, loop, ..., loop) and each Spark run is compared with the mean of the loops just
 * before and after it, so that this machine's drift (shared cores change speed by tens of percent within
 * a minute) cancels; the report gives every round and the median ratio.
 */
public final class GenerateBench {

    /** Untimed runs of the loop and of the Spark job before the rounds. */
    static final int WARM_UP = 5;

    private GenerateBench() {
    }

    /** Images per second of each run: {@code loops} has one more entry than {@code sparks}. */
    public record Result(long cells, int threads, String master, List<Double> loops, List<Double> sparks) {
        /** Spark run {@code i} against the mean of the loops around it. */
        public double ratio(int i) {
            return sparks.get(i) / ((loops.get(i) + loops.get(i + 1)) / 2);
        }

        public double medianRatio() {
            double[] r = new double[sparks.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = ratio(i);
            }
            Arrays.sort(r);
            return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        }

        public String report() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "generate bench: %d cells, %d rounds%n",
                    cells, sparks.size()));
            for (int i = 0; i < sparks.size(); i++) {
                out.append(String.format(Locale.ROOT, "  plain loop, %d threads    %8.2f images/s%n", threads, loops.get(i)));
                out.append(String.format(Locale.ROOT, "  Spark %-10s job     %8.2f images/s   ratio %.3f%n", master,
                        sparks.get(i), ratio(i)));
            }
            out.append(String.format(Locale.ROOT, "  plain loop, %d threads    %8.2f images/s%n", threads,
                    loops.get(sparks.size())));
            return out.append(String.format(Locale.ROOT,
                    "  ratio Spark / plain loop (each Spark run against the loops around it), median = %.3f",
                    medianRatio())).toString();
        }
    }

    public static Result run(RunConfig config, SparkSession spark, int threads, int rounds, Path scratch,
                             PrintStream console) throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1");
        }
        var models = Preflight.check(config);
        // One ONNX Runtime thread per worker, as a Spark task gets with spark.task.cpus = 1.
        RunContext context = new RunContext(config.run(), "bench", scratch.toString(), config.width(), config.height(),
                config.longPrompt().name().toLowerCase(Locale.ROOT), models, config.blendCache(), false,
                null, new SdxlRenderer(1));
        List<WorkUnit> units = units(config, context, spark.sparkContext().defaultParallelism());
        long cells = units.stream().mapToLong(WorkUnit::size).sum();
        UnitRenderer renderer = new UnitRenderer(context);
        // Warm-up, untimed: the whole grid WARM_UP times in the loop and through Spark (sessions, blends, the JIT
        // of both paths, Spark's scheduler and the Parquet writer), so that the rounds measure the steady state a
        // long run works in. One run was not enough on a 2-core machine: the JIT's compiler threads still took up to a
        // fifth of the cores during the next Spark runs (per-thread CPU from /proc; -XX:+PrintCompilation showed
        // Parquet's and Jackson's methods, which run a few times per part), and the ratio rose from 0.72 to 0.83-0.90
        // over nine rounds; with five the demo's median went from about 0.85 to 0.87.
        for (int w = 1; w <= WARM_UP; w++) {
            console.printf(Locale.ROOT, "warm-up %d of %d%n", w, WARM_UP);
            loop(renderer, units, threads);
            GenerateJob.run(config.withOutput(scratch.resolve("warm-up-" + w).toString()), models, spark,
                    new PrintStream(PrintStream.nullOutputStream()), GenerateJob.Options.defaults());
        }
        List<Double> loops = new ArrayList<>();
        List<Double> sparks = new ArrayList<>();
        console.println("warm; timing the plain loop");
        loops.add(loop(renderer, units, threads));
        for (int r = 1; r <= rounds; r++) {
            console.printf(Locale.ROOT, "plain loop: %.2f images/s; timing the Spark job (round %d of %d)%n",
                    loops.get(loops.size() - 1), r, rounds);
            RunConfig scratchRun = config.withOutput(scratch.resolve("spark-" + r).toString());
            long start = System.nanoTime();
            GenerateJob.Summary summary = GenerateJob.run(scratchRun, models, spark, console, GenerateJob.Options.defaults());
            sparks.add(summary.rendered() / ((System.nanoTime() - start) / 1e9));
            loops.add(loop(renderer, units, threads));
        }
        return new Result(cells, threads, spark.sparkContext().master(), loops, sparks);
    }

    /** Every cell of the grid as the Spark job's parts cut it into units. */
    private static List<WorkUnit> units(RunConfig config, RunContext context, int slots) {
        GridLayout layout = GridLayout.of(config, GridLayout.autoBuckets(config), slots);
        List<WorkUnit> units = new ArrayList<>();
        for (var parts = layout.parts(); parts.hasNext(); ) {
            GridLayout.Part part = parts.next();
            units.addAll(PartTask.units(part, layout, context, layout.cells(part), java.util.Set.of()));
        }
        return units;
    }

    private static double loop(UnitRenderer renderer, List<WorkUnit> units, int threads) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong images = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < units.size(); i = next.getAndIncrement()) {
                        images.addAndGet(renderer.render(units.get(i)).size());
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        return images.get() / ((System.nanoTime() - start) / 1e9);
    }
}
