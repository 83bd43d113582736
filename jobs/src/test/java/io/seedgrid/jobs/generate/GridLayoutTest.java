package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.TinyGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link GridLayout} cuts a grid into parts and in which order it hands them out. */
class GridLayoutTest {

    private static final int SLOTS = 4;

    /**
     * 40 prompts x 25 seeds x {a 50-step CFG recipe (101 evaluations a cell), DMD2 (5)}, 4 buckets, 4 slots: bench
     * scale's mix, small.
     */
    private static GridLayout layout(Path dir) {
        String prompts = IntStream.range(0, 40).mapToObj(i -> "  - prompt number " + i + "\n").collect(Collectors.joining());
        RunConfig config = TinyGrid.config(dir, "layout", dir.resolve("out").toString(), prompts,
                "  - {name: base, kind: base, model: base, steps: 50, cfg: 5}\n  - {name: dmd2, kind: dmd2, model: dmd2}\n",
                "batch_size: 4\nchunk_size: 1000\n", "{start: 0, count: 25}", TinyGrid.tinyModel("fp32"), TinyGrid.tinyModel("dmd2-unet-only"));
        return GridLayout.of(config, 4, SLOTS);
    }

    @Test
    void everyCellIsInExactlyOnePartAndTheCostliestPartsComeFirst(@TempDir Path dir) {
        GridLayout layout = layout(dir);
        Set<String> cells = new HashSet<>();
        long previous = Long.MAX_VALUE;
        int parts = 0;
        for (var it = layout.parts(); it.hasNext(); parts++) {
            GridLayout.Part part = it.next();
            long cost = 0;
            for (GridLayout.Cell cell : layout.cells(part)) {
                assertTrue(cells.add(part.recipe() + "/" + cell.prompt() + "/" + cell.seed()), "twice: " + cell);
                cost += layout.evaluationsPerCell(part.recipe());
            }
            assertTrue(cost <= previous, "part " + parts + " (" + part + ", " + cost + " evaluations) after one of "
                    + previous);
            previous = cost;
        }
        assertEquals(2 * 40 * 25, cells.size());
        assertTrue(parts >= GridLayout.PARTS_PER_SLOT * SLOTS, parts + " parts for " + SLOTS + " slots");
    }

    @Test
    void aCheaperRecipeIsCutFinerSoThatItsPartsFillTheLastRound(@TempDir Path dir) {
        GridLayout layout = layout(dir);
        assertEquals(101, layout.evaluationsPerCell(0));
        assertEquals(5, layout.evaluationsPerCell(1));
        long costly = layout.cellsPerPart(0) * layout.evaluationsPerCell(0);
        long cheap = layout.cellsPerPart(1) * layout.evaluationsPerCell(1);
        // a quarter, give or take the rounding to whole prompts' seeds
        assertTrue(cheap * 2 < costly, "dmd2 parts of " + cheap + " evaluations next to base parts of " + costly);

        // handed out in this order to the slots, each part to the slot that frees first (what Spark does with them)
        long[] slots = new long[SLOTS];
        long total = 0;
        for (var it = layout.parts(); it.hasNext(); ) {
            GridLayout.Part part = it.next();
            long cost = layout.cells(part).size() * layout.evaluationsPerCell(part.recipe());
            int first = 0;
            for (int s = 1; s < slots.length; s++) {
                first = slots[s] < slots[first] ? s : first;
            }
            slots[first] += cost;
            total += cost;
        }
        double makespan = java.util.Arrays.stream(slots).max().orElseThrow();
        double ideal = (double) total / SLOTS;
        assertTrue(makespan <= 1.05 * ideal, "the last slot ends at " + makespan + " for " + ideal + " of work each");
    }
}
