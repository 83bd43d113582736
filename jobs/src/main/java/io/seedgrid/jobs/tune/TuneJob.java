package io.seedgrid.jobs.tune;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.GracefulStop;
import io.seedgrid.jobs.generate.Attempts;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Manifest;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.RunLock;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.measure.MeasureJob;
import io.seedgrid.jobs.measure.MetricColumns;
import io.seedgrid.jobs.report.ReportJob;
import io.seedgrid.jobs.report.ReportOptions;
import io.seedgrid.udf.metrics.ConfidenceInterval;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code seedgrid tune}: searches the config's recipe space for the front of diversity, adherence and cost
 * with a budget of images, by successive halving over fidelities of prompts × seeds ({@link Fidelity}) with
 * confidence-based elimination ({@link Halving}). Every candidate is an ordinary recipe of one ordinary run, the
 * exhaustive grid over the space, which {@code generate} and {@code measure} fill on Spark a part at a time
 * ({@link TuneRun}): a promoted candidate keeps its images and renders only its new cells. Decisions are recorded
 * as they are made ({@link TuneState}), so a killed tune rerun with the same config takes the same path and
 * renders nothing twice.
 *
 * <p>Outputs, in the tune folder {@code <output>/<run>}: the run's tables ({@code images/}, {@code groups/}, ...),
 * {@code tune.json}, {@code tune/candidates.parquet} ({@link TuneTable}), {@code report.html} with the tune's
 * charts, and the console's answer: the front and a recommended recipe per budget.
 */
public final class TuneJob {

    /** The tune's state in the tune folder. */
    public static final String STATE = "tune.json";
    private static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    private TuneJob() {
    }

    /** What one attempt did, and what the tune found. */
    public record Summary(TuneResult result, double seconds, String reportPath) {
        public String report() {
            return TuneConsole.text(result) + String.format(Locale.ROOT, "tune: %.1f s%n  output: %s/tune/candidates.parquet,"
                    + " %s", seconds, result.directory(), reportPath);
        }
    }

    /**
     * @param models  the identities of the config's models ({@code Preflight.check} of {@link #gridConfig})
     * @param options the generate options of every part (tests stand in renderers and listeners)
     */
    public static Summary run(TuneConfig tune, Map<String, ModelIdentity> models, SparkSession spark, PrintStream console,
                              GenerateJob.Options options) {
        long start = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String diversity = diversityMetric(tune);
        Map<String, Integer> evaluations = TuneRun.unetEvaluations(tune);
        TuneRun run = new TuneRun(tune);
        List<Fidelity.Rung> rungs = tune.fidelity().rungs(tune.run().prompts().size(), tune.run().seeds().size());
        Fidelity.Rung full = rungs.get(rungs.size() - 1);
        int resamples = tune.run().measure().bootstrap();

        // the run's own lock is taken by each generate and measure; this one keeps two tunes apart
        try (RunLock lock = RunLock.acquire(tune.directory() + "/" + TuneTable.FOLDER, hadoop)) {
            TuneState state = TuneState.open(Manifest.open(tune.directory(), STATE, hadoop), tune, diversity);
            String attempt = Attempts.newId();
            ObjectNode attemptNode = Attempts.start(state.manifest(), "tune", attempt);
            long grid = (long) tune.candidates().size() * full.images();
            console.printf(Locale.ROOT, "tune %s: %d candidates in %d families and %d references, a pool of %d prompts x %d"
                            + " seeds; budget %d images (the exhaustive grid: %d); %d rungs%n",
                    tune.run().run(), tune.space().size(), tune.space().stream().map(Candidate::family).distinct().count(),
                    tune.references().size(), full.prompts(), full.seeds(), tune.images(), grid, rungs.size());
            try {
                long spent = tune.references().size() * full.images() + tune.space().size() * rungs.get(0).images();
                if (!tune.references().isEmpty()) {
                    console.printf(Locale.ROOT, "tune: the references on the whole pool%n");
                    generate(run.part(tune.references(), full), models, spark, console, options);
                }
                console.printf(Locale.ROOT, "tune: rung 0 (%d prompts x %d seeds), %d candidates%n", rungs.get(0).prompts(),
                        rungs.get(0).seeds(), tune.space().size());
                generate(run.part(tune.space(), rungs.get(0)), models, spark, console, options);
                measure(run.part(tune.space(), rungs.get(0)), spark, console);

                List<Candidate> current = tune.space();
                int finalRung = 0;
                for (int r = 0; r + 1 < rungs.size(); r++) {
                    Fidelity.Rung rung = rungs.get(r);
                    Fidelity.Rung next = rungs.get(r + 1);
                    long delta = next.images() - rung.images();
                    Halving.Decision decision = state.decision(r);
                    if (decision == null) {
                        // successive halving's rule: the images left are shared equally among the rungs to come
                        long affordable = (tune.images() - spent) / (rungs.size() - 1 - r) / delta;
                        Map<String, Measured> measured = measured(spark, tune, current, diversity, evaluations, null);
                        decision = Halving.decide(rung, run.promptIds(rung),
                                current.stream().map(c -> measured.get(c.name())).toList(),
                                tune.references().stream().map(c -> measured.get(c.name())).toList(), affordable,
                                resamples, tune.confidence());
                        state.record(r, affordable, decision);
                    }
                    long dominated = decision.stopped().values().stream().filter(s -> s.startsWith("dominated")).count();
                    console.printf(Locale.ROOT, "tune: rung %d decided: %d of %d candidates go on, %d dominated with %.0f%%"
                                    + " confidence, %d stop for the budget%n", r, decision.promoted().size(), current.size(),
                            dominated, 100 * tune.confidence(), decision.stopped().size() - dominated);
                    if (decision.promoted().isEmpty()) {
                        break;
                    }
                    spent += decision.promoted().size() * delta;
                    Set<String> promoted = Set.copyOf(decision.promoted());
                    current = tune.space().stream().filter(c -> promoted.contains(c.name())).toList();
                    console.printf(Locale.ROOT, "tune: rung %d (%d prompts x %d seeds): %s%n", r + 1, next.prompts(),
                            next.seeds(), current.stream().map(Candidate::name).collect(Collectors.joining(", ")));
                    generate(run.part(current, next), models, spark, console, options);
                    measure(run.part(current, next), spark, console);
                    finalRung = r + 1;
                }
                TuneResult result = result(spark, tune, run, state, rungs, finalRung, diversity, evaluations, attempt, grid);
                TuneTable.write(result, hadoop);
                ReportJob.Summary report = ReportJob.run(run.whole(), spark, ReportOptions.defaults(), QUIET);
                Map<String, Number> counts = new LinkedHashMap<>();
                counts.put("images", result.imagesUsed());
                counts.put("final_rung", finalRung);
                counts.put("front", result.entries().stream().filter(TuneResult.Entry::onFront).count());
                Attempts.update(attemptNode, "done", counts, null);
                state.save();
                return new Summary(result, (System.nanoTime() - start) / 1e9, report.path());
            } catch (GracefulStop.Interrupted e) {
                Attempts.update(attemptNode, "interrupted", Map.of(), e.getMessage());
                state.save();
                throw e;
            } catch (RuntimeException e) {
                Attempts.update(attemptNode, "failed", Map.of(), e.getMessage());
                state.save();
                throw e;
            }
        }
    }

    private static void generate(RunConfig part, Map<String, ModelIdentity> models, SparkSession spark, PrintStream console,
                                 GenerateJob.Options options) {
        console.println(GenerateJob.run(part, models, spark, console, options).report());
    }

    private static void measure(RunConfig part, SparkSession spark, PrintStream console) {
        console.println(MeasureJob.run(part, spark, console, GenerateJob.WaveListener.NONE).report());
    }

    /**
     * The tune's diversity metric: the configured one, else the first embedding distance the measure settings
     * give ({@code <encoder>_distance_mean}; LPIPS, SSIM and MS-SSIM distances are not embedding distances).
     *
     * @throws IllegalArgumentException when a metric is not one the measurement writes
     */
    public static String diversityMetric(TuneConfig tune) {
        List<String> metrics = MeasureJob.checkModels(tune.run()).groupMetrics();
        String diversity = tune.diversity();
        if (diversity == null) {
            diversity = metrics.stream().filter(MetricColumns::isEmbeddingDistanceMean).findFirst().orElseThrow(
                    () -> new IllegalArgumentException(
                    "tune: no embedding distance to measure diversity with: give measure.encoders or measure.clip, or"
                            + " name tune.diversity (metrics: " + String.join(", ", metrics) + ")"));
        }
        for (String m : List.of(diversity, tune.adherence())) {
            if (!metrics.contains(m)) {
                throw new IllegalArgumentException("tune: " + m + " is not a metric the measure settings give (they give: "
                        + String.join(", ", metrics) + (m.equals("clip_score_mean") ? "; the CLIP score needs measure.clip"
                        : "") + ")");
            }
        }
        return diversity;
    }

    /**
     * The ordinary run config of the exhaustive grid over the same space: every candidate (references first) as a
     * recipe, the whole pool, named {@code run} under {@code output}; with the tune's own name and output it is the
     * run of the tune folder. {@code Preflight.check} of it checks every candidate's models, timelines and blends.
     */
    public static RunConfig gridConfig(TuneConfig tune, String run, String output) {
        return TuneRun.grid(tune, run, output);
    }

    /**
     * The measurements of {@code current} and the references; {@code images}: their image statistics when the caller
     * has read them already, else null (they are read when the cost is seconds).
     */
    private static Map<String, Measured> measured(SparkSession spark, TuneConfig tune, List<Candidate> current,
                                                  String diversity, Map<String, Integer> evaluations,
                                                  Map<String, TuneReader.ImageStats> images) {
        List<Candidate> read = new ArrayList<>(current);
        read.addAll(tune.references());
        Map<String, Map<String, double[]>> groups = TuneReader.groups(spark, tune.directory(), read, diversity,
                tune.adherence());
        if (images == null && tune.cost() == TuneConfig.Cost.SECONDS) {
            images = TuneReader.images(spark, tune.directory(), read);
        }
        Map<String, Measured> out = new HashMap<>();
        for (Candidate c : read) {
            Map<String, Double> div = new HashMap<>();
            Map<String, Double> adh = new HashMap<>();
            groups.get(c.name()).forEach((prompt, v) -> {
                div.put(prompt, v[0]);
                adh.put(prompt, v[1]);
            });
            double cost = tune.cost() == TuneConfig.Cost.SECONDS
                    ? (images.get(c.name()).secondsPerImage() == null ? Double.POSITIVE_INFINITY
                    : images.get(c.name()).secondsPerImage()) : evaluations.get(c.name());
            out.put(c.name(), new Measured(c.name(), cost, div, adh));
        }
        return out;
    }

    /** Every candidate at the rung it reached, the front at the last rung, the recommendations. */
    private static TuneResult result(SparkSession spark, TuneConfig tune, TuneRun run, TuneState state,
                                     List<Fidelity.Rung> rungs, int finalRung, String diversity,
                                     Map<String, Integer> evaluations, String attempt, long grid) {
        Map<String, Integer> reached = new HashMap<>();
        Map<String, String> reasons = new HashMap<>();
        tune.space().forEach(c -> reached.put(c.name(), 0));
        tune.references().forEach(c -> reached.put(c.name(), rungs.size() - 1));
        for (int r = 0; r < finalRung; r++) {
            Halving.Decision d = state.decision(r);
            d.promoted().forEach(name -> reached.put(name, reached.get(name) + 1));
            reasons.putAll(d.stopped());
        }
        Map<String, TuneReader.ImageStats> images = TuneReader.images(spark, tune.directory(), tune.candidates());
        Map<String, Measured> measured = measured(spark, tune, tune.space(), diversity, evaluations, images);
        int resamples = tune.run().measure().bootstrap();
        double level = tune.confidence();
        Fidelity.Rung last = rungs.get(finalRung);
        List<String> lastPrompts = run.promptIds(last);
        // the front: the last rung's candidates and the references, compared on the last rung's prompts
        List<Point> finalists = new ArrayList<>();
        for (Candidate c : tune.candidates()) {
            Point p = measured.get(c.name()).point(lastPrompts);
            if ((c.reference() || reached.get(c.name()) == finalRung) && p != null) {
                finalists.add(p);
            }
        }
        Set<String> front = Pareto.front(finalists).stream().map(Point::name).collect(Collectors.toSet());
        List<TuneResult.Entry> entries = new ArrayList<>();
        for (Candidate c : tune.candidates()) {
            Fidelity.Rung rung = rungs.get(reached.get(c.name()));
            List<String> prompts = run.promptIds(rung);
            Measured m = measured.get(c.name());
            ConfidenceInterval div = m.diversityInterval(prompts, resamples, level);
            ConfidenceInterval adh = m.adherenceInterval(prompts, resamples, level);
            String status;
            String reason = null;
            if (front.contains(c.name())) {
                status = TuneResult.FRONT;
            } else if (c.reference() || reached.get(c.name()) == finalRung) {
                status = TuneResult.DOMINATED;
                Point p = m.point(lastPrompts);
                reason = p == null ? "no measurement" : "dominated by " + finalists.stream().filter(f -> f.dominates(p))
                        .map(Point::name).findFirst().orElse("?") + " at rung " + finalRung;
            } else {
                status = TuneResult.STOPPED;
                reason = reasons.get(c.name());
            }
            TuneReader.ImageStats stats = images.get(c.name());
            entries.add(new TuneResult.Entry(c, evaluations.get(c.name()), stats.secondsPerImage(), rung.index(),
                    rung.prompts(), rung.seeds(), stats.cells(), stats.ok(), div, adh, status, reason));
        }
        long used = entries.stream().mapToLong(TuneResult.Entry::images).sum();
        List<TuneResult.Recommendation> recommendations = Recommendations.answer(tune.recommend(), entries, tune.cost());
        return new TuneResult(tune.run().run(), tune.directory(), diversity, tune.adherence(), tune.cost(), level, rungs,
                finalRung, tune.images(), used, grid, entries, recommendations, attempt);
    }
}
