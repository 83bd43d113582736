package io.seedgrid.jobs.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Answers budgets: the most diverse recipe among the last rung's candidates and the references whose cost and
 * adherence are within the budget's bounds (ties: the cheaper, then the more adherent). Such a recipe is always
 * on the front: one that dominated it would be within the bounds too, and at least as diverse.
 */
final class Recommendations {

    private Recommendations() {
    }

    /**
     * @param budgets the config's budgets, or null for the defaults: with references, cost at most twice the
     *                cheapest reference's, and adherence at least the most adherent reference's minus 1
     */
    static List<TuneResult.Recommendation> answer(List<Budget> budgets, List<TuneResult.Entry> entries,
                                                  TuneConfig.Cost kind) {
        List<TuneResult.Entry> eligible = entries.stream().filter(e -> !TuneResult.STOPPED.equals(e.status())
                && e.diversity() != null && e.adherence() != null && e.cost(kind) != null).toList();
        List<TuneResult.Recommendation> out = new ArrayList<>();
        for (Budget b : budgets != null ? budgets : defaults(entries, kind)) {
            Double maxCost = b.costMax();
            List<String> bounds = new ArrayList<>();
            if (b.costOf() != null) {
                TuneResult.Entry of = find(entries, b.costOf());
                maxCost = of.cost(kind) == null ? null : b.costTimes() * of.cost(kind);
            }
            if (b.costOf() != null || b.costMax() != null) {
                bounds.add("cost <= " + (maxCost == null ? "?" : number(maxCost)) + " " + kind.label());
            }
            Double minAdherence = b.adherenceMin();
            if (b.adherenceOf() != null) {
                TuneResult.Entry of = find(entries, b.adherenceOf());
                minAdherence = of.adherence() == null ? null : of.adherence().estimate() - b.adherenceLoss();
            }
            if (b.adherenceOf() != null || b.adherenceMin() != null) {
                bounds.add("adherence >= " + (minAdherence == null ? "?" : number(minAdherence)));
            }
            Double costBound = maxCost;
            Double adherenceBound = minAdherence;
            boolean unmeasurable = (b.costOf() != null && costBound == null) || (b.adherenceOf() != null
                    && adherenceBound == null);
            TuneResult.Entry pick = unmeasurable ? null : eligible.stream()
                    .filter(e -> costBound == null || e.cost(kind) <= costBound + 1e-12)
                    .filter(e -> adherenceBound == null || e.adherence().estimate() >= adherenceBound)
                    .max(Comparator.comparingDouble((TuneResult.Entry e) -> e.diversity().estimate())
                            .thenComparing(e -> -e.cost(kind))
                            .thenComparingDouble(e -> e.adherence().estimate())
                            .thenComparing(TuneResult.Entry::name, Comparator.reverseOrder()))
                    .orElse(null);
            out.add(new TuneResult.Recommendation(b, String.join(", ", bounds), pick));
        }
        return out;
    }

    private static List<Budget> defaults(List<TuneResult.Entry> entries, TuneConfig.Cost kind) {
        List<TuneResult.Entry> refs = entries.stream().filter(e -> e.candidate().reference()).toList();
        List<Budget> out = new ArrayList<>();
        refs.stream().filter(e -> e.cost(kind) != null).min(Comparator.comparingDouble((TuneResult.Entry e) -> e.cost(kind)))
                .ifPresent(cheapest -> out.add(new Budget("cost <= 2x " + cheapest.name() + "'s", 2.0, cheapest.name(), null,
                        null, null, null)));
        refs.stream().filter(e -> e.adherence() != null)
                .max(Comparator.comparingDouble((TuneResult.Entry e) -> e.adherence().estimate()))
                .ifPresent(best -> out.add(new Budget("adherence >= " + best.name() + "'s - 1", null, null, null, 1.0,
                        best.name(), null)));
        return out;
    }

    private static TuneResult.Entry find(List<TuneResult.Entry> entries, String name) {
        return Objects.requireNonNull(entries.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null), name);
    }

    /** Four significant digits at most, no trailing zeros: 8, 46.93. */
    private static String number(double v) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", v)).stripTrailingZeros().toPlainString();
    }
}
