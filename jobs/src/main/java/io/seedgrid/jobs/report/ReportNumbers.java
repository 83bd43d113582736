package io.seedgrid.jobs.report;

import java.util.Locale;

/** How the report writes numbers: four significant digits, intervals as {@code mean [low, high]}. */
final class ReportNumbers {

    /** Shown where a value is missing (a pairwise metric of a group of one image, no reference, ...). */
    static final String MISSING = "–";

    private ReportNumbers() {
    }

    static String format(Double value) {
        return value == null || value.isNaN() ? MISSING : String.format(Locale.ROOT, "%.4g", value);
    }

    static String signed(Double value) {
        return value == null || value.isNaN() ? MISSING : String.format(Locale.ROOT, "%+.4g", value);
    }

    /** {@code mean [low, high]}. */
    static String interval(Double mean, Double low, Double high) {
        if (mean == null) {
            return MISSING;
        }
        return format(mean) + " [" + format(low) + ", " + format(high) + "]";
    }

    /** {@code +diff [+low, +high]}, signs always written. */
    static String difference(Double diff, Double low, Double high) {
        if (diff == null) {
            return MISSING;
        }
        return signed(diff) + " [" + signed(low) + ", " + signed(high) + "]";
    }

    /** A byte count for people: {@code 812 B}, {@code 34.5 kB}, {@code 12.3 MB}. */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }
}
