package io.seedgrid.jobs.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The decision at the end of a rung: which candidates go on to the next, larger fidelity.
 *
 * <p>Two rules, both on the rung's prompts, which every candidate of the rung shares:
 * <ol>
 * <li>Elimination by confidence, as in Pareto active learning (Zuluaga, Krause & Püschel 2016, "ε-PAL: An Active
 * Learning Approach to the Multi-Objective Optimization Problem", JMLR 17): a candidate is dropped when another
 * candidate or a reference dominates it with confidence — it costs no more, and the paired bootstrap interval of
 * the other's advantage lies above 0 for diversity and for adherence ({@link Measured#confidentlyDominates}).
 * What remains are the candidates whose intervals keep them near the front.</li>
 * <li>The budget, as in successive halving (Karnin, Koren & Somekh 2013, "Almost optimal exploration in
 * multi-armed bandits", ICML; Jamieson & Talwalkar 2016, AISTATS): when the rung's share of the images pays for
 * fewer survivors than there are, those that go on are chosen to cover the front, by the greedy k-center rule
 * (Gonzalez 1985, "Clustering to minimize the maximum intercluster distance", Theor. Comput. Sci. 38, a
 * 2-approximation of the k-center problem). The references are the first centres. A centre covers a candidate
 * that costs as much or more by how far it falls short of it: the larger of its diversity and adherence deficits,
 * each in half-widths of the rung's intervals. Repeatedly, the worst-covered survivor goes on and becomes a
 * centre, until the budget is spent or every survivor is covered with no shortfall. A candidate that a promoted
 * one dominates is covered with none, so the promoted spread along the front instead of crowding one end of it;
 * and what decides the choice is the tune's own test of success: every point of the front has a promoted
 * candidate within its intervals at no more cost.</li>
 * </ol>
 */
public final class Halving {

    private Halving() {
    }

    /**
     * @param promoted the candidates of the next rung, in the order given
     * @param stopped  every other candidate of the rung, with why it stopped here
     */
    public record Decision(List<String> promoted, Map<String, String> stopped) {
    }

    /**
     * @param rung        the rung just measured
     * @param prompts     its prompt ids
     * @param candidates  its candidates (references excluded)
     * @param references  the references (measured on every prompt)
     * @param affordable  how many candidates the next rung's images pay for
     */
    public static Decision decide(Fidelity.Rung rung, List<String> prompts, List<Measured> candidates,
                                  List<Measured> references, long affordable, int resamples, double level) {
        String at = String.format(Locale.ROOT, "at rung %d (%d prompts x %d seeds)", rung.index(), rung.prompts(),
                rung.seeds());
        Map<String, String> stopped = new LinkedHashMap<>();
        List<Measured> survivors = new ArrayList<>();
        List<Measured> rivals = new ArrayList<>(candidates);
        rivals.addAll(references);
        rivals.removeIf(d -> d.point(prompts) == null);   // once each, not once per candidate they are checked against
        for (Measured c : candidates) {
            if (c.point(prompts) == null) {
                stopped.put(c.name(), "no measurement " + at + ": none of its groups has a value (failed images?)");
                continue;
            }
            Measured by = null;
            for (Measured d : rivals) {
                if (d != c && d.confidentlyDominates(c, prompts, resamples, level)) {
                    by = d;
                    break;
                }
            }
            if (by != null) {
                stopped.put(c.name(), String.format(Locale.ROOT, "dominated by %s %s with %.0f%% confidence", by.name(), at,
                        100 * level));
            } else {
                survivors.add(c);
            }
        }
        Set<String> chosen = new HashSet<>();
        if (survivors.size() <= affordable) {
            survivors.forEach(c -> chosen.add(c.name()));
        } else {
            cover(survivors, references, prompts, affordable, resamples, level, chosen);
            for (Measured c : survivors) {
                if (!chosen.contains(c.name())) {
                    stopped.put(c.name(), String.format(Locale.ROOT, "not promoted %s: the budget pays for %d of the %d"
                            + " undominated candidates, and the promoted ones cover it", at, affordable, survivors.size()));
                }
            }
        }
        List<String> promoted = candidates.stream().map(Measured::name).filter(chosen::contains).toList();
        return new Decision(promoted, stopped);
    }

    /** The greedy k-center choice of at most {@code k} survivors into {@code chosen} (see the class comment). */
    private static void cover(List<Measured> survivors, List<Measured> references, List<String> prompts, long k,
                              int resamples, double level, Set<String> chosen) {
        List<Point> points = new ArrayList<>();
        double[] halfDiv = new double[survivors.size()];
        double[] halfAdh = new double[survivors.size()];
        for (int i = 0; i < survivors.size(); i++) {
            Measured c = survivors.get(i);
            points.add(c.point(prompts));
            halfDiv[i] = halfWidth(c.diversityInterval(prompts, resamples, level));
            halfAdh[i] = halfWidth(c.adherenceInterval(prompts, resamples, level));
        }
        double unitDiv = positiveMedian(halfDiv);
        double unitAdh = positiveMedian(halfAdh);
        List<Point> centres = new ArrayList<>();
        for (Measured r : references) {
            Point p = r.point(prompts);
            if (p != null) {
                centres.add(p);
            }
        }
        Map<String, Integer> rank = new HashMap<>();
        List<List<Point>> fronts = Pareto.sort(points);
        for (int f = 0; f < fronts.size(); f++) {
            for (Point p : fronts.get(f)) {
                rank.put(p.name(), f);
            }
        }
        while (chosen.size() < k) {
            Point worst = null;
            double worstShortfall = 0;
            for (Point p : points) {
                if (chosen.contains(p.name())) {
                    continue;
                }
                double shortfall = Double.POSITIVE_INFINITY;
                for (Point centre : centres) {
                    if (centre.cost() <= p.cost()) {
                        shortfall = Math.min(shortfall, Math.max(0, Math.max((p.diversity() - centre.diversity()) / unitDiv,
                                (p.adherence() - centre.adherence()) / unitAdh)));
                    }
                }
                boolean tie = shortfall == worstShortfall || Math.abs(shortfall - worstShortfall) <= 1e-12;
                if ((!tie && shortfall > worstShortfall) || (tie && worst != null && before(p, worst, rank))) {
                    worst = p;
                    worstShortfall = shortfall;
                }
            }
            if (worst == null) {
                return; // every survivor is covered with no shortfall
            }
            chosen.add(worst.name());
            centres.add(worst);
        }
    }

    /** Among equally uncovered survivors: the better Pareto rank, then the cheaper, the more diverse, the name. */
    private static boolean before(Point a, Point b, Map<String, Integer> rank) {
        return Comparator.comparingInt((Point p) -> rank.get(p.name())).thenComparingDouble(Point::cost)
                .thenComparingDouble(p -> -p.diversity()).thenComparing(Point::name).compare(a, b) < 0;
    }

    private static double halfWidth(io.seedgrid.udf.metrics.ConfidenceInterval ci) {
        return ci == null ? 0 : (ci.high() - ci.low()) / 2;
    }

    /** The median of the positive values (1 when none is: a rung whose intervals have no width). */
    private static double positiveMedian(double[] values) {
        double[] positive = java.util.Arrays.stream(values).filter(v -> v > 0).sorted().toArray();
        if (positive.length == 0) {
            return 1;
        }
        int n = positive.length;
        return n % 2 == 1 ? positive[n / 2] : (positive[n / 2 - 1] + positive[n / 2]) / 2;
    }
}
