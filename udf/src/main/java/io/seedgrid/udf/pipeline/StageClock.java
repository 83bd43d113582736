package io.seedgrid.udf.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall time per pipeline stage for one batch, plus the part of it spent inside ONNX Runtime's
 * {@code run} (what the pipeline benchmark compares the total against), in wall time and in CPU time
 * of the calling threads (the latter does not count time a thread waits for a core, so it stays
 * meaningful on a loaded machine).
 *
 * <p>A batch runs in steps ({@link SdxlPipeline.Batch}) that may each run on another thread, one after the
 * other: each step measures its own thread's wall and CPU time ({@link #beginStep}, {@link #endStep}); the
 * VAE's conversions to 8-bit, which may run on a helper thread alongside the decoder, add their CPU time with
 * {@link #addCpu}. The total is the sum of the steps: a batch's wait between them (for the device, in a
 * part's loop) is not its cost.
 */
final class StageClock {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long textNanos;
    private long unetNanos;
    private long vaeNanos;
    private long onnxNanos;
    private long onnxCpuNanos;
    private long stepNanos;
    private long cpuNanos;

    synchronized void addText(long nanos) {
        textNanos += nanos;
    }

    synchronized void addUnet(long nanos) {
        unetNanos += nanos;
    }

    synchronized void addVae(long nanos) {
        vaeNanos += nanos;
    }

    /** The start of a step or an ONNX Runtime call on this thread: {@code [wall, cpu]} nanoseconds. */
    long[] startOnnx() {
        return now();
    }

    /** Adds the wall and thread CPU time since {@code start} to the time inside ONNX Runtime. */
    synchronized void endOnnx(long[] start) {
        onnxNanos += System.nanoTime() - start[0];
        onnxCpuNanos += cpuNow() - start[1];
    }

    /** The start of a step on this thread, to hand to {@link #endStep}. */
    long[] beginStep() {
        return now();
    }

    /** Adds the wall and thread CPU time since {@code begin} (on this thread) to the batch's total. */
    synchronized void endStep(long[] begin) {
        stepNanos += System.nanoTime() - begin[0];
        cpuNanos += cpuNow() - begin[1];
    }

    /** Adds CPU time spent for the batch on a helper thread. */
    synchronized void addCpu(long nanos) {
        cpuNanos += nanos;
    }

    /** The batch's timings divided among {@code images} images. */
    synchronized Timings perImage(int images) {
        double share = 1e-6 / images;
        return new Timings(textNanos * share, unetNanos * share, vaeNanos * share, stepNanos * share, onnxNanos * share,
                cpuNanos * share, onnxCpuNanos * share);
    }

    /** This thread's CPU time in nanoseconds. */
    static long cpuNow() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static long[] now() {
        return new long[] {System.nanoTime(), cpuNow()};
    }
}
