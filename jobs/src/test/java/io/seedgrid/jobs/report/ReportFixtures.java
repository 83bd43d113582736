package io.seedgrid.jobs.report;

import io.seedgrid.jobs.testing.TinyGrid;

import io.seedgrid.jobs.config.RunConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/** Tiny runs on the udf module's tiny SDXL and metric test models, and the command line run in-process. */
final class ReportFixtures {

    /** A prompt that would run a script and break out of quoted attributes if it were not escaped. */
    static final String HOSTILE_PROMPT = "<script>alert(1)</script>\"'&";
    static final String HOSTILE_PROMPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";

    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private ReportFixtures() {
    }

    /**
     * {@code prompts} × seeds 0, 1, 2^64 − 1 × recipes base (Euler 4 steps, CFG 5) and dmd2, 64×48, on the tiny
     * SDXL models; written to {@code <dir>/<run>.yaml}, output {@code <dir>/out}.
     *
     * @param prompts the prompts section's items (YAML, indented two spaces)
     * @param measure the measure section's body (indented two spaces), or empty
     */
    static RunConfig config(Path dir, String run, String prompts, String measure) {
        return TinyGrid.config(dir, run, dir.resolve("out").toString(), prompts, TinyGrid.BASE_AND_DMD2,
                measure.isEmpty() ? "" : "measure:\n" + measure);
    }

    /** The measure section with all three tiny metric models under {@code models}. */
    static String allMetrics(Path models, String reference) {
        return """
                  lpips: %s
                  encoders: [%s]
                  clip: %s
                  reference_recipe: %s
                  bootstrap: 200
                """.formatted(models.resolve("lpips-tiny"), models.resolve("embed-tiny"), models.resolve("clip-tiny"),
                reference);
    }
}
