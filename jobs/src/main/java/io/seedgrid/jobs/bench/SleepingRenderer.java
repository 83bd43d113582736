package io.seedgrid.jobs.bench;

import io.seedgrid.jobs.generate.CellRenderer;
import io.seedgrid.jobs.generate.GridLayout;
import io.seedgrid.jobs.generate.RunContext;
import io.seedgrid.jobs.generate.WorkUnit;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.Timings;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for a GPU: renders a unit by sleeping for its modelled GPU time — its cells' UNet image-evaluations
 * ({@link GridLayout#evaluationsPerCell}) times {@code evaluationMs} — which costs no CPU, and returns a tiny
 * PNG per cell. Everything around it (parts, rows, Parquet files, publication, Spark scheduling) is the real job.
 */
public record SleepingRenderer(double evaluationMs) implements CellRenderer {

    private static final byte[] PNG = PngEncoder.encode(new RgbImage(8, 8, new byte[8 * 8 * 3]), Map.of());

    /** Modelled milliseconds of {@code cells} cells of {@code recipe}. */
    public double modelledMs(RecipeSpec recipe, long cells) {
        return cells * GridLayout.evaluationsPerCell(recipe) * evaluationMs;
    }

    @Override
    public List<Rendered> render(WorkUnit unit, RunContext run) throws InterruptedException {
        double ms = modelledMs(RecipeSpec.fromJson(unit.recipeJson()), unit.size());
        Thread.sleep((long) ms, (int) ((ms - Math.floor(ms)) * 1e6));
        List<Rendered> out = new ArrayList<>(unit.size());
        Timings timings = new Timings(0, ms / unit.size(), 0, ms / unit.size(), ms / unit.size(), 0, 0);
        for (int i = 0; i < unit.size(); i++) {
            out.add(new Rendered(ImageStatus.OK, "", PNG, "sleep", 3, false, timings));
        }
        return out;
    }
}
