package io.seedgrid.udf.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC), as a PNG decoder or the VAE's
 * post-processing gives it. The pixel array is owned by the instance.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("an " + width + "x" + height + " RGB image needs " + width * height * 3
                    + " bytes, got " + rgb.length);
        }
    }

    /** Channel {@code c} of pixel (x, y), 0–255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** A copy of the pixels. */
    @Override
    public byte[] rgb() {
        return rgb.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage r && width == r.width && height == r.height && Arrays.equals(rgb, r.rgb);
    }

    @Override
    public int hashCode() {
        return (width * 31 + height) * 31 + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
