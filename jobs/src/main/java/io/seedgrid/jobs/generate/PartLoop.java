package io.seedgrid.jobs.generate;

import org.apache.avro.generic.GenericRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renders a part's units one after the other on the task's thread, which is the device's: with {@link
 * Mode#OVERLAPPED} the CPU work around the device runs beside it, so that a GPU does not wait for the CPU between
 * units. While the device renders unit n, a helper thread prepares unit n+1 (its prompts encoded, its initial
 * latents drawn) and another finishes unit n−1 (PNG encoding on {@code encodeThreads} threads, rows, the Parquet
 * writer); the device step's own small jobs (a decoded image's conversion to 8-bit) go to a third. One unit ahead
 * and one behind at most, so memory stays flat: a prepared unit holds its latents and conditioning, a finishing one
 * its images.
 *
 * <p>{@link Mode#SEQUENTIAL} runs every step on the task's thread, unit by unit (what seedgrid did before; the
 * overlap benchmark's baseline). Both give the same rows, in the same order, with the same image bytes.
 *
 * <p>A stop ({@code stop}: a killed task, a SIGTERM) is checked before each unit's device step: no new unit starts
 * on the device after it; the helpers are stopped and awaited before the loop returns or throws, and a prepared
 * unit that will not be rendered releases its sessions.
 */
final class PartLoop {

    /** How the steps of a part's units are run. */
    enum Mode {
        /** Prepare ahead, finish behind, beside the device. */
        OVERLAPPED,
        /** Every step on the task's thread, in turn. */
        SEQUENTIAL
    }

    /** Receives each unit's rows, in unit order: writes them (on the finishing thread when overlapped). */
    @FunctionalInterface
    interface Sink {
        void accept(WorkUnit unit, List<GenericRecord> rows) throws IOException;
    }

    private static final AtomicInteger LOOPS = new AtomicInteger();
    private static final long HELPERS_STOP_SECONDS = 60;

    private PartLoop() {
    }

    /**
     * Renders {@code units} into {@code sink}.
     *
     * @param encodeThreads threads that PNG-encode a finished unit's images (1: the finishing thread itself)
     * @param stop          throws when the loop must stop (called on this thread before each device step)
     */
    static void run(List<WorkUnit> units, UnitRenderer renderer, Mode mode, int encodeThreads, Sink sink, Runnable stop)
            throws IOException {
        if (mode == Mode.SEQUENTIAL) {
            for (WorkUnit unit : units) {
                stop.run();
                sink.accept(unit, renderer.render(unit));
            }
            return;
        }
        new Overlapped(renderer, encodeThreads, sink, stop).run(units);
    }

    /** The overlapped loop's helpers and state. */
    private static final class Overlapped {
        private final UnitRenderer renderer;
        private final Sink sink;
        private final Runnable stop;
        private final ExecutorService ahead;
        private final ExecutorService behind;
        private final ExecutorService convert;
        private final ExecutorService encode;
        private final CellRenderer.Helpers helpers;
        /** Every helper thread, joined when the loop ends: an executor reports termination before its threads exit. */
        private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

        Overlapped(UnitRenderer renderer, int encodeThreads, Sink sink, Runnable stop) {
            this.renderer = renderer;
            this.sink = sink;
            this.stop = stop;
            String name = "seedgrid-part-" + LOOPS.incrementAndGet();
            ahead = Executors.newSingleThreadExecutor(daemons(name + "-prepare"));
            behind = Executors.newSingleThreadExecutor(daemons(name + "-finish"));
            convert = Executors.newSingleThreadExecutor(daemons(name + "-convert"));
            encode = encodeThreads > 1 ? Executors.newFixedThreadPool(encodeThreads, daemons(name + "-png")) : null;
            helpers = new CellRenderer.Helpers(convert, encode != null ? encode : Runnable::run);
        }

        void run(List<WorkUnit> units) throws IOException {
            UnitRenderer.InFlight next = null;
            UnitRenderer.InFlight current = null;
            UnitRenderer.InFlight behindUnit = null;
            Future<?> preparing = null;
            Future<UnitRenderer.InFlight> finishing = null;
            boolean done = false;
            try {
                for (int i = 0; i < units.size(); i++) {
                    stop.run();
                    if (next == null) {
                        current = renderer.start(units.get(i), helpers);
                        current.prepare();
                    } else {
                        current = next;
                        next = null;
                        await(preparing);
                    }
                    if (i + 1 < units.size()) {
                        UnitRenderer.InFlight following = renderer.start(units.get(i + 1), helpers);
                        next = following;
                        preparing = ahead.submit(following::prepare);
                    }
                    current.render();
                    writeAgain(await(finishing));
                    UnitRenderer.InFlight rendered = current;
                    behindUnit = rendered;
                    finishing = behind.submit(() -> finish(rendered));
                }
                writeAgain(await(finishing));
                done = true;
            } finally {
                stopHelpers(done);
                // what a stopped loop leaves: a prepared unit's sessions, an unfinished unit's buffers (closing a
                // finished unit does nothing)
                for (UnitRenderer.InFlight left : new UnitRenderer.InFlight[] {next, current, behindUnit}) {
                    if (left != null) {
                        left.close();
                    }
                }
            }
        }

        /** Finishes {@code unit} and hands its rows to the sink; returns the unit when it must be rendered again. */
        private UnitRenderer.InFlight finish(UnitRenderer.InFlight unit) throws IOException {
            List<GenericRecord> rows = unit.finish();
            if (rows == null) {
                return unit;
            }
            sink.accept(unit.unit(), rows);
            return null;
        }

        /** Renders again, on this thread, a unit whose finishing step ran out of memory, and writes its rows. */
        private void writeAgain(UnitRenderer.InFlight unit) throws IOException {
            if (unit != null) {
                sink.accept(unit.unit(), unit.again());
            }
        }

        /** The helper's result; its failure rethrown as it was. */
        private <T> T await(Future<T> future) throws IOException {
            if (future == null) {
                return null;
            }
            try {
                return future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.run();   // a killed task ends here with Spark's own exception
                throw new IllegalStateException("interrupted while rendering a part", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw Failures.unchecked(cause);   // an Error is rethrown as it is
            }
        }

        /** Ends the helpers: after the last unit they are idle; after a failure they are interrupted and awaited. */
        private void stopHelpers(boolean done) {
            List<ExecutorService> all = new ArrayList<>(List.of(ahead, behind, convert));
            if (encode != null) {
                all.add(encode);
            }
            for (ExecutorService helper : all) {
                if (done) {
                    helper.shutdown();
                } else {
                    helper.shutdownNow();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HELPERS_STOP_SECONDS);
            try {
                for (ExecutorService helper : all) {
                    helper.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
                for (Thread thread : threads) {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private ThreadFactory daemons(String name) {
            AtomicInteger n = new AtomicInteger();
            return r -> {
                Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                threads.add(t);
                return t;
            };
        }
    }
}
