package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.PartSizing;
import io.seedgrid.jobs.config.PromptEntry;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.SeedSet;
import io.seedgrid.jobs.output.RunPaths;
import io.seedgrid.udf.recipe.PhaseSpec;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * How a run's grid is cut into {@linkplain Part parts}: the cells one Spark task renders and publishes as
 * one Parquet file, {@code images/recipe_name=<recipe>/prompt_bucket=<b>/part-<layout>-<k>.parquet}.
 *
 * <p>Every prompt falls into one of {@code buckets} prompt buckets by its id ({@link RunPaths#bucket}). The
 * cells of one recipe and bucket are ordered by prompt id, then by the seed's index in the config; part
 * {@code k} holds cells {@code [k·m, (k+1)·m)} of that order, {@code m} the recipe's cells per part
 * ({@link PartSizing}, and small enough for {@value #PARTS_PER_SLOT} parts per task slot; whole prompts'
 * seeds when they fit). So a part's cells follow from the config
 * alone: a retried or speculative task renders the same cells into a file of the same name, and nothing
 * per cell ever sits on the driver. The layout id in a part's name changes when the cells of its bucket
 * change (prompts or seeds added, other part sizes): a rerun then skips the cells that files of other
 * layouts already hold.
 *
 * <p>Parts are handed out longest first (the last slots are filled with the cheapest parts, so no slot
 * finishes long after the others): the full parts recipe by recipe, the costliest first, bucket by bucket
 * within a recipe, so an executor keeps one recipe's models busy for long stretches; the smaller last part of
 * each recipe's bucket where its cost puts it. Recipes cheaper per cell than the costliest are cut into parts of
 * a quarter of the cost: handed out last, they fill the slots' last round finely.
 *
 * <p>Serializable and broadcast to executors; the per-bucket prompt lists are built once per JVM.
 */
public final class GridLayout implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One part: part {@code index} of recipe {@code recipe} (its index in the config) in bucket {@code bucket}. */
    public record Part(int recipe, int bucket, long index) implements Serializable {
    }

    /** One cell of a part: a prompt (its index in the config) and a seed (its index in the config's seeds). */
    public record Cell(int prompt, long seed) {
    }

    /** Totals over every part: what {@code generate --dry-run} prints for a grid with nothing rendered. */
    public record Totals(long cells, long parts, long units, long evaluations, double modelledSeconds) {
    }

    private final String[] promptIds;
    private final String[] prompts;
    private final String[] negativePrompts;
    private final SeedSet seeds;
    private final String[] recipeNames;
    private final String[] recipeJson;
    private final long[] evaluationsPerCell;
    private final int[] cellsPerPart;
    private final int buckets;
    private final int batchSize;
    private final double evaluationMs;
    private final String identity;

    /** Per bucket, its prompts (config indices) sorted by prompt id; built on first use in each JVM. */
    private transient int[][] bucketPrompts;
    private transient String[] layoutIds;

    private GridLayout(RunConfig config, int buckets, int slots) {
        List<PromptEntry> entries = config.prompts();
        promptIds = entries.stream().map(PromptEntry::id).toArray(String[]::new);
        prompts = entries.stream().map(PromptEntry::prompt).toArray(String[]::new);
        negativePrompts = entries.stream().map(PromptEntry::negativePrompt).toArray(String[]::new);
        seeds = config.seeds();
        List<RecipeSpec> recipes = config.recipes();
        recipeNames = recipes.stream().map(RecipeSpec::name).toArray(String[]::new);
        recipeJson = recipes.stream().map(RecipeSpec::toJsonWithName).toArray(String[]::new);
        evaluationsPerCell = recipes.stream().mapToLong(GridLayout::evaluationsPerCell).toArray();
        cellsPerPart = new int[recipes.size()];
        // A grid small next to the cluster is cut finer, to about PARTS_PER_SLOT parts of equal cost per task slot,
        // so that its costly recipe's parts do not hold a few slots while the others idle (never below a batch).
        long cellsPerRecipe = config.prompts().size() * seeds.size();
        long gridCost = cellsPerRecipe * Arrays.stream(evaluationsPerCell).sum();
        long partCost = Math.max(1, gridCost / ((long) PARTS_PER_SLOT * Math.max(1, slots)));
        long costliest = Arrays.stream(evaluationsPerCell).max().orElse(1);
        for (int r = 0; r < cellsPerPart.length; r++) {
            int limit = config.parts().cellsPerPart(evaluationsPerCell[r], config.width(), config.height());
            // The cheaper recipes' parts are handed out last: cut to a quarter of the cost, they fill the slots' last
            // round finely instead of making a few slots run one more whole part while the others idle (bench scale:
            // 0.889 with equal parts, the cheap recipe's 17 parts of ~30 s running alone after the costly ones; 0.942
            // so). One part per slot of the recipe is filler enough: no finer, as every part has a fixed cost.
            long cost = evaluationsPerCell[r] == costliest ? partCost : Math.min(partCost,
                    Math.max(partCost / PARTS_PER_SLOT, cellsPerRecipe * evaluationsPerCell[r] / Math.max(1, slots)));
            long fine = Math.max(Math.min(limit, cost / evaluationsPerCell[r]), Math.min(limit, config.batchSize()));
            cellsPerPart[r] = alignedCellsPerPart((int) fine, seeds.size(), config.batchSize());
        }
        this.buckets = buckets;
        this.batchSize = config.batchSize();
        this.evaluationMs = config.parts().evaluationMs(config.width(), config.height());
        this.identity = config.identityHash();
    }

    /** Parts per task slot at least, where the limits of {@link PartSizing} would give fewer. */
    public static final int PARTS_PER_SLOT = 4;

    /** The layout of {@code config}'s grid over {@code buckets} prompt buckets, for {@code slots} task slots. */
    public static GridLayout of(RunConfig config, int buckets, int slots) {
        if (buckets < 1) {
            throw new IllegalArgumentException("a grid needs at least one prompt bucket, got " + buckets);
        }
        return new GridLayout(config, buckets, slots);
    }

    /**
     * The bucket count a new run folder gets: a power of two such that a bucket holds about
     * {@value #CELLS_PER_BUCKET} cells of each recipe (at most 4096 buckets).
     */
    public static int autoBuckets(RunConfig config) {
        long cellsPerRecipe = config.prompts().size() * config.seeds().size();
        long wanted = Math.max(1, Math.min(4096, (cellsPerRecipe + CELLS_PER_BUCKET - 1) / CELLS_PER_BUCKET));
        return Integer.highestOneBit((int) wanted) == wanted ? (int) wanted : Integer.highestOneBit((int) wanted) << 1;
    }

    /** Cells of one recipe that a bucket holds at most when {@link #autoBuckets} chose the count. */
    public static final long CELLS_PER_BUCKET = 4096;

    /**
     * A cell's cost in UNet image-evaluations for sizing and ordering parts: each step of each phase once, twice
     * with CFG (negative and positive rows), plus one for text encoding and decoding. Recipes differ by 10x or
     * more (base 20 steps with CFG against DMD2's 4). Read from the recipe alone, so limited-interval CFG counts
     * as CFG at every step (an upper bound); {@link io.seedgrid.udf.recipe.RecipeCost} counts exactly what the
     * pipeline runs, given the models' noise schedules.
     */
    public static long evaluationsPerCell(RecipeSpec recipe) {
        long perImage = 1;
        for (PhaseSpec phase : recipe.phases()) {
            perImage += (long) (phase.to() - phase.from()) * (phase.cfg() > 1 ? 2 : 1);
        }
        return perImage;
    }

    /** Whole prompts' seeds per part when they fit, else whole batches of one prompt's seeds. */
    static int alignedCellsPerPart(int limit, long seedsPerPrompt, int batchSize) {
        if (limit >= seedsPerPrompt) {
            return (int) (limit / seedsPerPrompt * seedsPerPrompt);
        }
        return limit >= batchSize ? limit / batchSize * batchSize : limit;
    }

    public int buckets() {
        return buckets;
    }

    public int recipes() {
        return recipeNames.length;
    }

    public String recipeName(int recipe) {
        return recipeNames[recipe];
    }

    public String recipeJson(int recipe) {
        return recipeJson[recipe];
    }

    public long evaluationsPerCell(int recipe) {
        return evaluationsPerCell[recipe];
    }

    public int cellsPerPart(int recipe) {
        return cellsPerPart[recipe];
    }

    public double evaluationMs() {
        return evaluationMs;
    }

    public String promptId(int prompt) {
        return promptIds[prompt];
    }

    public String prompt(int prompt) {
        return prompts[prompt];
    }

    public String negativePrompt(int prompt) {
        return negativePrompts[prompt];
    }

    public long seed(long seedIndex) {
        return seeds.get(seedIndex);
    }

    public int batchSize() {
        return batchSize;
    }

    /** Cells of {@code recipe} in {@code bucket}: its prompts times the seeds. */
    public long cellsIn(int bucket) {
        return bucketPrompts()[bucket].length * seeds.size();
    }

    /** Number of parts of {@code recipe} in {@code bucket}. */
    public long partsIn(int recipe, int bucket) {
        return (cellsIn(bucket) + cellsPerPart[recipe] - 1) / cellsPerPart[recipe];
    }

    /** The cells of {@code part}, in order (prompt id, then seed index). */
    public List<Cell> cells(Part part) {
        int[] order = bucketPrompts()[part.bucket()];
        long size = seeds.size();
        long from = part.index() * cellsPerPart[part.recipe()];
        long to = Math.min(from + cellsPerPart[part.recipe()], order.length * size);
        List<Cell> cells = new ArrayList<>((int) Math.max(0, to - from));
        for (long x = from; x < to; x++) {
            cells.add(new Cell(order[(int) (x / size)], x % size));
        }
        return cells;
    }

    /** The file a part is published as: {@code part-<layout id>-<index>.parquet}. */
    public String fileName(Part part) {
        return String.format(Locale.ROOT, "part-%s-%05d.parquet", layoutId(part.recipe(), part.bucket()), part.index());
    }

    /** The file-name prefix of a recipe's and bucket's parts in this layout. */
    public String filePrefix(int recipe, int bucket) {
        return "part-" + layoutId(recipe, bucket) + "-";
    }

    /**
     * Every part, in scheduling order (see the class comment): costliest first. A recipe's full parts all cost the
     * same, so they go recipe by recipe, the costliest recipe's first; the last, smaller part of each recipe's
     * bucket goes just before the first full parts that cost less. Lazy: only those last parts (one per recipe and
     * bucket) are held, never a list of all parts.
     */
    public Iterator<Part> parts() {
        List<Integer> byCost = IntStream.range(0, recipeNames.length).boxed()
                .sorted(Comparator.comparingLong((Integer r) -> -partCost(r, cellsPerPart[r])).thenComparingInt(r -> r))
                .toList();
        List<Part> last = byCost.stream().flatMap(r -> IntStream.range(0, buckets)
                        .filter(b -> cellsIn(b) % cellsPerPart[r] != 0)
                        .mapToObj(b -> new Part(r, b, cellsIn(b) / cellsPerPart[r])))
                .sorted(Comparator.comparingLong((Part p) -> -lastPartCost(p)))
                .toList();
        List<Stream<Part>> order = new ArrayList<>();
        int next = 0;
        for (int r : byCost) {
            long fullCost = partCost(r, cellsPerPart[r]);
            int from = next;
            while (next < last.size() && lastPartCost(last.get(next)) > fullCost) {
                next++;
            }
            order.add(last.subList(from, next).stream());
            order.add(IntStream.range(0, buckets).boxed()
                    .flatMap(b -> LongStream.range(0, cellsIn(b) / cellsPerPart[r]).mapToObj(k -> new Part(r, b, k))));
        }
        order.add(last.subList(next, last.size()).stream());
        return order.stream().flatMap(parts -> parts).iterator();
    }

    private long lastPartCost(Part part) {
        return partCost(part.recipe(), cellsIn(part.bucket()) % cellsPerPart[part.recipe()]);
    }

    /** Modelled cost of {@code cells} cells of {@code recipe}, in UNet image-evaluations. */
    private long partCost(int recipe, long cells) {
        return cells * evaluationsPerCell[recipe];
    }

    /** Totals over every part (nothing rendered yet). */
    public Totals totals() {
        long cells = 0;
        long parts = 0;
        long units = 0;
        long evaluations = 0;
        for (int r = 0; r < recipeNames.length; r++) {
            for (int b = 0; b < buckets; b++) {
                long inBucket = cellsIn(b);
                cells += inBucket;
                parts += partsIn(r, b);
                evaluations += inBucket * evaluationsPerCell[r];
                for (long k = 0; k < partsIn(r, b); k++) {
                    units += units(k * cellsPerPart[r], Math.min((k + 1) * cellsPerPart[r], inBucket));
                }
            }
        }
        return new Totals(cells, parts, units, evaluations, evaluations * evaluationMs / 1000);
    }

    /** Units (batches of one prompt's seeds) of the cells [from, to) of a bucket's order. */
    private long units(long from, long to) {
        long size = seeds.size();
        long units = 0;
        for (long x = from; x < to; ) {
            long promptEnd = Math.min(to, (x / size + 1) * size);
            units += (promptEnd - x + batchSize - 1) / batchSize;
            x = promptEnd;
        }
        return units;
    }

    private int[][] bucketPrompts() {
        int[][] lists = bucketPrompts;
        if (lists == null) {
            lists = buildBuckets();
            bucketPrompts = lists;
        }
        return lists;
    }

    private synchronized int[][] buildBuckets() {
        if (bucketPrompts != null) {
            return bucketPrompts;
        }
        int[] bucketOf = new int[promptIds.length];
        int[] counts = new int[buckets];
        for (int p = 0; p < promptIds.length; p++) {
            bucketOf[p] = RunPaths.bucket(promptIds[p], buckets);
            counts[bucketOf[p]]++;
        }
        int[][] lists = new int[buckets][];
        for (int b = 0; b < buckets; b++) {
            lists[b] = new int[counts[b]];
            counts[b] = 0;
        }
        for (int p = 0; p < promptIds.length; p++) {
            lists[bucketOf[p]][counts[bucketOf[p]]++] = p;
        }
        for (int[] list : lists) {
            Integer[] boxed = Arrays.stream(list).boxed().toArray(Integer[]::new);
            Arrays.sort(boxed, Comparator.comparing((Integer p) -> promptIds[p]));
            for (int i = 0; i < list.length; i++) {
                list[i] = boxed[i];
            }
        }
        return lists;
    }

    /**
     * The id of a recipe's and bucket's parts: 12 hex digits of SHA-256 over everything that decides which
     * cells each part holds — the run's identity (models, size, recipes), the recipe, its cells per part, the
     * seeds and the bucket's prompts in order.
     */
    private String layoutId(int recipe, int bucket) {
        String[] ids = layoutIds;
        if (ids == null) {
            ids = new String[recipeNames.length * buckets];
            layoutIds = ids;
        }
        int slot = recipe * buckets + bucket;
        if (ids[slot] == null) {
            ids[slot] = computeLayoutId(recipe, bucket);
        }
        return ids[slot];
    }

    private String computeLayoutId(int recipe, int bucket) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, "seedgrid-parts-v1");
            update(sha, identity);
            update(sha, recipeNames[recipe]);
            update(sha, recipeJson[recipe]);
            update(sha, Integer.toString(cellsPerPart[recipe]));
            update(sha, seeds.isRange() ? "range " + Long.toUnsignedString(seeds.start()) + " " + seeds.size() : "list");
            if (!seeds.isRange()) {
                for (long i = 0; i < seeds.size(); i++) {
                    update(sha, Long.toUnsignedString(seeds.get(i)));
                }
            }
            for (int p : bucketPrompts()[bucket]) {
                update(sha, promptIds[p]);
                update(sha, prompts[p]);
                update(sha, negativePrompts[p]);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest sha, String value) {
        CellId.field(sha, value);
    }
}
