package io.seedgrid.jobs.generate;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.pipeline.ModelCalls;
import io.seedgrid.udf.pipeline.SdxlSignature;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A GPU for the overlap benchmark on a machine without one: the pipeline's sub-model calls, with their real
 * inputs and shapes, each take the time a GPU would and no CPU (the calling thread parks), one call at a time (one
 * device: what {@code OrtCalls}' per-GPU gate does with its default limit of 1). A UNet call takes
 * {@code rows × unetMsPerRow} and leaves its output as it is (zeros: the sampler's arithmetic does not depend on
 * the values); a VAE call takes {@code vaeMsPerImage} and writes a fixed picture into its output, so that the
 * conversion to 8-bit and PNG encoding work on real image content; a text encoder call runs the real (small) model
 * on the CPU, counted apart, then waits out {@code textMsPerCall}. Every call's span is logged, from which
 * {@link #usage} computes the device's idle time.
 */
final class GpuStandIn implements ModelCalls {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Modelled GPU milliseconds of each kind of call. */
    record Costs(double unetMsPerRow, double vaeMsPerImage, double textMsPerCall) {
        Costs {
            if (!(unetMsPerRow > 0) || !(vaeMsPerImage >= 0) || !(textMsPerCall >= 0)) {
                throw new IllegalArgumentException("modelled GPU times must be positive (UNet) or zero or more (VAE, text"
                        + " encoders), got " + unetMsPerRow + ", " + vaeMsPerImage + ", " + textMsPerCall);
            }
        }
    }

    /** One call on the device: what it was, how many rows, when it held the device. */
    record Call(Role role, long rows, long start, long end) {
    }

    /**
     * The device over a stretch of time.
     *
     * @param unetCalls        UNet calls
     * @param busySeconds      time some call held the device
     * @param spanSeconds      from the stretch's start to its end
     * @param unetSpanSeconds  from the first UNet call's start to the last one's end
     * @param idleBetweenUnet  time in the UNet span when no call held the device
     * @param textCpuSeconds   CPU time the real text encoders took (inside ONNX Runtime)
     */
    record Usage(long calls, long unetCalls, double busySeconds, double spanSeconds, double unetSpanSeconds,
                 double idleBetweenUnet, double textCpuSeconds) {

        /** Idle share of the time between the first and last UNet call. */
        double idleShareBetweenUnet() {
            return unetSpanSeconds > 0 ? idleBetweenUnet / unetSpanSeconds : 0;
        }

        /** Idle share of the whole stretch (a part's first preparation and last finishing included). */
        double idleShare() {
            return spanSeconds > 0 ? 1 - busySeconds / spanSeconds : 0;
        }
    }

    private final Costs costs;
    private final float[] picture;
    private final ReentrantLock device = new ReentrantLock(true);
    private final List<Call> log = new ArrayList<>();
    private long textCpuNanos;

    /** @param picture what every VAE call returns (its size is the run's image size) */
    GpuStandIn(Costs costs, RgbImage picture) {
        this.costs = costs;
        this.picture = picture.toChwSigned();   // the VAE's output: R, G, B planes in [-1, 1]
    }

    Costs costs() {
        return costs;
    }

    @Override
    public void runInto(Role role, OnnxModel model, Map<String, ? extends OnnxTensorLike> feeds,
                        Map<String, ? extends OnnxValue> pinned) {
        long rows = role == Role.UNET ? rows(feeds.get(SdxlSignature.SAMPLE)) : 1;
        double ms = role == Role.UNET ? rows * costs.unetMsPerRow() : role == Role.VAE_DECODER ? costs.vaeMsPerImage()
                : costs.textMsPerCall();
        device.lock();
        long start = System.nanoTime();
        try {
            if (role == Role.VAE_DECODER) {
                fill((OnnxTensor) pinned.get(SdxlSignature.IMAGE));
            }
            waitUntil(start + (long) (ms * 1e6));
        } finally {
            release(role, rows, start);
        }
    }

    @Override
    public OrtSession.Result run(Role role, OnnxModel model, Map<String, ? extends OnnxTensorLike> feeds,
                                 Set<String> requested) throws OrtException {
        device.lock();
        long start = System.nanoTime();
        try {
            long cpu = THREADS.getCurrentThreadCpuTime();
            OrtSession.Result result = model.run(feeds, requested);
            synchronized (log) {
                textCpuNanos += THREADS.getCurrentThreadCpuTime() - cpu;
            }
            waitUntil(start + (long) (costs.textMsPerCall() * 1e6));
            return result;
        } finally {
            release(role, 1, start);
        }
    }

    /** Forgets the calls logged so far. */
    void reset() {
        synchronized (log) {
            log.clear();
            textCpuNanos = 0;
        }
    }

    /** The calls logged since the last {@link #reset}, in the order they took the device. */
    List<Call> calls() {
        List<Call> calls;
        synchronized (log) {
            calls = new ArrayList<>(log);
        }
        calls.sort(java.util.Comparator.comparingLong(Call::start));
        return calls;
    }

    /** The device's use between {@code from} and {@code to} ({@link System#nanoTime()}), from the calls logged. */
    Usage usage(long from, long to) {
        List<Call> calls = calls();
        long firstUnet = Long.MAX_VALUE;
        long lastUnet = Long.MIN_VALUE;
        long unetCalls = 0;
        long busy = 0;
        for (Call call : calls) {
            busy += call.end() - call.start();
            if (call.role() == Role.UNET) {
                unetCalls++;
                firstUnet = Math.min(firstUnet, call.start());
                lastUnet = Math.max(lastUnet, call.end());
            }
        }
        long unetSpan = unetCalls > 0 ? lastUnet - firstUnet : 0;
        long busyInUnetSpan = 0;
        for (Call call : calls) {
            // calls hold the device one at a time: their spans do not overlap
            busyInUnetSpan += Math.max(0, Math.min(call.end(), lastUnet) - Math.max(call.start(), firstUnet));
        }
        double textCpu;
        synchronized (log) {
            textCpu = textCpuNanos / 1e9;
        }
        return new Usage(calls.size(), unetCalls, busy / 1e9, (to - from) / 1e9, unetSpan / 1e9,
                (unetSpan - busyInUnetSpan) / 1e9, textCpu);
    }

    private void release(Role role, long rows, long start) {
        long end = System.nanoTime();
        device.unlock();
        synchronized (log) {
            log.add(new Call(role, rows, start, end));
        }
    }

    private void fill(OnnxTensor output) {
        if (output.getInfo().type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException("the GPU stand-in writes float32 VAE outputs only, the model's is "
                    + output.getInfo().type);
        }
        FloatBuffer buffer = (FloatBuffer) output.getBufferRef().orElseThrow(
                () -> new IllegalStateException("the VAE output is not a pinned buffer"));
        if (buffer.capacity() != picture.length) {
            throw new IllegalStateException("the stand-in's picture has " + picture.length / 3 + " pixels, the VAE output "
                    + buffer.capacity() / 3);
        }
        buffer.put(0, picture);
    }

    private static long rows(OnnxTensorLike sample) {
        long[] shape = ((OnnxTensor) sample).getInfo().getShape();
        return shape.length > 0 ? shape[0] : 1;
    }

    /** Parks (no CPU) until {@code deadline} ({@link System#nanoTime()}). */
    private static void waitUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
