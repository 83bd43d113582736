package io.seedgrid.jobs.generate;

import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.Timings;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Renders the cells of one work unit on an executor. In a run this is {@link SdxlRenderer}, the SDXL
 * pipeline on ONNX Runtime; benchmarks and tests put stand-ins in its place (the job code around it is the
 * same). An exception means the unit could not be rendered: {@link UnitRenderer} decides what it means.
 *
 * <p>A part's loop ({@link PartLoop}) keeps the device busy by running a unit's work in three steps and
 * overlapping them with its neighbours': {@link #start} on the task's thread, then {@link Ahead#prepare} (CPU
 * work before the device, on a helper thread while the device renders the unit before), {@link OnDevice#render}
 * (the device's work, on the task's thread, one unit at a time) and {@link Behind#finish} (CPU work after the
 * device, on a helper thread while the device renders the unit after). A renderer that only implements
 * {@link #render} does all of its work in the device step.
 */
public interface CellRenderer extends Serializable {

    /** One cell's outcome; {@code png} is null unless the status is ok. */
    record Rendered(ImageStatus status, String message, byte[] png, String device, int promptTokens, boolean truncated,
                    Timings timings) {
    }

    /**
     * Where a unit's steps may hand CPU work: {@code convert} for the device step's own small jobs (a decoded
     * image's conversion to 8-bit, while the device decodes the next), {@code encode} for the finishing step's
     * images (PNG encoding, in parallel when it has several threads).
     */
    record Helpers(Executor convert, Executor encode) {
        /** Everything on the calling thread, in turn: the sequential path. */
        public static final Helpers CALLER = new Helpers(Runnable::run, Runnable::run);
    }

    /** The unit's cells, in the unit's seed order, every step on this thread. */
    List<Rendered> render(WorkUnit unit, RunContext run) throws Exception;

    /**
     * Starts a unit, on the task's thread: what needs the task (its device, its models) and is cheap. The default
     * leaves everything to the device step, which calls {@link #render}.
     */
    default Ahead start(WorkUnit unit, RunContext run, Helpers helpers) throws Exception {
        return () -> () -> {
            List<Rendered> cells = render(unit, run);
            return () -> cells;
        };
    }

    /** A started unit. */
    @FunctionalInterface
    interface Ahead {
        /** CPU work before the device (and calls that do not need the device to themselves); any thread. */
        OnDevice prepare() throws Exception;
    }

    /** A prepared unit: it may hold sessions until rendered or closed. */
    @FunctionalInterface
    interface OnDevice extends AutoCloseable {
        /** The device's work, on the task's thread; what the unit holds passes to the result. */
        Behind render() throws Exception;

        /** Releases what the unit holds when it is not rendered (a stopped loop); idempotent, nothing once rendered. */
        @Override
        default void close() {
        }
    }

    /** A rendered unit: it may hold buffers until finished or closed. */
    @FunctionalInterface
    interface Behind extends AutoCloseable {
        /** CPU work after the device: the cells, in the unit's seed order; any thread. */
        List<Rendered> finish() throws Exception;

        /** Releases what the unit holds when it is not finished (a stopped loop); idempotent. */
        @Override
        default void close() {
        }
    }
}
