package io.seedgrid.udf.metrics;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

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

    /** Takes ownership of {@code rgb} without copying; only for arrays nobody else holds. */
    static RgbImage wrap(int width, int height, byte[] rgb) {
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

    /** The internal bytes, for read-only use inside this package. */
    byte[] data() {
        return rgb;
    }

    /**
     * Decodes a PNG (or any format javax.imageio reads). Like PIL's {@code convert("RGB")}: grey
     * images are replicated into three channels and an alpha channel is dropped (not composited).
     *
     * @throws IllegalArgumentException when the bytes are not a decodable image
     */
    public static RgbImage fromPng(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot decode image (" + png.length + " bytes): " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("cannot decode image (" + png.length + " bytes): no reader for this format");
        }
        return fromBufferedImage(image);
    }

    private static RgbImage fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        boolean plain8Bit = image.getColorModel() instanceof ComponentColorModel
                && raster.getTransferType() == DataBuffer.TYPE_BYTE && bands >= 1 && bands <= 4;
        if (plain8Bit) {
            // Raw samples in colour-model band order (R, G, B[, A] or grey[, A]): no colour conversion,
            // which getRGB would apply to grey images (Java treats grey as linear light).
            int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
            boolean grey = bands <= 2;
            for (int p = 0, s = 0, o = 0; p < w * h; p++, s += bands, o += 3) {
                out[o] = (byte) samples[s];
                out[o + 1] = (byte) samples[grey ? s : s + 1];
                out[o + 2] = (byte) samples[grey ? s : s + 2];
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int p = 0, o = 0; p < argb.length; p++, o += 3) {
                out[o] = (byte) (argb[p] >> 16);
                out[o + 1] = (byte) (argb[p] >> 8);
                out[o + 2] = (byte) argb[p];
            }
        }
        return wrap(w, h, out);
    }

    /** Encodes as an 8-bit RGB PNG (lossless: {@code fromPng(toPng())} equals this image). */
    public byte[] toPng() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster raster = image.getRaster();
        int[] samples = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            samples[i] = rgb[i] & 0xFF;
        }
        raster.setPixels(0, 0, width, height, samples);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
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
    double[] channel(int c) {
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

    boolean sameSize(RgbImage other) {
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
