package io.seedgrid.jobs.report;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code report.html} shows, read from a run folder by {@link ReportReader}. Every string
 * here that comes from the run's data (prompts, messages, names, paths) is untrusted text that
 * {@link ReportHtml} escapes.
 *
 * @param facts        the run: name, grid, models, provenance
 * @param counts       cells by status, per recipe, in the config's recipe order
 * @param measurements the metrics, or null when {@code groups/} has no rows yet
 * @param prompts      the contact sheets of the first prompts by id
 * @param totalPrompts prompts with at least one recorded cell
 * @param failed       the first failed cells (status other than ok)
 * @param failedTotal  all failed cells
 * @param options      the limits the report was made with
 * @param unetEvaluations recipe → UNet evaluations per image (the chart's cost), for the config's recipes; empty
 *                     when the models' scheduler configs cannot be read
 * @param tune         the tune's candidates ({@code tune/candidates.parquet}), or null for a run no tune made
 */
record ReportData(Facts facts, List<RecipeCounts> counts, Measurements measurements, List<PromptSheets> prompts,
                  int totalPrompts, List<FailedCell> failed, long failedTotal, ReportOptions options,
                  Map<String, Integer> unetEvaluations, Tune tune) {

    /**
     * What {@code seedgrid tune} found in this run ({@code tune/candidates.parquet}).
     *
     * @param diversity  its diversity metric
     * @param adherence  its adherence metric
     * @param cost       what cost meant on its front ({@code unet_evaluations} or {@code seconds})
     * @param level      its intervals' confidence level
     * @param candidates every candidate, references first
     */
    record Tune(String diversity, String adherence, String cost, double level, List<TuneCandidate> candidates) {
    }

    /** One row of {@code tune/candidates.parquet} (README, "Tuning"). */
    record TuneCandidate(String name, String family, boolean reference, String parameters, String yaml,
                         int unetEvaluations, Double secondsPerImage, int rung, int prompts, int seeds, long images,
                         Double diversity, Double diversityLow, Double diversityHigh, Double adherence,
                         Double adherenceLow, Double adherenceHigh, String status, boolean onFront, String reason,
                         String recommendedFor) {
    }

    /**
     * @param run           the run name
     * @param runDir        {@code <output>/<run>}
     * @param gridPrompts   prompts in the config
     * @param gridSeeds     seeds in the config
     * @param gridRecipes   recipes in the config
     * @param gridCells     prompts × seeds × recipes
     * @param width         image width of the config
     * @param height        image height of the config
     * @param recordedCells distinct cells in {@code images/}
     * @param models        models with their content hashes
     * @param codeVersions  distinct {@code code_version} values of {@code images/}
     * @param devices       distinct {@code device} values of {@code images/} (at most a few)
     * @param firstImage    earliest {@code created_at}
     * @param lastImage     latest {@code created_at}
     * @param generatedAt   when this report was made
     * @param reportVersion the seedgrid that made this report
     */
    record Facts(String run, String runDir, int gridPrompts, long gridSeeds, int gridRecipes, long gridCells,
                 int width, int height, long recordedCells, List<Model> models, List<String> codeVersions, List<String> devices,
                 Instant firstImage, Instant lastImage, Instant generatedAt, String reportVersion) {
    }

    /** A model: its name in the config, content hash (SHA-256 hex) and path (null when only images/ names it). */
    record Model(String name, String sha256, String path) {
    }

    /** Recorded cells of one recipe by status ({@code ok}, {@code nan}, {@code error}). */
    record RecipeCounts(String recipe, long gridCells, Map<String, Long> byStatus) {
        long recorded() {
            return byStatus.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The measure stage's outputs.
     *
     * @param metrics        group-level metrics in {@code groups/} column order
     * @param recipes        recipe → metric → value from {@code recipes/}; empty when {@code recipes/} is missing
     * @param reference      the reference recipe of the paired differences, or null
     * @param level          the intervals' confidence level (0.95)
     * @param resamples      bootstrap resamples
     * @param measuredGroups groups with a current {@code groups/} row
     * @param staleGroups    groups whose cells changed since their measurement, or not measured at all
     * @param lastMeasured   latest {@code measured_at}
     */
    record Measurements(List<String> metrics, Map<String, Map<String, RecipeValue>> recipes, String reference,
                        double level, int resamples, int measuredGroups, int staleGroups, Instant lastMeasured) {
    }

    /** One {@code recipes/} row: the mean over prompts with its interval, and the paired difference to the reference. */
    record RecipeValue(int prompts, Double mean, Double low, Double high, Integer pairedPrompts, Double diff,
                       Double diffLow, Double diffHigh) {
    }

    /** One prompt's row of contact sheets, one per recipe. */
    record PromptSheets(String promptId, String prompt, List<String> negativePrompts, List<Sheet> sheets) {
    }

    /**
     * One (prompt, recipe) group's contact sheet.
     *
     * @param recorded cells of the group in {@code images/}
     * @param tiles    its first seeds
     * @param group    its current {@code groups/} metrics, or null when not measured
     * @param stale    whether it is measured but its cells changed since
     */
    record Sheet(String recipe, long recorded, List<Tile> tiles, GroupMetrics group, boolean stale) {
    }

    /** One seed of a sheet: a thumbnail when its status is ok. */
    record Tile(BigDecimal seed, String status, Thumbnail thumbnail) {
    }

    /** A group's counts and the metrics its caption shows (label → value), in caption order. */
    record GroupMetrics(int n, int failed, Map<String, Double> values) {
    }

    /** A cell recorded with a status other than ok. */
    record FailedCell(String recipe, String promptId, String prompt, BigDecimal seed, String status, String message,
                      String device) {
    }
}
