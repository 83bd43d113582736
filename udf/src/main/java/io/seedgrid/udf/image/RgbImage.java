package io.seedgrid.udf.image;

import java.util.Arrays;

/**
 * An immutable 8-bit RGB image, interleaved height x width x 3 (HWC, row-major), as PIL's
 * {@code np.asarray(img.convert("RGB"))} holds it.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    /** Copies {@code rgb} (length width * height * 3, interleaved R, G, B per pixel, rows top to bottom). */
    public RgbImage(int width, int height, byte[] rgb) {
        this(width, height, rgb.clone(), true);
    }

    private RgbImage(int width, int height, byte[] rgb, boolean validate) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + ((long) width * height * 3) + " bytes, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** Takes ownership of {@code rgb} without copying; only for arrays nobody else holds or changes. */
    public static RgbImage wrap(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb, true);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** A copy of the interleaved RGB bytes. */
    public byte[] rgb() {
        return rgb.clone();
    }

    /** The internal bytes, without a copy: read only. */
    public byte[] data() {
        return rgb;
    }

    /** Channels-first float [3, H, W] in [-1, 1]: v / 127.5 - 1 (LPIPS' im2tensor convention). */
    public float[] toChwSigned() {
        float[] out = new float[rgb.length];
        int plane = width * height;
        for (int p = 0, i = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++, i++) {
                out[c * plane + p] = (rgb[i] & 0xFF) / 127.5f - 1f;
            }
        }
        return out;
    }

    /** Channels-first float [3, H, W] in [0, 1]: v / 255. */
    public float[] toChwUnit() {
        float[] out = new float[rgb.length];
        int plane = width * height;
        for (int p = 0, i = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++, i++) {
                out[c * plane + p] = (rgb[i] & 0xFF) / 255f;
            }
        }
        return out;
    }

    /** One channel (0 = R, 1 = G, 2 = B) as doubles 0..255, row-major. */
    public double[] channel(int c) {
        double[] out = new double[width * height];
        for (int p = 0, i = c; p < out.length; p++, i += 3) {
            out[p] = rgb[i] & 0xFF;
        }
        return out;
    }

    /** Resized exactly as PIL's {@code Image.resize((width, height), filter)} does for RGB images. */
    public RgbImage resize(int newWidth, int newHeight, ResampleFilter filter) {
        return PilResize.resize(this, newWidth, newHeight, filter);
    }

    /** This image cropped to the rectangle at (left, top) of the given size. */
    public RgbImage crop(int left, int top, int cropWidth, int cropHeight) {
        if (left < 0 || top < 0 || cropWidth <= 0 || cropHeight <= 0
                || left + cropWidth > width || top + cropHeight > height) {
            throw new IllegalArgumentException("crop " + cropWidth + "x" + cropHeight + " at (" + left + ", " + top
                    + ") does not fit in a " + width + "x" + height + " image");
        }
        byte[] out = new byte[cropWidth * cropHeight * 3];
        for (int y = 0; y < cropHeight; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * cropWidth * 3, cropWidth * 3);
        }
        return wrap(cropWidth, cropHeight, out);
    }

    /** True when both images have the same width and height. */
    public boolean sameSize(RgbImage other) {
        return width == other.width && height == other.height;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
