package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.Timings;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a work unit into {@code images/} rows on an executor, and decides what a failure means:
 * <ul>
 *   <li>out of memory (ONNX Runtime's allocators, CUDA, the Java heap): the unit is rendered again as two
 *       halves, down to one seed; one seed still out of memory becomes {@code error} rows;</li>
 *   <li>bad input the checks before the run could not see (a prompt or recipe the model cannot take,
 *       {@link IllegalArgumentException}): {@code error} rows, final like {@code nan} rows, so that one bad
 *       prompt costs its own cells only ({@code generate --retry-errors} renders them again);</li>
 *   <li>anything else (a lost device, an I/O error, a cancelled call): the exception propagates and fails
 *       the task, which Spark retries, on another executor where there is one.</li>
 * </ul>
 * A unit goes through the renderer's steps ({@link CellRenderer}) as an {@link InFlight}: a part's loop
 * ({@link PartLoop}) runs them on different threads, {@link #render} runs them in turn on the caller's.
 * Whatever the step that failed, the decision is taken on the task's thread, where the halves are rendered.
 */
final class UnitRenderer {

    private final RunContext run;

    UnitRenderer(RunContext run) {
        this.run = run;
    }

    /** The unit's rows, in seed order, every step on this thread. */
    List<GenericRecord> render(WorkUnit unit) {
        try (InFlight inFlight = start(unit, CellRenderer.Helpers.CALLER)) {
            inFlight.prepare();
            inFlight.render();
            List<GenericRecord> rows = inFlight.finish();
            return rows != null ? rows : inFlight.again();
        }
    }

    /** Starts {@code unit} on the task's thread; its steps follow ({@link InFlight}). */
    InFlight start(WorkUnit unit, CellRenderer.Helpers helpers) {
        return new InFlight(unit, helpers);
    }

    /**
     * One unit between the renderer's steps: {@link #prepare} (any thread), {@link #render} (the task's thread: the
     * device), {@link #finish} (any thread). A step that fails leaves its failure to the steps after it.
     */
    final class InFlight implements AutoCloseable {
        private final WorkUnit unit;
        private CellRenderer.Ahead ahead;
        private CellRenderer.OnDevice device;
        private CellRenderer.Behind behind;
        private Throwable failure;
        private List<GenericRecord> decided;

        private InFlight(WorkUnit unit, CellRenderer.Helpers helpers) {
            this.unit = unit;
            try {
                ahead = run.renderer().start(unit, run, helpers);
            } catch (Exception | OutOfMemoryError e) {
                failure = e;
            }
        }

        WorkUnit unit() {
            return unit;
        }

        /** The CPU work before the device; any thread. */
        void prepare() {
            if (failure != null) {
                return;
            }
            try {
                device = ahead.prepare();
            } catch (Exception | OutOfMemoryError e) {
                failure = e;
            }
        }

        /**
         * The device's work, on the task's thread; then a failure of this or an earlier step is decided (here, because
         * out of memory renders the unit again as halves). Throws for a failure that is not the unit's.
         */
        void render() {
            if (failure == null) {
                try {
                    behind = device.render();
                } catch (Exception | OutOfMemoryError e) {
                    failure = e;
                } finally {
                    device.close();
                }
            }
            if (failure != null) {
                decided = decide(unit, failure);
            }
        }

        /**
         * The unit's rows, in seed order; any thread. Null when the finishing step ran out of memory: then
         * {@link #again()}, on the task's thread, renders the unit again as halves. Throws for a failure that is not
         * the unit's.
         */
        List<GenericRecord> finish() {
            if (decided != null) {
                return decided;
            }
            List<CellRenderer.Rendered> cells;
            try (CellRenderer.Behind finishing = behind) {
                cells = finishing.finish();
            } catch (Exception | OutOfMemoryError e) {
                if (Failures.isOutOfMemory(e)) {
                    failure = e;
                    return null;
                }
                return decide(unit, e);
            }
            return rows(unit, cells);
        }

        /** The rows of a unit whose finishing step ran out of memory; on the task's thread. */
        List<GenericRecord> again() {
            return decide(unit, failure);
        }

        /** Releases what the unit holds when it will not be finished (a stopped loop); idempotent. */
        @Override
        public void close() {
            if (device != null) {
                device.close();
            }
            if (behind != null) {
                behind.close();
            }
        }
    }

    /** The rows for a unit that failed with {@code e}, or the exception when the failure is not the unit's. */
    private List<GenericRecord> decide(WorkUnit unit, Throwable e) {
        if (Failures.isOutOfMemory(e) && unit.size() > 1) {
            List<GenericRecord> rows = new ArrayList<>(render(unit.slice(0, unit.size() / 2)));
            rows.addAll(render(unit.slice(unit.size() / 2, unit.size())));
            return rows;
        }
        if (!Failures.isOutOfMemory(e) && !Failures.isBadInput(e)) {
            throw Failures.unchecked(e);
        }
        String message = (Failures.isOutOfMemory(e) ? "out of memory at batch size 1: " : "")
                + e.getClass().getSimpleName() + ": " + e.getMessage();
        CellRenderer.Rendered error = new CellRenderer.Rendered(ImageStatus.ERROR, message, null, "unknown", 0, false,
                new Timings(0, 0, 0, 0, 0, 0, 0));
        return rows(unit, new ArrayList<>(java.util.Collections.nCopies(unit.size(), error)));
    }

    /** The rows of the unit's cells (writing their PNG files when the run keeps them). */
    private List<GenericRecord> rows(WorkUnit unit, List<CellRenderer.Rendered> cells) {
        if (cells.size() != unit.size()) {
            throw new IllegalStateException("the renderer returned " + cells.size() + " images for " + unit.size() + " seeds");
        }
        RecipeSpec recipe = RecipeSpec.fromJson(unit.recipeJson());
        Map<String, String> hashes = run.modelHashes(recipe);
        List<GenericRecord> rows = new ArrayList<>(unit.size());
        for (int i = 0; i < unit.size(); i++) {
            CellRenderer.Rendered cell = cells.get(i);
            String pngPath = null;
            if (cell.png() != null && run.pngFiles()) {
                pngPath = "png/" + unit.recipeName() + "/" + unit.promptId() + "/" + Long.toUnsignedString(unit.seeds()[i]) + ".png";
                writePng(pngPath, cell.png());
            }
            rows.add(row(unit, i, hashes, cell, pngPath));
        }
        return rows;
    }

    private GenericRecord row(WorkUnit unit, int i, Map<String, String> hashes, CellRenderer.Rendered cell, String pngPath) {
        GenericRecord r = new GenericData.Record(ImageTable.SCHEMA);
        r.put("cell_id", unit.cellIds()[i]);
        r.put("run_id", run.run());
        r.put("attempt", run.attempt());
        r.put("prompt_id", unit.promptId());
        r.put("prompt", unit.prompt());
        r.put("negative_prompt", unit.negativePrompt());
        r.put("seed", ImageTable.seed(unit.seeds()[i]));
        r.put("recipe", unit.recipeName());
        r.put("recipe_json", unit.recipeJson());
        r.put("models", ImageTable.models(hashes));
        r.put("width", run.width());
        r.put("height", run.height());
        r.put("image", ImageTable.image(cell.png(), pngPath));
        r.put("status", cell.status().label());
        r.put("message", cell.message() == null ? "" : cell.message());
        r.put("device", cell.device() == null ? "unknown" : cell.device());
        r.put("prompt_tokens", cell.promptTokens());
        r.put("prompt_truncated", cell.truncated());
        r.put("text_ms", cell.timings().textMs());
        r.put("unet_ms", cell.timings().unetMs());
        r.put("vae_ms", cell.timings().vaeMs());
        r.put("total_ms", cell.timings().totalMs());
        r.put("created_at", ImageTable.now());
        r.put("code_version", BuildInfo.codeVersion());   // on the executor: the ONNX Runtime it loaded
        return r;
    }

    /** Writes a PNG under the run folder; idempotent (the same cell always writes the same bytes to the same path). */
    private void writePng(String relative, byte[] png) {
        Path path = new Path(run.runDir() + "/" + relative);
        try {
            FileSystem fs = FileSystems.of(path, run.hadoop().get());
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(png);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}
