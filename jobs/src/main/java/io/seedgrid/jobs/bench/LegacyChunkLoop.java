package io.seedgrid.jobs.bench;

import io.seedgrid.jobs.generate.CellId;
import io.seedgrid.jobs.generate.GridLayout;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.RunContext;
import io.seedgrid.jobs.generate.WorkUnit;
import io.seedgrid.jobs.config.PromptEntry;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The wave-1 run loop, kept as {@code bench scale}'s baseline: the grid in units of batch_size seeds (prompt,
 * then recipe, then seed), cut into chunks of {@code chunk_size} cells; each chunk is one blocking Spark job
 * whose units are spread over at most two task slots per core by cost (longest first), written with Spark's
 * Parquet commit protocol, and the next chunk starts only after the commit.
 */
final class LegacyChunkLoop {

    /** What the loop did before its time ran out. */
    record Result(long cells, int chunks, double modelledSeconds, double wallSeconds) {
    }

    private static final StructType SCHEMA = new StructType()
            .add("cell_id", DataTypes.StringType).add("prompt_id", DataTypes.StringType)
            .add("recipe", DataTypes.StringType).add("seed", DataTypes.createDecimalType(20, 0))
            .add("status", DataTypes.StringType).add("png", DataTypes.BinaryType);

    private LegacyChunkLoop() {
    }

    /** Runs chunks in grid order until {@code seconds} of wall time have passed (or the grid is done). */
    static Result run(SparkSession spark, RunConfig config, Map<String, ModelIdentity> models, RunContext context,
                      SleepingRenderer renderer, int chunkSize, int batchSize, double seconds, String output) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slots = 2 * jsc.defaultParallelism();
        Iterator<WorkUnit> units = units(config, models, batchSize);
        long start = System.nanoTime();
        long cells = 0;
        int chunks = 0;
        double modelled = 0;
        while (units.hasNext() && (System.nanoTime() - start) / 1e9 < seconds) {
            List<WorkUnit> chunk = new ArrayList<>();
            int held = 0;
            while (units.hasNext() && held < chunkSize) {
                WorkUnit unit = units.next();
                chunk.add(unit);
                held += unit.size();
            }
            List<List<WorkUnit>> tasks = longestFirst(chunk, slots, renderer);
            JavaRDD<Row> rows = jsc.parallelize(tasks, tasks.size()).flatMap(task -> {
                List<Row> out = new ArrayList<>();
                for (WorkUnit unit : task) {
                    var rendered = renderer.render(unit, context);
                    for (int i = 0; i < unit.size(); i++) {
                        out.add(RowFactory.create(unit.cellIds()[i], unit.promptId(), unit.recipeName(),
                                ImageTable.seed(unit.seeds()[i]), "ok", rendered.get(i).png()));
                    }
                }
                return out.iterator();
            });
            spark.createDataFrame(rows, SCHEMA).write().mode(SaveMode.Append).parquet(output);
            for (WorkUnit unit : chunk) {
                cells += unit.size();
                modelled += renderer.modelledMs(RecipeSpec.fromJson(unit.recipeJson()), unit.size()) / 1000;
            }
            chunks++;
        }
        return new Result(cells, chunks, modelled, (System.nanoTime() - start) / 1e9);
    }

    /** The grid's units in wave-1 order: prompt, then recipe, then seeds in batches. */
    private static Iterator<WorkUnit> units(RunConfig config, Map<String, ModelIdentity> models, int batchSize) {
        String longPrompt = config.longPrompt().name().toLowerCase(java.util.Locale.ROOT);
        List<WorkUnit> all = new ArrayList<>();
        for (PromptEntry prompt : config.prompts()) {
            for (RecipeSpec recipe : config.recipes()) {
                List<String> hashes = recipe.modelNames().stream().map(n -> models.get(n).sha256()).toList();
                for (long from = 0; from < config.seeds().size(); from += batchSize) {
                    int n = (int) Math.min(batchSize, config.seeds().size() - from);
                    long[] seeds = new long[n];
                    String[] ids = new String[n];
                    for (int i = 0; i < n; i++) {
                        seeds[i] = config.seeds().get(from + i);
                        ids[i] = CellId.of(prompt.prompt(), prompt.negativePrompt(), seeds[i], recipe, config.width(),
                                config.height(), longPrompt, hashes);
                    }
                    all.add(new WorkUnit(prompt.id(), prompt.prompt(), prompt.negativePrompt(), recipe.name(),
                            recipe.toJsonWithName(), seeds, ids));
                }
            }
        }
        return all.iterator();
    }

    /** Wave 1's slots: longest unit first, each into the least loaded of at most {@code slots} tasks. */
    private static List<List<WorkUnit>> longestFirst(List<WorkUnit> chunk, int slots, SleepingRenderer renderer) {
        int n = Math.max(1, Math.min(slots, chunk.size()));
        double[] cost = chunk.stream().mapToDouble(u -> renderer.modelledMs(RecipeSpec.fromJson(u.recipeJson()), u.size()))
                .toArray();
        Integer[] order = new Integer[chunk.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(cost[b], cost[a]));
        double[] load = new double[n];
        List<List<WorkUnit>> tasks = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            tasks.add(new ArrayList<>());
        }
        for (int i : order) {
            int least = 0;
            for (int k = 1; k < n; k++) {
                if (load[k] < load[least]) {
                    least = k;
                }
            }
            load[least] += cost[i];
            tasks.get(least).add(chunk.get(i));
        }
        return tasks.stream().filter(t -> !t.isEmpty()).toList();
    }
}
