package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.InputFiles;
import io.seedgrid.jobs.config.MeasureConfig;
import io.seedgrid.udf.blend.OnnxFiles;
import io.seedgrid.udf.metrics.ClipSpec;
import io.seedgrid.udf.metrics.ImageEmbeddingSpec;
import io.seedgrid.udf.metrics.LpipsSpec;
import io.seedgrid.udf.metrics.MetricModelSpec;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Checks every metric model's declaration and that each ONNX file it names is a whole ONNX model
     * ({@link OnnxFiles}), without ONNX Runtime; throws IllegalArgumentException naming the model's key and
     * file. {@link MetricSuite} then checks the declarations against the sessions.
     */
    public void checkFiles() {
        Map<String, String> dirs = new LinkedHashMap<>();
        if (lpips != null) {
            dirs.put(lpips, "measure.lpips");
        }
        encoders.forEach(e -> dirs.putIfAbsent(e, "measure.encoders"));
        if (clip != null) {
            dirs.putIfAbsent(clip, "measure.clip");
        }
        dirs.forEach((dir, key) -> {
            String missing = InputFiles.directoryProblem(Path.of(dir));
            if (missing != null) {
                throw new IllegalArgumentException(key + ": " + missing);
            }
            try {
                MetricModelSpec spec = MetricModelSpec.read(Path.of(dir));
                if (spec instanceof LpipsSpec l) {
                    OnnxFiles.read(l.model());
                } else if (spec instanceof ImageEmbeddingSpec e) {
                    OnnxFiles.read(e.image().model());
                } else if (spec instanceof ClipSpec c) {
                    OnnxFiles.read(c.image().model());
                    OnnxFiles.read(c.text().model());
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + " (" + dir + "): " + e.getMessage(), e);
            }
        });
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
