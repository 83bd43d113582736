package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A tiny generated run and the udf module's tiny metric models, for the measure tests. */
final class MeasureFixtures {

    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private MeasureFixtures() {
    }

    static Path repo() {
        String repo = System.getProperty("seedgrid.repo");
        return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
    }

    /** A fixture of udf/src/test/resources/metrics/. */
    static Path metricFixture(String name) {
        return repo().resolve("udf/src/test/resources/metrics/" + name);
    }

    /**
     * Copies lpips-tiny, embed-tiny and clip-tiny into {@code target} (the job writes model hash caches
     * beside the models, which must not land in the source tree).
     */
    static Path copyMetricModels(Path target) {
        for (String name : new String[] {"lpips-tiny", "embed-tiny", "clip-tiny"}) {
            copyTree(metricFixture(name), target.resolve(name));
        }
        return target;
    }

    /**
     * 2 prompts (ids cube, sphere) x 3 seeds x 2 recipes (base Euler 4 steps CFG 5, dmd2) = 12 cells of 64x48
     * on the tiny SDXL models, 4 groups of 3 images.
     *
     * @param measure the measure section's body (indented two spaces), or empty
     * @param extra   more top-level YAML
     */
    static RunConfig config(Path dir, String run, String measure, String extra) {
        Path tiny = repo().resolve("udf/src/test/resources/tiny-sdxl");
        String yaml = """
                run: %s
                output: %s
                models:
                  base:
                    path: %s
                    device: cpu
                  dmd2:
                    path: %s
                    base: %s
                    device: cpu
                prompts:
                  - prompt: a red cube on a blue floor
                    id: cube
                  - prompt: a green sphere
                    id: sphere
                seeds: [0, 1, 18446744073709551615]
                width: 64
                height: 48
                recipes:
                  - name: base
                    kind: base
                    model: base
                    steps: 4
                    cfg: 5
                  - name: dmd2
                    kind: dmd2
                    model: dmd2
                %s
                %s
                """.formatted(run, dir.resolve("out"), tiny.resolve("fp32"), tiny.resolve("dmd2-unet-only"),
                tiny.resolve("fp32"), measure.isEmpty() ? "" : "measure:\n" + measure, extra);
        try {
            Path file = dir.resolve(run + ".yaml");
            Files.writeString(file, yaml);
            return RunConfigParser.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Renders {@code config}'s grid. */
    static void generate(RunConfig config) {
        GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET, GenerateJob.ChunkListener.NONE);
    }

    static RgbImage decode(byte[] png) {
        return PngFile.decode(png);
    }

    static void copyTree(Path source, Path target) {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!p.getFileName().toString().startsWith(".")) {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
