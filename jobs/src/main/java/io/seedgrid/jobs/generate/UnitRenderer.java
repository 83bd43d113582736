package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.render.PngMetadata;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.pipeline.GeneratedImage;
import io.seedgrid.udf.pipeline.GenerationRequest;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.LongPromptMode;
import io.seedgrid.udf.pipeline.PipelineObserver;
import io.seedgrid.udf.pipeline.SamplingPlan;
import io.seedgrid.udf.pipeline.SdxlPipeline;
import io.seedgrid.udf.recipe.RecipeCompiler;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders work units into {@code images/} rows, on an executor (the body of {@code mapPartitions}).
 * A unit that fails becomes rows with status {@code error} and the message; it never fails the task,
 * so that one bad prompt costs its own cells only.
 */
final class UnitRenderer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final RunContext run;

    UnitRenderer(RunContext run) {
        this.run = run;
    }

    /** Renders units lazily, one at a time, so a partition's rows stream into the Parquet writer. */
    Iterator<Row> render(Iterator<WorkUnit> units) {
        ExecutorModels models = new ExecutorModels(run.models(), run.blendCache(), 0);
        return new Iterator<>() {
            private Iterator<Row> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && units.hasNext()) {
                    current = renderUnit(units.next(), models).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    List<Row> renderUnit(WorkUnit unit, ExecutorModels models) {
        RecipeSpec recipe = RecipeSpec.fromJson(unit.recipeJson());
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String name : recipe.modelNames()) {
            hashes.put(name, run.models().get(name).sha256());
        }
        List<Row> rows = new ArrayList<>(unit.size());
        List<GeneratedImage> images;
        try {
            SamplingPlan plan = RecipeCompiler.compile(recipe, unit.negativePrompt(), models);
            GenerationRequest request = new GenerationRequest(unit.prompt(), run.width(), run.height(), plan,
                    LongPromptMode.parse(run.longPrompt()));
            images = SdxlPipeline.generate(request, unit.seeds(), PipelineObserver.NONE);
        } catch (Exception | LinkageError e) {
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            String device = models.deviceNote() == null ? "unknown" : models.deviceNote();
            for (int i = 0; i < unit.size(); i++) {
                rows.add(ImageRows.row(run, unit, i, hashes, null, null, ImageStatus.ERROR.label(), message, device,
                        0, false, 0, 0, 0, 0));
            }
            return rows;
        }
        for (int i = 0; i < unit.size(); i++) {
            GeneratedImage image = images.get(i);
            byte[] png = null;
            String pngPath = null;
            if (image.status() == ImageStatus.OK) {
                png = PngEncoder.encode(image.image(), PngMetadata.forRecipe(unit.prompt(), unit.negativePrompt(),
                        unit.seeds()[i], recipe, run.width(), run.height(), hashes));
                if (run.pngFiles()) {
                    pngPath = "png/" + unit.recipeName() + "/" + unit.promptId() + "/" + Long.toUnsignedString(unit.seeds()[i]) + ".png";
                    writePng(pngPath, png);
                }
            }
            rows.add(ImageRows.row(run, unit, i, hashes, png, pngPath, image.status().label(), image.message(),
                    models.deviceNote(), image.promptTokens(), image.truncated(), image.timings().textMs(),
                    image.timings().unetMs(), image.timings().vaeMs(), image.timings().totalMs()));
        }
        return rows;
    }

    /** Writes a PNG under the run folder; idempotent (the same cell always writes the same bytes to the same path). */
    private void writePng(String relative, byte[] png) {
        Path path = new Path(run.runDir() + "/" + relative);
        try {
            FileSystem fs = FileSystem.get(URI.create(run.runDir()), run.hadoop().get());
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(png);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}
