package io.seedgrid.jobs.tune;

/**
 * A budget that the tune answers with a recommended recipe: the most diverse recipe whose cost is at most
 * {@code costTimes} × the cost of recipe {@code costOf} (or at most {@code costMax}) and whose adherence is at
 * least that of recipe {@code adherenceOf} minus {@code adherenceLoss} (or at least {@code adherenceMin}).
 * Unused bounds are null.
 *
 * @param label the budget in words, as the console and the report print it
 */
public record Budget(String label, Double costTimes, String costOf, Double costMax, Double adherenceLoss,
                     String adherenceOf, Double adherenceMin) {
}
