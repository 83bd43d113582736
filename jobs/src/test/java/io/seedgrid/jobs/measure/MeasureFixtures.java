package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/** A tiny generated run and the udf module's tiny metric models, for the measure tests. */
final class MeasureFixtures {

    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private MeasureFixtures() {
    }

    /**
     * 2 prompts (ids cube, sphere) x 3 seeds x 2 recipes (base Euler 4 steps CFG 5, dmd2) = 12 cells of 64x48
     * on the tiny SDXL models, 4 groups of 3 images.
     *
     * @param measure the measure section's body (indented two spaces), or empty
     * @param extra   more top-level YAML
     */
    static RunConfig config(Path dir, String run, String measure, String extra) {
        return TinyGrid.config(dir, run, dir.resolve("out").toString(), """
                  - {prompt: a red cube on a blue floor, id: cube}
                  - {prompt: a green sphere, id: sphere}
                """, TinyGrid.BASE_AND_DMD2, (measure.isEmpty() ? "" : "measure:\n" + measure) + "\n" + extra);
    }

    /** Renders {@code config}'s grid. */
    static void generate(RunConfig config) {
        GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET, GenerateJob.ChunkListener.NONE);
    }

    static RgbImage decode(byte[] png) {
        return PngFile.decode(png);
    }
}
