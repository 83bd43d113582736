package io.seedgrid.udf.pipeline;

/**
 * Milliseconds one image cost, its batch's time divided among the batch's images.
 *
 * @param textMs  text encoding
 * @param unetMs  the denoising loop (UNet calls, guidance, sampler steps)
 * @param vaeMs   VAE decoding and the NaN check
 * @param totalMs everything, end to end
 * @param onnxMs  the part of the total spent inside ONNX Runtime's {@code run}
 * @param cpuMs     CPU time of the thread that ran the batch (ONNX Runtime's own worker threads not counted)
 * @param onnxCpuMs the part of {@code cpuMs} spent inside ONNX Runtime's {@code run}
 */
public record Timings(double textMs, double unetMs, double vaeMs, double totalMs, double onnxMs, double cpuMs,
                      double onnxCpuMs) {
}
