package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.Timings;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The part loop ({@link PartLoop}): the overlapped loop gives the sequential loop's rows and image bytes; its device
 * steps stay on the task's thread, in unit order, with the next unit prepared and the one before finished beside
 * them, never more; a stop or a failure ends it with its helpers gone and what units held released.
 */
class PartLoopTest {

    private static final Runnable NO_STOP = () -> { };

    /** The tiny grid's units (2 prompts x 3 seeds x 3 recipes, batches of 2) and a run context rendering them. */
    private record Grid(List<WorkUnit> units, RunContext context) {
        Grid with(CellRenderer renderer) {
            RunContext c = context;
            return new Grid(units, new RunContext(c.run(), c.attempt(), c.runDir(), c.width(), c.height(), c.longPrompt(),
                    c.models(), c.blendCache(), false, c.hadoop(), renderer));
        }
    }

    private static Grid grid(Path dir) {
        RunConfig config = TinyRun.config(dir, "loop", "batch_size: 2");
        var models = Preflight.check(config);
        RunContext context = new RunContext(config.run(), "test", dir.resolve("run").toString(), config.width(),
                config.height(), config.longPrompt().name().toLowerCase(Locale.ROOT), models, config.blendCache(), false,
                new HadoopConf(new Configuration()), new SdxlRenderer(1));
        GridLayout layout = GridLayout.of(config, 1, 1);
        List<WorkUnit> units = new ArrayList<>();
        for (var parts = layout.parts(); parts.hasNext(); ) {
            GridLayout.Part part = parts.next();
            units.addAll(PartTask.units(part, layout, context, layout.cells(part), java.util.Set.of()));
        }
        return new Grid(units, context);
    }

    /** Every unit's rows, in the order the sink received them. */
    private static List<GenericRecord> rows(Grid grid, PartLoop.Mode mode, int pngThreads) throws IOException {
        List<GenericRecord> rows = Collections.synchronizedList(new ArrayList<>());
        PartLoop.run(grid.units(), new UnitRenderer(grid.context()), mode, pngThreads, (unit, r) -> rows.addAll(r), NO_STOP);
        return rows;
    }

    private static byte[] png(GenericRecord row) {
        ByteBuffer bytes = (ByteBuffer) ((GenericRecord) row.get("image")).get("bytes");
        byte[] out = new byte[bytes.remaining()];
        bytes.duplicate().get(out);
        return out;
    }

    @Test
    void theOverlappedLoopGivesTheSequentialLoopsRowsAndImageBytes(@TempDir Path dir) throws IOException {
        Grid grid = grid(dir);
        List<GenericRecord> sequential = rows(grid, PartLoop.Mode.SEQUENTIAL, 1);
        List<GenericRecord> overlapped = rows(grid, PartLoop.Mode.OVERLAPPED, 2);
        assertEquals(18, sequential.size());
        assertEquals(sequential.size(), overlapped.size());
        for (int i = 0; i < sequential.size(); i++) {
            GenericRecord a = sequential.get(i);
            GenericRecord b = overlapped.get(i);
            assertEquals(a.get("cell_id").toString(), b.get("cell_id").toString(), "row order");
            assertEquals("ok", b.get("status").toString());
            assertArrayEquals(png(a), png(b), a.get("cell_id").toString());
        }
        assertEquals(List.of(), helperThreads());
    }

    @Test
    void deviceStepsStayOnTheTaskThreadInOrderWithOneUnitAheadAndOneBehind(@TempDir Path dir) throws IOException {
        Grid grid = grid(dir);
        Steps steps = new Steps(grid.units().size(), true, -1, -1);
        grid = grid.with(steps);
        List<String> written = new CopyOnWriteArrayList<>();
        PartLoop.run(grid.units(), new UnitRenderer(grid.context()), PartLoop.Mode.OVERLAPPED, 1,
                (unit, r) -> written.add(unit.cellIds()[0]), NO_STOP);
        int n = grid.units().size();
        assertEquals(n, steps.devices.get());
        assertEquals(List.of(Thread.currentThread().getName()), steps.deviceThreads.stream().distinct().toList());
        assertTrue(steps.prepareThreads.stream().skip(1).noneMatch(t -> t.equals(Thread.currentThread().getName())),
                "units after the first are prepared on a helper: " + steps.prepareThreads);
        assertEquals(grid.units().stream().map(u -> u.cellIds()[0]).toList(), written, "rows in unit order");
        assertEquals(List.of(), steps.violations);
        assertEquals(List.of(), helperThreads());
    }

    @Test
    void aStopEndsTheLoopBeforeTheNextDeviceStepAndReleasesThePreparedUnit(@TempDir Path dir) {
        Grid plain = grid(dir);
        Steps steps = new Steps(plain.units().size(), false, -1, -1);
        Grid grid = plain.with(steps);
        AtomicInteger checks = new AtomicInteger();
        Runnable stopAfterTwo = () -> {
            if (checks.incrementAndGet() > 2) {
                throw new IllegalStateException("the process is stopping");
            }
        };
        IllegalStateException stopped = assertThrows(IllegalStateException.class, () -> PartLoop.run(grid.units(),
                new UnitRenderer(grid.context()), PartLoop.Mode.OVERLAPPED, 1, (unit, r) -> { }, stopAfterTwo));
        assertEquals("the process is stopping", stopped.getMessage());
        assertEquals(2, steps.devices.get(), "no device step after the stop");
        // the third unit was prepared ahead unless the stop came before its preparation began
        assertEquals(steps.prepareThreads.size() == 3 ? List.of(2) : List.of(), steps.closedUnrendered,
                "a unit prepared and not rendered released what it held");
        assertEquals(List.of(), helperThreads());
    }

    @Test
    void aFailedWriteEndsTheLoop(@TempDir Path dir) {
        Grid plain = grid(dir);
        Steps steps = new Steps(plain.units().size(), false, -1, -1);
        Grid grid = plain.with(steps);
        IOException failed = assertThrows(IOException.class, () -> PartLoop.run(grid.units(), new UnitRenderer(grid.context()),
                PartLoop.Mode.OVERLAPPED, 1, (unit, r) -> {
                    throw new IOException("disk full");
                }, NO_STOP));
        assertEquals("disk full", failed.getMessage());
        assertTrue(steps.devices.get() <= 2, "at most the unit after the failed one reached the device");
        assertEquals(List.of(), helperThreads());
    }

    @Test
    void outOfMemoryWhileFinishingRendersTheUnitAgainAsHalvesOnTheTaskThread(@TempDir Path dir) throws IOException {
        Grid plain = grid(dir);
        Steps steps = new Steps(plain.units().size(), false, 1, -1);   // finishing more than one seed runs out of memory
        Grid grid = plain.with(steps);
        List<String> cells = new CopyOnWriteArrayList<>();
        PartLoop.run(grid.units(), new UnitRenderer(grid.context()), PartLoop.Mode.OVERLAPPED, 1,
                (unit, r) -> r.forEach(row -> cells.add(row.get("cell_id") + " " + row.get("status"))), NO_STOP);
        List<String> expected = new ArrayList<>();
        grid.units().forEach(u -> {
            for (String id : u.cellIds()) {
                expected.add(id + " ok");
            }
        });
        assertEquals(expected, cells, "every cell once, ok, in order");
        assertEquals(List.of(Thread.currentThread().getName()), steps.deviceThreads.stream().distinct().toList(),
                "the halves render on the task's thread too");
        long twoSeeds = grid.units().stream().filter(u -> u.size() == 2).count();
        assertTrue(twoSeeds > 0);
        assertEquals(grid.units().size() + 2 * twoSeeds, steps.devices.get(), "each two-seed unit again as two halves");
    }

    @Test
    void badInputWhilePreparingBecomesErrorRowsOfThatUnitOnly(@TempDir Path dir) throws IOException {
        Grid plain = grid(dir);
        Steps steps = new Steps(plain.units().size(), false, -1, 1);   // the second unit's preparation refuses its prompt
        Grid grid = plain.with(steps);
        Map<String, String> status = new ConcurrentHashMap<>();
        PartLoop.run(grid.units(), new UnitRenderer(grid.context()), PartLoop.Mode.OVERLAPPED, 1,
                (unit, r) -> r.forEach(row -> status.put(row.get("cell_id").toString(), row.get("status").toString())),
                NO_STOP);
        for (int u = 0; u < grid.units().size(); u++) {
            for (String id : grid.units().get(u).cellIds()) {
                assertEquals(u == 1 ? "error" : "ok", status.get(id), "unit " + u);
            }
        }
    }

    /** Helper threads of part loops still alive. */
    private static List<String> helperThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("seedgrid-part-")).toList();
    }

    /**
     * A renderer that records its steps and checks the loop's bounds as they happen: when unit k reaches the device,
     * no unit after k + 1 is being prepared and every unit before k − 1 is finished. With {@code gate}, it also
     * proves the overlap: unit k's device step waits until unit k + 1's preparation has begun, and unit k's
     * finishing until unit k + 1 is on the device (a loop that does not overlap would leave them waiting in vain).
     * Units are numbered in the order they are started.
     */
    static final class Steps implements CellRenderer {
        private static final byte[] PNG = PngEncoder.encode(new RgbImage(2, 2, new byte[12]), Map.of());

        final int units;
        final boolean gate;
        final int oomAbove;
        final int badPrepare;
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger devices = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger prepared = new AtomicInteger(-1);
        final Map<Integer, CountDownLatch> prepareBegan = new ConcurrentHashMap<>();
        final Map<Integer, CountDownLatch> deviceBegan = new ConcurrentHashMap<>();
        final List<String> deviceThreads = new CopyOnWriteArrayList<>();
        final List<String> prepareThreads = new CopyOnWriteArrayList<>();
        final List<Integer> deviceSizes = new CopyOnWriteArrayList<>();
        final List<Integer> closedUnrendered = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();

        /**
         * @param units      the units the loop gets
         * @param oomAbove   finishing a unit of more seeds than this runs out of memory (-1: never)
         * @param badPrepare the unit (in start order) whose preparation is bad input (-1: none)
         */
        Steps(int units, boolean gate, int oomAbove, int badPrepare) {
            this.units = units;
            this.gate = gate;
            this.oomAbove = oomAbove;
            this.badPrepare = badPrepare;
        }

        private CountDownLatch latch(Map<Integer, CountDownLatch> latches, int k) {
            return latches.computeIfAbsent(k, i -> new CountDownLatch(1));
        }

        private void await(Map<Integer, CountDownLatch> latches, int k, String what) {
            try {
                if (!latch(latches, k).await(20, TimeUnit.SECONDS)) {
                    violations.add("waited in vain for " + what + " " + k);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public List<Rendered> render(WorkUnit unit, RunContext run) {
            throw new UnsupportedOperationException("the loop uses the steps");
        }

        @Override
        public Ahead start(WorkUnit unit, RunContext run, Helpers helpers) {
            int k = started.getAndIncrement();
            return () -> {
                prepareThreads.add(Thread.currentThread().getName());
                prepared.accumulateAndGet(k, Math::max);
                latch(prepareBegan, k).countDown();
                if (k == badPrepare) {
                    throw new IllegalArgumentException("the model cannot take this prompt");
                }
                return new OnDevice() {
                    private boolean rendered;

                    @Override
                    public Behind render() {
                        rendered = true;
                        deviceThreads.add(Thread.currentThread().getName());
                        deviceSizes.add(unit.size());
                        devices.incrementAndGet();
                        latch(deviceBegan, k).countDown();
                        if (finished.get() < k - 1) {
                            violations.add("unit " + (k - 2) + " unfinished while unit " + k + " is on the device");
                        }
                        if (prepared.get() > k + 1) {
                            violations.add("unit " + prepared.get() + " prepared while unit " + k + " is on the device");
                        }
                        if (gate && k + 1 < units) {
                            await(prepareBegan, k + 1, "the preparation of unit");
                        }
                        return () -> {
                            if (oomAbove >= 0 && unit.size() > oomAbove) {
                                throw new OutOfMemoryError("Java heap space");
                            }
                            if (gate && k + 1 < units) {
                                await(deviceBegan, k + 1, "the device step of unit");
                            }
                            finished.incrementAndGet();
                            List<Rendered> cells = new ArrayList<>();
                            for (int i = 0; i < unit.size(); i++) {
                                cells.add(new Rendered(ImageStatus.OK, "", PNG, "test", 3, false,
                                        new Timings(0, 0, 0, 0, 0, 0, 0)));
                            }
                            return cells;
                        };
                    }

                    @Override
                    public void close() {
                        if (!rendered) {
                            closedUnrendered.add(k);
                        }
                    }
                };
            };
        }
    }
}
