package io.seedgrid.udf.image;

import java.util.Locale;

/**
 * The resampling filters of PIL's {@code Image.resize} that image-model processors use, with PIL's
 * kernels and supports (Pillow src/libImaging/Resample.c).
 */
public enum ResampleFilter {
    /** Triangle filter, support 1. */
    BILINEAR(1.0) {
        @Override
        double weight(double x) {
            if (x < 0.0) {
                x = -x;
            }
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** Keys' cubic convolution with a = -0.5 (Keys 1981), support 2. */
    BICUBIC(2.0) {
        @Override
        double weight(double x) {
            final double a = -0.5;
            if (x < 0.0) {
                x = -x;
            }
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    };

    private final double support;

    ResampleFilter(double support) {
        this.support = support;
    }

    /** Half-width of the kernel at scale 1 (widened by the scale factor when downscaling). */
    double support() {
        return support;
    }

    abstract double weight(double x);

    /** "bilinear" or "bicubic" (case-insensitive), as written in seedgrid-metric.json. */
    public static ResampleFilter parse(String name) {
        for (ResampleFilter f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown interpolation '" + name + "': expected \"bicubic\" or \"bilinear\"");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
