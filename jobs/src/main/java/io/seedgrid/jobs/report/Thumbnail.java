package io.seedgrid.jobs.report;

import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.ResampleFilter;
import io.seedgrid.udf.image.RgbImage;

import java.io.Serializable;
import java.util.Map;

/**
 * A contact-sheet thumbnail: the image scaled down to at most {@code maxSide} pixels on its long side
 * with PIL's bicubic filter (what {@code Image.thumbnail} uses; {@link RgbImage#resize} is PIL-exact),
 * aspect ratio kept, never scaled up, and re-encoded as a PNG without text chunks (the original's
 * {@code parameters} and {@code seedgrid} chunks stay in {@code images/}).
 */
record Thumbnail(int width, int height, byte[] png) implements Serializable {

    /** The thumbnail of {@code png} (PNG bytes of an {@code images/} row). */
    static Thumbnail of(byte[] png, int maxSide) {
        RgbImage image = PngFile.decode(png);
        int[] size = fit(image.width(), image.height(), maxSide);
        RgbImage small = size[0] == image.width() && size[1] == image.height() ? image
                : image.resize(size[0], size[1], ResampleFilter.BICUBIC);
        return new Thumbnail(small.width(), small.height(), PngEncoder.encode(small, Map.of()));
    }

    /** {width, height} scaled so that the long side is at most {@code maxSide}; the short side rounds half up, at least 1. */
    static int[] fit(int width, int height, int maxSide) {
        int longSide = Math.max(width, height);
        if (longSide <= maxSide) {
            return new int[] {width, height};
        }
        double scale = (double) maxSide / longSide;
        return width >= height
                ? new int[] {maxSide, Math.max(1, (int) Math.round(height * scale))}
                : new int[] {Math.max(1, (int) Math.round(width * scale)), maxSide};
    }
}
