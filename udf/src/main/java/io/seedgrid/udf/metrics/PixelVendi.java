package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.image.ResampleFilter;

import java.util.List;

/**
 * Pixel Vendi score, as vertaix/Vendi-Score's {@code image_utils.pixel_vendi_score} computes it:
 * each image is resized to a 32 x 32 thumbnail with PIL's {@code img.resize((32, 32))} (the default
 * filter for RGB images is bicubic, antialiased: when shrinking, the cubic kernel is stretched over
 * the scale factor, so each thumbnail pixel is a weighted average of a ~4-scale-wide neighbourhood,
 * close to an area average; the aspect ratio is not kept), flattened to 3072 values 0..255 (not
 * centred), and the cosine-similarity kernel of those vectors is scored with {@link Vendi}.
 * {@link PilResize} reproduces PIL's resize bit for bit, so the scores agree with Vendi-Score's.
 */
public final class PixelVendi {
    /** Thumbnail side, Vendi-Score's {@code resize=32}. */
    public static final int THUMBNAIL = 32;

    private PixelVendi() {
    }

    public static double score(List<RgbImage> images) {
        return score(images, 1.0);
    }

    public static double score(List<RgbImage> images, double q) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("pixel Vendi score of an empty group: at least one image is needed");
        }
        double[][] rows = new double[images.size()][];
        for (int i = 0; i < rows.length; i++) {
            byte[] thumb = images.get(i).resize(THUMBNAIL, THUMBNAIL, ResampleFilter.BICUBIC).data();
            rows[i] = new double[thumb.length];
            for (int j = 0; j < thumb.length; j++) {
                rows[i][j] = thumb[j] & 0xFF;
            }
        }
        return Vendi.score(Vendi.cosineKernel(rows), q);
    }
}
