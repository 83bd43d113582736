package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.config.MeasureConfig;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The metric models a measurement uses, as local directory paths: what travels to executors (paths,
 * never bytes; each executor JVM loads them once through {@link MetricSuite}). Learned metrics run only
 * when their model is named here; the weight-free ones (SSIM, MS-SSIM, pixel Vendi) always run,
 * MS-SSIM unless {@code msSsim} is off.
 *
 * @param lpips    LPIPS model directory, or null
 * @param encoders image-embedding model directories (an {@code image_embedding} or {@code clip} model each)
 * @param clip     CLIP pair directory for the CLIP score (its image tower is also an encoder), or null
 * @param msSsim   whether to compute MS-SSIM
 */
public record MetricModels(String lpips, List<String> encoders, String clip, boolean msSsim) implements Serializable {

    public MetricModels {
        encoders = List.copyOf(encoders);
    }

    /**
     * The models of a config's {@code measure} section, as absolute local paths.
     *
     * @throws IllegalArgumentException when a model is given as a URI other than {@code file:}: metric
     *     models are loaded by ONNX Runtime from a local path (a shared volume on a cluster)
     */
    public static MetricModels of(MeasureConfig measure) {
        List<String> encoders = new ArrayList<>();
        for (String encoder : measure.encoders()) {
            encoders.add(local(encoder, "measure.encoders"));
        }
        return new MetricModels(measure.lpips() == null ? null : local(measure.lpips(), "measure.lpips"), encoders,
                measure.clip() == null ? null : local(measure.clip(), "measure.clip"), measure.msSsim());
    }

    private static String local(String location, String key) {
        if (location.matches("[A-Za-z][A-Za-z0-9+.-]*://.*") || location.startsWith("file:")) {
            URI uri = URI.create(location);
            if (!"file".equals(uri.getScheme())) {
                throw new IllegalArgumentException(key + " is " + location + ": metric models are read from a local"
                        + " directory (on a cluster, a shared volume or a path every executor has), not from "
                        + uri.getScheme() + "://");
            }
            return Path.of(uri).toAbsolutePath().normalize().toString();
        }
        return Path.of(location).toAbsolutePath().normalize().toString();
    }
}
