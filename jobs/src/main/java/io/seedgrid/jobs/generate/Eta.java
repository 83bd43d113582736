package io.seedgrid.jobs.generate;

import java.util.Locale;

/** A remaining time for progress lines: {@code 45s}, {@code 12m05s}, {@code 3h20m}; {@code ?} when unknown. */
final class Eta {

    private Eta() {
    }

    static String of(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0 || seconds > 1e7) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
