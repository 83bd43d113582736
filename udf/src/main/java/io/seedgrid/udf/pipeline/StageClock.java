package io.seedgrid.udf.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall time per pipeline stage for one batch, plus the part of it spent inside ONNX Runtime's
 * {@code run} (what the pipeline benchmark compares the total against), in wall time and in CPU time
 * of the calling thread (the latter does not count time the thread waits for a core, so it stays
 * meaningful on a loaded machine). Not thread-safe: one per batch, used by the thread that runs it.
 */
final class StageClock {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long startCpu = cpuNow();
    private long textNanos;
    private long unetNanos;
    private long vaeNanos;
    private long onnxNanos;
    private long onnxCpuNanos;

    void addText(long nanos) {
        textNanos += nanos;
    }

    void addUnet(long nanos) {
        unetNanos += nanos;
    }

    void addVae(long nanos) {
        vaeNanos += nanos;
    }

    /** The start of an ONNX Runtime call: {@code [wall, cpu]} nanoseconds, to hand to {@link #endOnnx}. */
    long[] startOnnx() {
        return new long[] {System.nanoTime(), cpuNow()};
    }

    /** Adds the wall and thread CPU time since {@code start} to the time inside ONNX Runtime. */
    void endOnnx(long[] start) {
        onnxNanos += System.nanoTime() - start[0];
        onnxCpuNanos += cpuNow() - start[1];
    }

    /** The batch's timings divided among {@code images} images. */
    Timings perImage(int images, long totalNanos) {
        double share = 1e-6 / images;
        return new Timings(textNanos * share, unetNanos * share, vaeNanos * share, totalNanos * share, onnxNanos * share,
                (cpuNow() - startCpu) * share, onnxCpuNanos * share);
    }

    private static long cpuNow() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
