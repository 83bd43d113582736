package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.config.RunConfig;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generation benchmark: the whole Spark job (render, PNG, Parquet commit per chunk) against the same
 * cells rendered by a plain loop of {@code threads} threads in this JVM (render and PNG, nothing
 * written), both with one ONNX Runtime thread per worker and warm sessions. The plain loop runs before
 * and after Spark, so the noise of this machine shows in the two baseline figures.
 */
public final class GenerateBench {

    private GenerateBench() {
    }

    /** Images per second of each run. */
    public record Result(long cells, int threads, String master, double loopBefore, double spark, double loopAfter) {
        public double ratio() {
            return spark / ((loopBefore + loopAfter) / 2);
        }

        public String report() {
            return String.format(Locale.ROOT,
                    "generate bench: %d cells%n"
                            + "  plain loop, %d threads (before)  %8.2f images/s%n"
                            + "  Spark %-10s generate job     %8.2f images/s%n"
                            + "  plain loop, %d threads (after)   %8.2f images/s%n"
                            + "  ratio Spark / plain loop (mean of before and after) = %.3f",
                    cells, threads, loopBefore, master, spark, threads, loopAfter, ratio());
        }
    }

    public static Result run(RunConfig config, SparkSession spark, int threads, Path scratch, PrintStream console)
            throws Exception {
        var models = Preflight.check(config);
        List<WorkUnit> units = GridPlanner.units(config, models, new HashSet<>());
        long cells = units.stream().mapToLong(WorkUnit::size).sum();
        RunContext context = new RunContext(config.run(), "bench", scratch.toString(), config.width(), config.height(),
                config.longPrompt().name().toLowerCase(Locale.ROOT), models, config.blendCache(), false,
                BuildInfo.codeVersion(), null);
        UnitRenderer renderer = new UnitRenderer(context);
        // Warm-up: every recipe once (sessions, blends, JIT), on the settings both sides use.
        for (String recipe : config.recipes().stream().map(r -> r.name()).toList()) {
            units.stream().filter(u -> u.recipeName().equals(recipe)).findFirst()
                    .ifPresent(u -> renderer.renderUnit(u, new ExecutorModels(models, config.blendCache(), 1)));
        }
        // Spark warm-up: one job through the same render-and-commit path (class loading, codegen, Parquet).
        RunConfig warmRun = config.withOutput(scratch.resolve("warm-up").toString());
        try {
            GenerateJob.run(warmRun.withChunkSize(config.batchSize()), models, spark, new PrintStream(PrintStream.nullOutputStream()),
                    (chunk, chunks, done) -> {
                        throw new WarmedUp();
                    });
        } catch (WarmedUp expected) {
            // one chunk committed: Spark's write path is warm
        }
        console.println("warm; timing the plain loop");
        double before = loop(renderer, units, models, config.blendCache(), threads);
        console.printf(Locale.ROOT, "plain loop: %.2f images/s; timing the Spark job%n", before);
        RunConfig scratchRun = config.withOutput(scratch.resolve("spark").toString());
        long start = System.nanoTime();
        GenerateJob.Summary summary = GenerateJob.run(scratchRun, models, spark, console, GenerateJob.ChunkListener.NONE);
        double sparkRate = summary.rendered() / ((System.nanoTime() - start) / 1e9);
        double after = loop(renderer, units, models, config.blendCache(), threads);
        return new Result(cells, threads, spark.sparkContext().master(), before, sparkRate, after);
    }

    /** Stops the warm-up run after its first chunk. */
    private static final class WarmedUp extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static double loop(UnitRenderer renderer, List<WorkUnit> units, java.util.Map<String, ModelIdentity> models,
                               String blendCache, int threads) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong images = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    ExecutorModels resolver = new ExecutorModels(models, blendCache, 1);
                    for (int i = next.getAndIncrement(); i < units.size(); i = next.getAndIncrement()) {
                        images.addAndGet(renderer.renderUnit(units.get(i), resolver).size());
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
