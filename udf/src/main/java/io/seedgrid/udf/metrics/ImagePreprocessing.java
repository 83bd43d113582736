package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.image.ResampleFilter;

/**
 * What an image model's processor does before the network, restated from Hugging Face's
 * image processors (transformers image_transforms.py / CLIPImageProcessor / BitImageProcessor):
 * <ol>
 *   <li>resize the uint8 RGB image with PIL ({@link RgbImage#resize}, bit-exact): either the shortest
 *       edge to {@code size} and the other to int(size * long / short) ({@code "shortest_edge"}), or
 *       both sides to {@code size} ({@code "squash"});</li>
 *   <li>optionally center-crop to {@code cropSize} (top = (h - crop) / 2, left = (w - crop) / 2,
 *       rounded down);</li>
 *   <li>x = float32(x * rescale), then (x - mean_c) / std_c in float32, channels first.</li>
 * </ol>
 * In {@code seedgrid-metric.json}, {@code size} is the side of the network's input; the optional
 * {@code resize_size} (default {@code size}) is the resize target for processors that resize to one
 * size and crop to another, as DINOv2's does (shortest edge 256, crop 224). Here the record holds the
 * resize target as {@code size} and the crop as {@code cropSize}.
 */
public record ImagePreprocessing(int size, int cropSize, Resize resize, ResampleFilter interpolation,
                                 boolean centerCrop, double rescale, double[] mean, double[] std) {

    /** How the image is brought to {@code size}. */
    public enum Resize {
        SHORTEST_EDGE, SQUASH
    }

    public ImagePreprocessing {
        mean = mean.clone();
        std = std.clone();
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std values must be positive, got " + s);
            }
        }
        if (centerCrop && cropSize > size) {
            throw new IllegalArgumentException("crop size " + cropSize + " is larger than the resize size " + size);
        }
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /** Width and height of the network input for an image of the given size. */
    int[] outputSize(int width, int height) {
        if (centerCrop) {
            return new int[] {cropSize, cropSize};
        }
        return resizedSize(width, height);
    }

    private int[] resizedSize(int width, int height) {
        if (resize == Resize.SQUASH) {
            return new int[] {size, size};
        }
        if (width <= height) {
            return new int[] {size, (int) ((double) size * height / width)};
        }
        return new int[] {(int) ((double) size * width / height), size};
    }

    /** Channels-first float32 pixel values [3, H, W] (H, W from {@link #outputSize}). */
    float[] apply(RgbImage image) {
        int[] resized = resizedSize(image.width(), image.height());
        RgbImage img = image.resize(resized[0], resized[1], interpolation);
        if (centerCrop) {
            img = img.crop((img.width() - cropSize) / 2, (img.height() - cropSize) / 2, cropSize, cropSize);
        }
        byte[] rgb = img.data();
        int plane = img.width() * img.height();
        float[] out = new float[3 * plane];
        float[] m = {(float) mean[0], (float) mean[1], (float) mean[2]};
        float[] s = {(float) std[0], (float) std[1], (float) std[2]};
        for (int p = 0, i = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++, i++) {
                float x = (float) ((rgb[i] & 0xFF) * rescale);
                out[c * plane + p] = (x - m[c]) / s[c];
            }
        }
        return out;
    }

    static ImagePreprocessing parse(SpecJson json) {
        int crop = json.positiveInt("size");
        int size = json.has("resize_size") ? json.positiveInt("resize_size") : crop;
        String resize = json.string("resize");
        Resize mode = switch (resize) {
            case "shortest_edge" -> Resize.SHORTEST_EDGE;
            case "squash" -> Resize.SQUASH;
            default -> throw json.error("resize", "is '" + resize + "', expected \"shortest_edge\" or \"squash\"");
        };
        ResampleFilter filter;
        try {
            filter = ResampleFilter.parse(json.string("interpolation"));
        } catch (IllegalArgumentException e) {
            throw json.error("interpolation", "is invalid: " + e.getMessage());
        }
        String cropMode = json.string("crop");
        boolean center = switch (cropMode) {
            case "center" -> true;
            case "none" -> false;
            default -> throw json.error("crop", "is '" + cropMode + "', expected \"center\" or \"none\"");
        };
        if (center && crop > size) {
            throw json.error("resize_size", "is " + size + ", smaller than the crop size " + crop);
        }
        if (!center && size != crop) {
            throw json.error("resize_size", "is " + size + " but without a crop the input side is " + crop
                    + ": give resize_size only with \"crop\": \"center\"");
        }
        double[] std = json.doubles("std", 3);
        for (double s : std) {
            if (!(s > 0)) {
                throw json.error("std", "must hold positive numbers, got " + s);
            }
        }
        return new ImagePreprocessing(size, crop, mode, filter, center, json.positiveDouble("rescale"),
                json.doubles("mean", 3), std);
    }
}
