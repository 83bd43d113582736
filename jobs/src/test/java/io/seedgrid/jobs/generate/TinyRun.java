package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run configs over the tiny test models, written into a test's temporary folder. */
final class TinyRun {

    private TinyRun() {
    }

    static Path tiny(String variant) {
        String repo = System.getProperty("seedgrid.repo");
        Path root = repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
        return root.resolve("udf/src/test/resources/tiny-sdxl/" + variant);
    }

    /**
     * 2 prompts x 3 seeds x 3 recipes (base Euler 4 steps CFG 5, dmd2 LCM, hybrid) = 18 cells.
     *
     * @param extra more top-level YAML (batch_size, chunk_size, spark, ...)
     */
    static RunConfig config(Path dir, String run, String extra) {
        return config(dir, run, dir.resolve("out").toString(), extra);
    }

    /** The same grid written to {@code output} (a local folder or an s3a:// URI). */
    static RunConfig config(Path dir, String run, String output, String extra) {
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
                  - a red cube on a blue floor
                  - prompt: a green sphere
                    id: sphere
                    negative_prompt: blurry low quality
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
                  - name: hybrid
                    kind: hybrid
                    base: base
                    student: dmd2
                %s
                """.formatted(run, output, tiny("fp32"), tiny("dmd2-unet-only"), tiny("fp32"), extra);
        try {
            Path file = dir.resolve(run + ".yaml");
            Files.writeString(file, yaml);
            return RunConfigParser.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
