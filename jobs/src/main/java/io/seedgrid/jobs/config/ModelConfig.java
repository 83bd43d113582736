package io.seedgrid.jobs.config;

/**
 * A model of the run config.
 *
 * @param name      the name recipes use
 * @param path      its directory (local path or a path every executor sees, e.g. a shared volume)
 * @param base      the base model's directory for a UNet-only model (DMD2), or null
 * @param device    {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param precision {@code fp32} or {@code fp16}: what the UNet export must take (checked), or null for either
 */
public record ModelConfig(String name, String path, String base, String device, String precision) {
}
