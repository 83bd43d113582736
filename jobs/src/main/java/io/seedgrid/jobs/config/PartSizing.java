package io.seedgrid.jobs.config;

import java.io.Serializable;

/**
 * How {@code generate} cuts the grid into parts: the cells that one Spark task renders and publishes as one
 * Parquet file (README, "Outputs"). A part ends at whichever limit comes first: {@code maxCells} cells,
 * {@code commitSeconds} of modelled work (UNet image-evaluations x {@code evaluationMs}), or
 * {@link #MAX_PART_BYTES} of estimated PNG bytes. Prompts fall into {@code promptBuckets} buckets per
 * recipe (one folder each); a run folder keeps the bucket count of its first generate.
 *
 * @param maxCells      at most this many cells per part ({@code chunk_size})
 * @param commitSeconds at most this much modelled work per part ({@code commit_seconds}): a crash costs at
 *                      most this much work per task slot
 * @param evaluationMs  the modelled time of one UNet image-evaluation ({@code evaluation_ms}); 0 = auto
 *                      ({@value #AUTO_EVALUATION_MS_1024} ms at 1024 x 1024, in proportion to the pixels)
 * @param promptBuckets prompt buckets per recipe ({@code prompt_buckets}); 0 = auto
 */
public record PartSizing(int maxCells, double commitSeconds, double evaluationMs, int promptBuckets)
        implements Serializable {

    /** Estimated PNG bytes per part at most (256 MiB: files of tens to hundreds of MB for analysts). */
    public static final long MAX_PART_BYTES = 256L << 20;
    /** Modelled milliseconds of one SDXL UNet image-evaluation at 1024 x 1024 on a current GPU (fp16). */
    public static final double AUTO_EVALUATION_MS_1024 = 25;
    /** Estimated PNG bytes per pixel of a rendered image (photographic content compresses to about half). */
    public static final double PNG_BYTES_PER_PIXEL = 1.5;

    public PartSizing {
        if (maxCells < 1 || !(commitSeconds > 0) || evaluationMs < 0 || promptBuckets < 0) {
            throw new IllegalArgumentException("invalid part sizing " + maxCells + ", " + commitSeconds + ", "
                    + evaluationMs + ", " + promptBuckets);
        }
    }

    /** The defaults: 256 cells, 60 s, auto evaluation time, auto buckets. */
    public static PartSizing defaults() {
        return new PartSizing(256, 60, 0, 0);
    }

    /** The modelled milliseconds of one UNet image-evaluation at {@code width} x {@code height}. */
    public double evaluationMs(int width, int height) {
        return evaluationMs > 0 ? evaluationMs : AUTO_EVALUATION_MS_1024 * width * height / (1024.0 * 1024.0);
    }

    /**
     * Cells per part for a recipe costing {@code evaluationsPerCell} UNet image-evaluations per image: the
     * smallest of the three limits, at least 1.
     */
    public int cellsPerPart(long evaluationsPerCell, int width, int height) {
        double byTime = commitSeconds * 1000 / (evaluationsPerCell * evaluationMs(width, height));
        double byBytes = MAX_PART_BYTES / (PNG_BYTES_PER_PIXEL * width * height);
        return (int) Math.max(1, Math.min(maxCells, Math.min(byTime, byBytes)));
    }
}
