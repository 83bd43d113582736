package io.seedgrid.jobs.report;

import io.seedgrid.jobs.measure.MetricColumns;
import io.seedgrid.jobs.tune.Pareto;
import io.seedgrid.jobs.tune.Point;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The report's charts ({@link ScatterChart}): diversity against adherence per recipe for every run, and for a
 * tune run its candidates and their front against cost.
 */
final class FrontCharts {

    static final String ADHERENCE = "clip_score_mean";
    private static final String COST = "UNet evaluations per image";

    private FrontCharts() {
    }

    /**
     * The diversity metric a run's chart shows: the first embedding distance ({@code <encoder>_distance_mean}, as
     * {@code seedgrid tune} defaults to), else LPIPS, else the first diversity metric; null without any.
     */
    static String diversityMetric(List<String> metrics) {
        for (String m : metrics) {
            if (MetricColumns.isEmbeddingDistanceMean(m)) {
                return m;
            }
        }
        if (metrics.contains("lpips_mean")) {
            return "lpips_mean";
        }
        return metrics.stream().filter(m -> MetricDirection.of(m) == MetricDirection.DIVERSITY).findFirst().orElse(null);
    }

    /**
     * The recipe table's headline columns, at most four: LPIPS, the first embedding distance, its Vendi score
     * and the CLIP score, those the run has; else the first four metrics.
     */
    static List<String> headline(List<String> metrics) {
        List<String> out = new ArrayList<>();
        if (metrics.contains("lpips_mean")) {
            out.add("lpips_mean");
        }
        String distance = metrics.stream().filter(MetricColumns::isEmbeddingDistanceMean).findFirst().orElse(null);
        if (distance != null) {
            out.add(distance);
            String vendi = distance.substring(0, distance.length() - "_distance_mean".length()) + "_vendi";
            if (metrics.contains(vendi)) {
                out.add(vendi);
            }
        }
        if (metrics.contains(ADHERENCE)) {
            out.add(ADHERENCE);
        }
        if (out.isEmpty()) {
            out.addAll(metrics.subList(0, Math.min(4, metrics.size())));
        }
        return out.stream().limit(4).toList();
    }

    /**
     * A run's chart: each measured recipe at its mean CLIP score and mean diversity over prompts with their
     * intervals, coloured by UNet evaluations per image; the front of the three. Null (with no chart) when the
     * run has no CLIP score or no diversity metric.
     */
    static String run(ReportData data) {
        ReportData.Measurements m = data.measurements();
        String diversity = diversityMetric(m.metrics());
        if (diversity == null || !m.metrics().contains(ADHERENCE)) {
            return null;
        }
        List<Point> points = new ArrayList<>();
        List<ReportData.RecipeValue[]> values = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (ReportData.RecipeCounts c : data.counts()) {
            Map<String, ReportData.RecipeValue> v = m.recipes().get(c.recipe());
            if (v == null || v.get(diversity) == null || v.get(ADHERENCE) == null || v.get(diversity).mean() == null
                    || v.get(ADHERENCE).mean() == null) {
                continue;
            }
            Integer cost = data.unetEvaluations().get(c.recipe());
            names.add(c.recipe());
            values.add(new ReportData.RecipeValue[] {v.get(ADHERENCE), v.get(diversity)});
            points.add(new Point(c.recipe(), v.get(diversity).mean(), v.get(ADHERENCE).mean(),
                    cost == null ? Double.POSITIVE_INFINITY : cost));
        }
        Set<String> front = Pareto.front(points).stream().map(Point::name).collect(Collectors.toSet());
        List<ScatterChart.Dot> dots = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            ReportData.RecipeValue x = values.get(i)[0];
            ReportData.RecipeValue y = values.get(i)[1];
            Integer cost = data.unetEvaluations().get(names.get(i));
            dots.add(new ScatterChart.Dot(names.get(i), x.mean(), nan(x.low()), nan(x.high()), y.mean(), nan(y.low()),
                    nan(y.high()), cost == null ? null : cost.doubleValue(), front.contains(names.get(i)), false));
        }
        return ScatterChart.svg(new ScatterChart.Spec("chart-front", "Diversity against adherence per recipe",
                ADHERENCE + " (higher: more adherent)", ScatterChart.Better.HIGHER, false,
                diversity + " (higher: more diverse)", COST), dots);
    }

    /** A tune's candidates: diversity against adherence, those stopped at earlier rungs pale, its front outlined. */
    static String tune(ReportData.Tune tune) {
        List<ScatterChart.Dot> dots = new ArrayList<>();
        for (ReportData.TuneCandidate c : tune.candidates()) {
            if (c.diversity() != null && c.adherence() != null) {
                dots.add(new ScatterChart.Dot(c.name(), c.adherence(), nan(c.adherenceLow()), nan(c.adherenceHigh()),
                        c.diversity(), nan(c.diversityLow()), nan(c.diversityHigh()), cost(tune, c), c.onFront(),
                        "stopped".equals(c.status())));
            }
        }
        return ScatterChart.svg(new ScatterChart.Spec("chart-front", "Diversity against adherence per candidate",
                tune.adherence() + " (higher: more adherent)", ScatterChart.Better.HIGHER, false,
                tune.diversity() + " (higher: more diverse)", costLabel(tune)), dots);
    }

    /** A tune's front against cost: diversity, then adherence, over its cost on a log axis. */
    static List<String> againstCost(ReportData.Tune tune) {
        List<String> out = new ArrayList<>();
        for (boolean diversity : new boolean[] {true, false}) {
            List<ScatterChart.Dot> dots = new ArrayList<>();
            for (ReportData.TuneCandidate c : tune.candidates()) {
                Double y = diversity ? c.diversity() : c.adherence();
                Double cost = cost(tune, c);
                if (y == null || cost == null) {
                    continue;
                }
                dots.add(new ScatterChart.Dot(c.name(), cost, Double.NaN, Double.NaN, y,
                        nan(diversity ? c.diversityLow() : c.adherenceLow()),
                        nan(diversity ? c.diversityHigh() : c.adherenceHigh()), cost, c.onFront(),
                        "stopped".equals(c.status())));
            }
            String metric = diversity ? tune.diversity() + " (higher: more diverse)" : tune.adherence()
                    + " (higher: more adherent)";
            out.add(ScatterChart.svg(new ScatterChart.Spec(diversity ? "chart-cost-diversity" : "chart-cost-adherence",
                    (diversity ? "Diversity" : "Adherence") + " against cost per candidate", costLabel(tune)
                    + " (lower: cheaper)", ScatterChart.Better.LOWER, true, metric, costLabel(tune)), dots));
        }
        return out;
    }

    private static Double cost(ReportData.Tune tune, ReportData.TuneCandidate c) {
        return "seconds".equals(tune.cost()) ? c.secondsPerImage() : Double.valueOf(c.unetEvaluations());
    }

    private static String costLabel(ReportData.Tune tune) {
        return "seconds".equals(tune.cost()) ? "seconds per image" : COST;
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }
}
