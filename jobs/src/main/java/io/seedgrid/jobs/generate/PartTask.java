package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.KillPoints;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.jobs.output.ParquetFiles;
import io.seedgrid.jobs.output.RunPaths;
import io.seedgrid.udf.onnx.OrtCalls;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.TaskContext;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One Spark task of {@code generate}: renders one {@linkplain GridLayout.Part part} and publishes it as one
 * Parquet file. The task
 * <ol>
 *   <li>does nothing when the part's file exists (a twin attempt, or an earlier run, published it);</li>
 *   <li>leaves out the cells that other files of its folder hold (parts of another layout: a run whose
 *       prompts or seeds grew);</li>
 *   <li>renders the rest unit by unit into a file under the attempt's temporary folder, the CPU work of the units
 *       before and after beside the device's ({@link PartLoop});</li>
 *   <li>publishes it with one rename ({@link FileSystems#publish}).</li>
 * </ol>
 * A task killed anywhere before the rename leaves no visible trace; after it, its cells are published
 * exactly once, whatever happens to the driver.
 */
final class PartTask {

    private static final Schema CELL_IDS = ImageTable.projection("cell_id");

    private PartTask() {
    }

    /** What a part task did; {@code cells} = already done + rendered now. */
    record Result(long cells, long alreadyDone, long ok, long nan, long errors, long evaluations, double seconds)
            implements Serializable {
        long rendered() {
            return ok + nan + errors;
        }
    }

    /**
     * What a part still needs: its file, whether that is already published, and the units of its cells that
     * no file holds yet.
     */
    record Plan(Path target, boolean published, long cells, List<WorkUnit> units) {
        long todo() {
            return published ? 0 : units.stream().mapToLong(WorkUnit::size).sum();
        }
    }

    /** Finds what {@code part} still needs, reading only its folder's listing and other layouts' cell ids. */
    static Plan plan(GridLayout.Part part, GridLayout layout, RunContext run, FileSystem fs) throws IOException {
        Path folder = RunPaths.partition(run.runDir(), RunPaths.IMAGES, layout.recipeName(part.recipe()), part.bucket());
        Path target = new Path(folder, layout.fileName(part));
        List<GridLayout.Cell> cells = layout.cells(part);
        if (fs.exists(target)) {
            return new Plan(target, true, cells.size(), List.of());
        }
        return new Plan(target, false, cells.size(),
                units(part, layout, run, cells, doneElsewhere(fs, folder, layout, part, run.hadoop().get())));
    }

    /**
     * Renders and publishes {@code part} (on an executor), its units overlapped with the device ({@link PartLoop}):
     * PNG encoding on {@code spark.task.cpus} − 1 threads (at least one).
     */
    static Result run(GridLayout.Part part, GridLayout layout, RunContext run) {
        TaskContext task = TaskContext.get();
        int cpus = task != null ? task.cpus() : Runtime.getRuntime().availableProcessors();
        return run(part, layout, run, PartLoop.Mode.OVERLAPPED, Math.max(1, cpus - 1));
    }

    /** Renders and publishes {@code part} with its units' steps run as {@code mode} says (benchmarks compare them). */
    static Result run(GridLayout.Part part, GridLayout layout, RunContext run, PartLoop.Mode mode, int encodeThreads) {
        long start = System.nanoTime();
        Configuration conf = run.hadoop().get();
        FileSystem fs = FileSystems.of(new Path(run.runDir()), conf);
        try {
            Plan plan = plan(part, layout, run, fs);
            long todo = plan.todo();
            if (todo == 0) {
                return new Result(plan.cells(), plan.cells(), 0, 0, 0, 0, seconds(start));
            }
            Path temp = new Path(RunPaths.temporary(run.runDir(), run.attempt()), UUID.randomUUID() + ".parquet");
            long[] counts = new long[3];   // ok, nan, error: written by the sink's thread, read after the loop
            UnitRenderer renderer = new UnitRenderer(run);
            try (ParquetWriter<GenericRecord> writer = ParquetFiles.writer(temp, ImageTable.SCHEMA, conf, ImageTable.METADATA)) {
                PartLoop.run(plan.units(), renderer, mode, encodeThreads, (unit, rows) -> {
                    for (GenericRecord row : rows) {
                        writer.write(row);
                        switch (row.get("status").toString()) {
                            case "ok" -> counts[0]++;
                            case "nan" -> counts[1]++;
                            default -> counts[2]++;
                        }
                    }
                    KillPoints.reach(KillPoints.RENDERING);
                }, PartTask::stopIfAsked);
            } catch (RuntimeException | IOException | Error e) {
                deleteQuietly(fs, temp);
                throw e;
            }
            stopIfAsked();
            KillPoints.reach(KillPoints.BEFORE_PUBLISH);
            FileSystems.publish(fs, temp, plan.target());
            KillPoints.reach(KillPoints.AFTER_PUBLISH);
            return new Result(plan.cells(), plan.cells() - todo, counts[0], counts[1], counts[2],
                    todo * layout.evaluationsPerCell(part.recipe()), seconds(start));
        } catch (IOException e) {
            throw new UncheckedIOException("part " + part + " of " + run.runDir() + ": " + e.getMessage(), e);
        }
    }

    /** The cells of the part not in {@code done}, as units: one prompt's consecutive seeds, batch_size at most. */
    static List<WorkUnit> units(GridLayout.Part part, GridLayout layout, RunContext run, List<GridLayout.Cell> cells,
                                Set<String> done) {
        RecipeSpec recipe = RecipeSpec.fromJson(layout.recipeJson(part.recipe()));
        List<String> hashes = List.copyOf(run.modelHashes(recipe).values());
        List<WorkUnit> units = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        int prompt = -1;
        for (GridLayout.Cell cell : cells) {
            if (cell.prompt() != prompt || seeds.size() == layout.batchSize()) {
                addUnit(units, layout, part, prompt, seeds, ids);
                prompt = cell.prompt();
            }
            long seed = layout.seed(cell.seed());
            String id = CellId.of(layout.prompt(prompt), layout.negativePrompt(prompt), seed, recipe, run.width(),
                    run.height(), run.longPrompt(), hashes);
            if (!done.contains(id)) {
                seeds.add(seed);
                ids.add(id);
            }
        }
        addUnit(units, layout, part, prompt, seeds, ids);
        return units;
    }

    private static void addUnit(List<WorkUnit> units, GridLayout layout, GridLayout.Part part, int prompt, List<Long> seeds,
                                List<String> ids) {
        if (seeds.isEmpty()) {
            return;
        }
        units.add(new WorkUnit(layout.promptId(prompt), layout.prompt(prompt), layout.negativePrompt(prompt),
                layout.recipeName(part.recipe()), layout.recipeJson(part.recipe()),
                seeds.stream().mapToLong(Long::longValue).toArray(), ids.toArray(new String[0])));
        seeds.clear();
        ids.clear();
    }

    /** Cell ids held by the folder's files of other layouts (their parts may overlap this one). */
    private static Set<String> doneElsewhere(FileSystem fs, Path folder, GridLayout layout, GridLayout.Part part,
                                             Configuration conf) throws IOException {
        Set<String> done = new HashSet<>();
        String mine = layout.filePrefix(part.recipe(), part.bucket());
        for (FileStatus file : FileSystems.parquetFiles(fs, folder)) {
            if (file.getPath().getName().startsWith(mine)) {
                continue;   // this layout's parts never overlap
            }
            try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(file.getPath(), CELL_IDS, conf, null)) {
                for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                    done.add(row.get("cell_id").toString());
                }
            }
        }
        return done;
    }

    /** Ends the task when Spark killed it (a cancelled job, a speculative twin that lost) or the JVM is stopping. */
    private static void stopIfAsked() {
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.killTaskIfInterrupted();
        }
        if (OrtCalls.stopping()) {
            throw new IllegalStateException("the process is stopping");
        }
    }

    private static void deleteQuietly(FileSystem fs, Path temp) {
        try {
            fs.delete(temp, false);
        } catch (IOException | RuntimeException e) {
            // the next attempt deletes the whole temporary folder
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
