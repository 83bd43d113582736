package io.seedgrid.jobs.report;

/**
 * What the report shows of a large run: the first {@code maxPrompts} prompts (by id), the first
 * {@code maxSeeds} seeds of each of their groups, thumbnails at most {@code thumbnail} pixels on the
 * long side. These bound the size of the one HTML file: about maxPrompts × recipes × maxSeeds
 * thumbnails.
 */
public record ReportOptions(int maxPrompts, int maxSeeds, int thumbnail) {

    public static final int DEFAULT_MAX_PROMPTS = 24;
    public static final int DEFAULT_MAX_SEEDS = 8;
    public static final int DEFAULT_THUMBNAIL = 128;

    public ReportOptions {
        if (maxPrompts < 0) {
            throw new IllegalArgumentException("--max-prompts must be 0 or more, not " + maxPrompts);
        }
        if (maxSeeds < 1) {
            throw new IllegalArgumentException("--max-seeds must be at least 1, not " + maxSeeds);
        }
        if (thumbnail < 16 || thumbnail > 1024) {
            throw new IllegalArgumentException("--thumbnail must be between 16 and 1024 pixels, not " + thumbnail);
        }
    }

    public static ReportOptions defaults() {
        return new ReportOptions(DEFAULT_MAX_PROMPTS, DEFAULT_MAX_SEEDS, DEFAULT_THUMBNAIL);
    }
}
