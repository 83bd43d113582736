package io.seedgrid.jobs.cli;

import io.seedgrid.udf.image.PngBenchmark;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code seedgrid bench png}. */
@Command(name = "png", mixinStandardHelpOptions = true,
        description = "Time PNG encoding of size x size images under zlib's levels, Huffman coding alone and three row"
                + " filters, on one thread, and report each setting's size and time (the table behind seedgrid's PNG"
                + " setting). Without --image: two seeded synthetic images, photo-like and flat.")
final class BenchPngCommand implements Callable<Integer> {

    @Option(names = "--image", description = "an image file (PNG, JPEG, ...), repeated over size x size; repeatable")
    List<Path> images;

    @Option(names = "--size", defaultValue = "1024", description = "image width and height (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--repeats", defaultValue = "5", description = "timed encodings per setting after a warm-up, the"
            + " fastest counts (default: ${DEFAULT-VALUE})")
    int repeats;

    @Override
    public Integer call() throws IOException {
        if (size < 1 || size > 8192) {
            throw new IllegalArgumentException("--size must be 1 to 8192, got " + size);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        Map<String, RgbImage> inputs = new LinkedHashMap<>();
        if (images == null || images.isEmpty()) {
            inputs.put("synthetic photo-like (seed 1)", PngBenchmark.smooth(size, size, 1));
            inputs.put("synthetic flat artwork (seed 1)", PngBenchmark.flat(size, size, 1));
        } else {
            for (Path image : images) {
                if (!Files.isRegularFile(image)) {
                    throw new IllegalArgumentException("--image: no such file: " + image);
                }
                inputs.put(image.getFileName().toString(), PngBenchmark.tile(PngFile.decode(Files.readAllBytes(image)), size, size));
            }
        }
        System.out.println(PngBenchmark.run(inputs, PngBenchmark.SETTINGS, repeats).table());
        return 0;
    }
}
