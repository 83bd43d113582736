package io.seedgrid.jobs.config;

import io.seedgrid.udf.onnx.GpuOptions;

/**
 * A model of the run config.
 *
 * @param name      the name recipes use
 * @param path      its directory (local path or a path every executor sees, e.g. a shared volume)
 * @param base      the base model's directory for a UNet-only model (DMD2), or null
 * @param device    {@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N}, {@code tensorrt} or {@code tensorrt:N}
 * @param precision {@code fp32} or {@code fp16}: what the UNet export must take (checked), or null for either
 * @param gpu       ONNX Runtime's CUDA (and TensorRT) options for the model: its {@code gpu:} and
 *                  {@code tensorrt:} keys, TensorRT's profile sized for the run's batch and image size
 */
public record ModelConfig(String name, String path, String base, String device, String precision, GpuOptions gpu) {

    public ModelConfig {
        gpu = gpu == null ? GpuOptions.DEFAULTS : gpu;
    }

    /** A model with the default GPU options. */
    public ModelConfig(String name, String path, String base, String device, String precision) {
        this(name, path, base, device, precision, GpuOptions.DEFAULTS);
    }
}
