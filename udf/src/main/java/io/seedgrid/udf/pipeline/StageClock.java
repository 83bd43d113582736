package io.seedgrid.udf.pipeline;

/**
 * Wall time per pipeline stage for one batch, plus the part of it spent inside ONNX Runtime's
 * {@code run} (what the pipeline benchmark compares the total against). Not thread-safe: one per batch.
 */
final class StageClock {

    private long textNanos;
    private long unetNanos;
    private long vaeNanos;
    private long onnxNanos;

    void addText(long nanos) {
        textNanos += nanos;
    }

    void addUnet(long nanos) {
        unetNanos += nanos;
    }

    void addVae(long nanos) {
        vaeNanos += nanos;
    }

    void addOnnx(long nanos) {
        onnxNanos += nanos;
    }

    /** The batch's timings divided among {@code images} images. */
    Timings perImage(int images, long totalNanos) {
        double share = 1e-6 / images;
        return new Timings(textNanos * share, unetNanos * share, vaeNanos * share, totalNanos * share, onnxNanos * share);
    }
}
