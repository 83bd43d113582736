package io.seedgrid.udf.image;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times PNG encoding of images under several {@link PngEncoder.Compression}s on the calling thread, and reports
 * each one's size and time (the thread's CPU time, which does not count the time other processes on a shared
 * machine hold the core; the fastest of the repeats). Every encoding is decoded again with javax.imageio and
 * compared with the pixels, so a setting that loses pixels cannot win.
 */
public final class PngBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The settings compared: seedgrid's earlier one first, zlib's levels, Huffman coding alone, three filters. */
    public static final List<PngEncoder.Compression> SETTINGS = List.of(
            new PngEncoder.Compression(PngEncoder.Filter.SUB, 6, false),
            new PngEncoder.Compression(PngEncoder.Filter.SUB, 1, false),
            new PngEncoder.Compression(PngEncoder.Filter.SUB, 3, false),
            new PngEncoder.Compression(PngEncoder.Filter.SUB, 9, false),
            new PngEncoder.Compression(PngEncoder.Filter.SUB, 6, true),
            new PngEncoder.Compression(PngEncoder.Filter.PAETH, 1, false),
            new PngEncoder.Compression(PngEncoder.Filter.PAETH, 6, false),
            new PngEncoder.Compression(PngEncoder.Filter.PAETH, 6, true),
            new PngEncoder.Compression(PngEncoder.Filter.ADAPTIVE, 1, false),
            new PngEncoder.Compression(PngEncoder.Filter.ADAPTIVE, 6, false),
            new PngEncoder.Compression(PngEncoder.Filter.ADAPTIVE, 9, false),
            new PngEncoder.Compression(PngEncoder.Filter.ADAPTIVE, 6, true));

    private PngBenchmark() {
    }

    /** One image's figures under one setting. */
    public record Row(String image, PngEncoder.Compression compression, int bytes, double bitsPerPixel, double cpuMs,
                      double wallMs) {
    }

    /** The table, in image order, then setting order. */
    public record Result(int repeats, List<Row> rows) {
        public String table() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "PNG encoding, one thread, fastest of %d (CPU time of the thread; wall in brackets)%n", repeats));
            String image = null;
            for (Row row : rows) {
                if (!row.image().equals(image)) {
                    image = row.image();
                    out.append(String.format(Locale.ROOT, "  %s%n    %-22s %12s %8s %10s%n", image, "setting", "bytes",
                            "bits/px", "ms"));
                }
                out.append(String.format(Locale.ROOT, "    %-22s %12d %8.2f %10s%s%n", row.compression().label(), row.bytes(),
                        row.bitsPerPixel(), String.format(Locale.ROOT, "%.1f (%.1f)", row.cpuMs(), row.wallMs()),
                        row.compression().equals(PngEncoder.Compression.DEFAULT) ? "   <- seedgrid" : ""));
            }
            return out.toString().stripTrailing();
        }
    }

    /** Encodes every image under every setting, {@code repeats} times after an untimed warm-up. */
    public static Result run(Map<String, RgbImage> images, List<PngEncoder.Compression> settings, int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        }
        Map<String, String> text = Map.of("parameters", "a benchmark image\nSteps: 4, Seed: 1");
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, RgbImage> entry : images.entrySet()) {
            RgbImage image = entry.getValue();
            for (PngEncoder.Compression compression : settings) {
                byte[] png = PngEncoder.encode(image, text, compression);   // warm-up, and the bytes checked
                if (!PngFile.decode(png).equals(image)) {
                    throw new IllegalStateException(compression.label() + " does not decode to the pixels of " + entry.getKey());
                }
                long cpu = Long.MAX_VALUE;
                long wall = Long.MAX_VALUE;
                for (int r = 0; r < repeats; r++) {
                    long cpu0 = THREADS.getCurrentThreadCpuTime();
                    long wall0 = System.nanoTime();
                    png = PngEncoder.encode(image, text, compression);
                    wall = Math.min(wall, System.nanoTime() - wall0);
                    cpu = Math.min(cpu, THREADS.getCurrentThreadCpuTime() - cpu0);
                }
                rows.add(new Row(entry.getKey(), compression, png.length,
                        8.0 * png.length / ((long) image.width() * image.height()), cpu / 1e6, wall / 1e6));
            }
        }
        return new Result(repeats, rows);
    }

    /**
     * {@code image} repeated over a {@code width}×{@code height} canvas, band by band: the k-th band of the source's
     * height continues where the band above left off in the source's width, so a strip of images (2048×512: four
     * 512² images side by side) fills a square (1024²: the four in a 2×2 grid).
     */
    public static RgbImage tile(RgbImage image, int width, int height) {
        byte[] src = image.rgb();
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int sy = y % image.height();
            int offset = (y / image.height()) * width;
            for (int x = 0; x < width; x++) {
                int sx = (x + offset) % image.width();
                System.arraycopy(src, (sy * image.width() + sx) * 3, out, (y * width + x) * 3, 3);
            }
        }
        return RgbImage.wrap(width, height, out);
    }

    /**
     * A seeded stand-in for a photograph: value noise summed over octaves with amplitudes halving as frequencies
     * double (natural images' power falls with frequency), plus a grain of about ±2 levels, like a generated image's
     * fine texture.
     */
    public static RgbImage smooth(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] sum = new float[width * height * 3];
        for (int cell = Math.max(width, height) / 2, amplitude = 96; cell >= 2; cell /= 2, amplitude /= 2) {
            int gw = width / cell + 2;
            int gh = height / cell + 2;
            float[] grid = new float[gw * gh * 3];
            for (int i = 0; i < grid.length; i++) {
                grid[i] = (float) (random.nextDouble(-1, 1) * amplitude);
            }
            for (int y = 0; y < height; y++) {
                int gy = y / cell;
                float fy = (y % cell) / (float) cell;
                for (int x = 0; x < width; x++) {
                    int gx = x / cell;
                    float fx = (x % cell) / (float) cell;
                    for (int c = 0; c < 3; c++) {
                        float top = lerp(grid[(gy * gw + gx) * 3 + c], grid[(gy * gw + gx + 1) * 3 + c], fx);
                        float bottom = lerp(grid[((gy + 1) * gw + gx) * 3 + c], grid[((gy + 1) * gw + gx + 1) * 3 + c], fx);
                        sum[(y * width + x) * 3 + c] += lerp(top, bottom, fy);
                    }
                }
            }
        }
        byte[] rgb = new byte[sum.length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) Math.max(0, Math.min(255, Math.round(128 + sum[i] + random.nextInt(-2, 3))));
        }
        return RgbImage.wrap(width, height, rgb);
    }

    /** A seeded stand-in for flat artwork: a plain background with solid discs and rectangles on it. */
    public static RgbImage flat(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] rgb = new byte[width * height * 3];
        byte[] colour = {(byte) 236, (byte) 232, (byte) 220};
        for (int p = 0; p < width * height; p++) {
            System.arraycopy(colour, 0, rgb, p * 3, 3);
        }
        for (int shape = 0; shape < 12; shape++) {
            byte[] c = {(byte) random.nextInt(256), (byte) random.nextInt(256), (byte) random.nextInt(256)};
            int cx = random.nextInt(width);
            int cy = random.nextInt(height);
            int r = 16 + random.nextInt(Math.max(17, width / 6));
            boolean disc = random.nextBoolean();
            for (int y = Math.max(0, cy - r); y < Math.min(height, cy + r); y++) {
                for (int x = Math.max(0, cx - r); x < Math.min(width, cx + r); x++) {
                    if (!disc || (long) (x - cx) * (x - cx) + (long) (y - cy) * (y - cy) < (long) r * r) {
                        System.arraycopy(c, 0, rgb, (y * width + x) * 3, 3);
                    }
                }
            }
        }
        return RgbImage.wrap(width, height, rgb);
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }
}
