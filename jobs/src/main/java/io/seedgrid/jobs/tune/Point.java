package io.seedgrid.jobs.tune;

/**
 * A candidate in objective space: diversity and adherence are better higher, cost better lower.
 *
 * @param name      the candidate
 * @param diversity its diversity estimate
 * @param adherence its adherence estimate
 * @param cost      its cost
 */
public record Point(String name, double diversity, double adherence, double cost) {

    /** At least as good on every objective and better on one (Pareto dominance). */
    public boolean dominates(Point o) {
        boolean noWorse = diversity >= o.diversity && adherence >= o.adherence && cost <= o.cost;
        return noWorse && (diversity > o.diversity || adherence > o.adherence || cost < o.cost);
    }

}
