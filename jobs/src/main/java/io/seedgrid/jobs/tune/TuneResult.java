package io.seedgrid.jobs.tune;

import io.seedgrid.udf.metrics.ConfidenceInterval;

import java.util.List;

/**
 * What a tune found: every candidate with its measurements at the fidelity it reached, the front, and the
 * recommended recipe of each budget. The console, {@code tune/} and the tune's report show it.
 *
 * @param tune            the tune's name
 * @param directory       the tune folder
 * @param diversity       the diversity metric
 * @param adherence       the adherence metric
 * @param cost            what cost means on the front
 * @param level           the intervals' confidence level
 * @param rungs           the rungs of the search
 * @param finalRung       the last rung any candidate reached (the front is taken there)
 * @param budget          the images the tune could spend
 * @param imagesUsed      cells recorded in all candidates' runs
 * @param gridImages      cells the exhaustive grid of the same candidates on the whole pool would render
 * @param entries         every candidate, references first
 * @param recommendations one per budget
 * @param attempt         the tune attempt that made this
 */
public record TuneResult(String tune, String directory, String diversity, String adherence, TuneConfig.Cost cost,
                         double level, List<Fidelity.Rung> rungs, int finalRung, long budget, long imagesUsed,
                         long gridImages, List<Entry> entries, List<Recommendation> recommendations, String attempt) {

    /** A candidate on the front (the last rung's candidates and the references that no other of them dominates). */
    public static final String FRONT = "front";
    /** A candidate of the last rung that another dominates. */
    public static final String DOMINATED = "dominated";
    /** A candidate that stopped at an earlier rung. */
    public static final String STOPPED = "stopped";

    /**
     * One candidate.
     *
     * @param candidate       the candidate
     * @param unetEvaluations UNet evaluations per image
     * @param secondsPerImage measured mean seconds per ok image, null without one
     * @param rung            the last rung it reached
     * @param prompts         prompts at that rung
     * @param seeds           seeds per prompt at that rung
     * @param images          cells of its run (any status)
     * @param okImages        ok images of its run
     * @param diversity       mean over its measured prompts with the bootstrap interval over prompts, or null
     * @param adherence       the same for adherence
     * @param status          {@link #FRONT}, {@link #DOMINATED} or {@link #STOPPED}
     * @param reason          why it stopped or is dominated; null on the front
     */
    public record Entry(Candidate candidate, int unetEvaluations, Double secondsPerImage, int rung, int prompts, int seeds,
                        long images, long okImages, ConfidenceInterval diversity, ConfidenceInterval adherence,
                        String status, String reason) {

        public String name() {
            return candidate.name();
        }

        public boolean onFront() {
            return FRONT.equals(status);
        }

        /** Its cost as {@code kind} measures it; null when seconds are asked for and it has no ok image. */
        public Double cost(TuneConfig.Cost kind) {
            return kind == TuneConfig.Cost.SECONDS ? secondsPerImage : Double.valueOf(unetEvaluations);
        }
    }

    /**
     * The answer to one budget.
     *
     * @param budget the budget
     * @param bounds its bounds in numbers (e.g. {@code cost <= 8 UNet evaluations per image})
     * @param pick   the most diverse candidate within them, or null when none is
     */
    public record Recommendation(Budget budget, String bounds, Entry pick) {
    }
}
