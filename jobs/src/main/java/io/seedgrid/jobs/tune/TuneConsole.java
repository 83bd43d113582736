package io.seedgrid.jobs.tune;

import io.seedgrid.udf.metrics.ConfidenceInterval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The tune's answer as console text: the last rung's candidates with the front marked, and the recommendations. */
final class TuneConsole {

    private TuneConsole() {
    }

    static String text(TuneResult r) {
        StringBuilder out = new StringBuilder();
        Fidelity.Rung last = r.rungs().get(r.finalRung());
        String nl = System.lineSeparator();
        out.append(String.format(Locale.ROOT, "front at rung %d (%d prompts x %d seeds): diversity %s (higher: more diverse),"
                        + " adherence %s (higher: more adherent), cost %s; mean over prompts [%.0f%% bootstrap interval]%s",
                r.finalRung(), last.prompts(), last.seeds(), r.diversity(), r.adherence(), r.cost().label(),
                100 * r.level(), nl));
        List<TuneResult.Entry> shown = r.entries().stream().filter(e -> !TuneResult.STOPPED.equals(e.status()))
                .sorted(Comparator.comparing((TuneResult.Entry e) -> e.cost(r.cost()) == null ? Double.MAX_VALUE
                                : e.cost(r.cost()))
                        .thenComparing(e -> e.diversity() == null ? 0 : -e.diversity().estimate()))
                .toList();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "candidate", "UNet/img", "s/img", "diversity", "adherence"});
        for (TuneResult.Entry e : shown) {
            rows.add(new String[] {e.onFront() ? "*" : "", e.name() + (e.candidate().reference() ? " (reference)" : ""),
                    Integer.toString(e.unetEvaluations()), e.secondsPerImage() == null ? "-"
                    : String.format(Locale.ROOT, "%.4f", e.secondsPerImage()), interval(e.diversity()),
                    interval(e.adherence())});
        }
        int[] widths = new int[6];
        rows.forEach(row -> {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        });
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int c = 0; c < row.length; c++) {
                line.append(' ').append(c >= 2 && c <= 3 ? " ".repeat(widths[c] - row[c].length()) + row[c]
                        : row[c] + " ".repeat(widths[c] - row[c].length()));
            }
            out.append(line.toString().stripTrailing()).append(nl);
        }
        long stopped = r.entries().size() - shown.size();
        out.append(String.format(Locale.ROOT, "  (* on the front; %d candidates stopped at earlier rungs, listed in tune/ and"
                + " report.html)%s", stopped, nl));
        if (!r.recommendations().isEmpty()) {
            out.append("recommended recipes:").append(nl);
            for (TuneResult.Recommendation rec : r.recommendations()) {
                out.append("  ").append(rec.budget().label());
                if (!rec.bounds().isEmpty() && !rec.bounds().equals(rec.budget().label())) {
                    out.append(" (").append(rec.bounds()).append(')');
                }
                out.append(": ");
                TuneResult.Entry p = rec.pick();
                if (p == null) {
                    out.append("no candidate of the last rung is within it").append(nl);
                    continue;
                }
                out.append(String.format(Locale.ROOT, "%s, diversity %s, adherence %s, %d UNet evaluations per image%s",
                        p.name(), interval(p.diversity()), interval(p.adherence()), p.unetEvaluations(), nl));
                out.append("      - ").append(p.candidate().yaml()).append(nl);
            }
        }
        out.append(String.format(Locale.ROOT, "images: %d rendered for the tune, %.0f%% of the %d of the exhaustive grid"
                        + " (budget %d)%s", r.imagesUsed(), 100.0 * r.imagesUsed() / Math.max(1, r.gridImages()),
                r.gridImages(), r.budget(), nl));
        return out.toString();
    }

    static String interval(ConfidenceInterval ci) {
        if (ci == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.4g [%.4g, %.4g]", ci.estimate(), ci.low(), ci.high());
    }
}
