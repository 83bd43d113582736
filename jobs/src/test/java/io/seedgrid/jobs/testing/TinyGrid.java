package io.seedgrid.jobs.testing;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Run configs over the udf module's tiny SDXL test models (models {@code base} = tiny fp32 and {@code dmd2}
 * = its UNet-only student, both on the CPU; seeds 0, 1 and 2^64 − 1; 64×48), and its tiny metric models.
 */
public final class TinyGrid {

    /** Recipes base (Euler 4 steps, CFG 5) and dmd2 (LCM at DMD2's timesteps). */
    public static final String BASE_AND_DMD2 = """
              - {name: base, kind: base, model: base, steps: 4, cfg: 5}
              - {name: dmd2, kind: dmd2, model: dmd2}
            """;

    private TinyGrid() {
    }

    public static Path repo() {
        String repo = System.getProperty("seedgrid.repo");
        return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
    }

    /** A variant of udf/src/test/resources/tiny-sdxl/. */
    public static Path tinyModel(String variant) {
        return repo().resolve("udf/src/test/resources/tiny-sdxl/" + variant);
    }

    /** A fixture of udf/src/test/resources/metrics/. */
    public static Path metricFixture(String name) {
        return repo().resolve("udf/src/test/resources/metrics/" + name);
    }

    /**
     * Writes {@code <dir>/<run>.yaml} and parses it.
     *
     * @param output  the output folder or s3a:// URI
     * @param prompts the prompts section's items (YAML, each line indented two spaces)
     * @param recipes the recipes section's items (YAML, each line indented two spaces)
     * @param extra   more top-level YAML (a measure section, batch_size, ...)
     */
    public static RunConfig config(Path dir, String run, String output, String prompts, String recipes, String extra) {
        return config(dir, run, output, prompts, recipes, extra, "[0, 1, 18446744073709551615]", tinyModel("fp32"),
                tinyModel("dmd2-unet-only"));
    }

    /**
     * The same with other seeds (YAML, e.g. {@code "{start: 0, count: 16}"}) and other models: {@code base} a full
     * model folder, {@code dmd2} a UNet-only one on it.
     */
    public static RunConfig config(Path dir, String run, String output, String prompts, String recipes, String extra,
                                   String seeds, Path base, Path dmd2) {
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
                %s
                seeds: %s
                width: 64
                height: 48
                recipes:
                %s
                %s
                """.formatted(run, output, base, dmd2, base, prompts.stripTrailing(), seeds, recipes.stripTrailing(), extra);
        try {
            Path file = dir.resolve(run + ".yaml");
            Files.writeString(file, yaml);
            return RunConfigParser.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies lpips-tiny, embed-tiny and clip-tiny into {@code target}: the jobs write model hash caches beside
     * the models, which must not land in the source tree.
     */
    public static Path copyMetricModels(Path target) {
        for (String name : new String[] {"lpips-tiny", "embed-tiny", "clip-tiny"}) {
            copyTree(metricFixture(name), target.resolve(name));
        }
        return target;
    }

    /** Copies a folder, leaving out hidden files (hash caches). */
    public static void copyTree(Path source, Path target) {
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
