package io.seedgrid.udf.pipeline;

/**
 * Milliseconds one image cost, its batch's time divided among the batch's images.
 *
 * @param textMs  text encoding
 * @param unetMs  the denoising loop (UNet calls, guidance, sampler steps)
 * @param vaeMs   VAE decoding, the NaN check and the conversion to 8-bit
 * @param totalMs the batch's steps end to end (preparing: sessions, prompts, initial latents; rendering), without
 *                any wait between them
 * @param onnxMs  the part of the total spent inside ONNX Runtime's {@code run}
 * @param cpuMs     CPU time of the threads that ran the batch's steps and conversions (ONNX Runtime's own worker
 *                  threads not counted)
 * @param onnxCpuMs the part of {@code cpuMs} spent inside ONNX Runtime's {@code run}
 */
public record Timings(double textMs, double unetMs, double vaeMs, double totalMs, double onnxMs, double cpuMs,
                      double onnxCpuMs) {
}
