package io.seedgrid.jobs.tune;

import io.seedgrid.jobs.testing.TinyGrid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small tune on the udf module's tiny SDXL test models and tiny CLIP pair. */
public final class TuneFixtures {

    private TuneFixtures() {
    }

    /**
     * Writes {@code <dir>/<run>.yaml}: the prompts (a YAML list of 4), seeds 0-3, 64×48; references base (Euler 4
     * steps, CFG 5) and dmd2; 5 candidates (blend α 0, 0.5, 1 and hybrid with 1 or 2 base steps); rungs 2 × 2 and
     * 4 × 4. The references take 2 × 16 images and rung 0 5 × 4: 52; each promoted candidate 12 more, and the budget
     * of 76 pays for 2. Output {@code <dir>/out}.
     */
    public static Path config(Path dir, String run, String prompts) throws IOException {
        Path models = TinyGrid.copyMetricModels(dir.resolve("metric-models"));
        String yaml = """
                run: %s
                output: %s
                models:
                  base: {path: %s, device: cpu}
                  dmd2: {path: %s, base: %s, device: cpu}
                prompts: %s
                seeds: {start: 0, count: 4}
                width: 64
                height: 48
                recipes:
                  - {name: base, kind: base, model: base, steps: 4, cfg: 5}
                  - {name: dmd2, kind: dmd2, model: dmd2}
                tune:
                  space:
                    - {name: blend, kind: blend, a: base, b: dmd2, alpha: [0, 0.5, 1]}
                    - {name: hybrid, kind: hybrid, base: base, student: dmd2, base_steps: [1, 2]}
                  images: 76
                  fidelity: {prompts: 2, seeds: 2, factor: 2}
                batch_size: 2
                spark: {master: "local[2]"}
                measure: {clip: %s, ms_ssim: false, bootstrap: 200}
                """.formatted(run, dir.resolve("out"), TinyGrid.tinyModel("fp32"), TinyGrid.tinyModel("dmd2-unet-only"),
                TinyGrid.tinyModel("fp32"), prompts, models.resolve("clip-tiny"));
        Path file = dir.resolve(run + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
