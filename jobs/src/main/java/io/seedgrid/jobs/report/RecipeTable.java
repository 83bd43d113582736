package io.seedgrid.jobs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's recipe table as console text, so that a run ends with its answer: one row per metric,
 * one column per recipe, each cell the mean over prompts and, for recipes other than the reference, the
 * paired difference to it, starred when its interval excludes 0 (intervals are in report.html).
 */
final class RecipeTable {

    private RecipeTable() {
    }

    /** The table, or "" when the run has no {@code recipes/} yet. */
    static String text(ReportData data) {
        ReportData.Measurements m = data.measurements();
        if (m == null || m.recipes().isEmpty()) {
            return "";
        }
        List<String> recipes = data.counts().stream().map(ReportData.RecipeCounts::recipe)
                .filter(m.recipes()::containsKey).toList();
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric"));
        header.addAll(recipes);
        rows.add(header);
        for (String metric : m.metrics()) {
            String direction = MetricDirection.of(metric).label();
            List<String> row = new ArrayList<>(List.of(direction.isEmpty() ? metric : metric + " (" + direction + ")"));
            for (String recipe : recipes) {
                row.add(cell(m.recipes().get(recipe).get(metric), recipe.equals(m.reference())));
            }
            rows.add(row);
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "recipes: mean over prompts%s%n",
                m.reference() == null ? "" : String.format(Locale.ROOT, "; then the paired difference to %s, * where its"
                        + " %.0f%% interval excludes 0", m.reference(), 100 * m.level())));
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int c = 0; c < row.size(); c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < row.size(); c++) {
                line.append(c == 0 ? pad(row.get(c), widths[c]) : "  " + pad(row.get(c), widths[c]));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String cell(ReportData.RecipeValue v, boolean reference) {
        if (v == null || v.mean() == null) {
            return ReportNumbers.MISSING;
        }
        String mean = ReportNumbers.format(v.mean());
        if (reference || v.diff() == null) {
            return mean;
        }
        boolean excludesZero = v.diffLow() != null && v.diffHigh() != null && (v.diffLow() > 0 || v.diffHigh() < 0);
        return mean + " " + ReportNumbers.signed(v.diff()) + (excludesZero ? "*" : "");
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

}
