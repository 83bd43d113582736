package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.TinyGrid;

import java.nio.file.Path;

/** The generation tests' grid: 2 prompts x 3 seeds x 3 recipes (base, dmd2, hybrid) = 18 cells. */
final class TinyRun {

    private static final String PROMPTS = """
              - a red cube on a blue floor
              - {prompt: a green sphere, id: sphere, negative_prompt: blurry low quality}
            """;

    private TinyRun() {
    }

    /** @param extra more top-level YAML (batch_size, chunk_size, spark, ...) */
    static RunConfig config(Path dir, String run, String extra) {
        return config(dir, run, dir.resolve("out").toString(), extra);
    }

    /** The same grid written to {@code output} (a local folder or an s3a:// URI). */
    static RunConfig config(Path dir, String run, String output, String extra) {
        return TinyGrid.config(dir, run, output, PROMPTS,
                TinyGrid.BASE_AND_DMD2 + "  - {name: hybrid, kind: hybrid, base: base, student: dmd2}\n", extra);
    }
}
