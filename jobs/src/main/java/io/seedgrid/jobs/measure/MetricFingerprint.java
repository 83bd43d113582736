package io.seedgrid.jobs.measure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.udf.metrics.ClipSpec;
import io.seedgrid.udf.metrics.ImageEmbeddingSpec;
import io.seedgrid.udf.metrics.LpipsSpec;
import io.seedgrid.udf.metrics.MetricModelSpec;
import io.seedgrid.udf.onnx.ModelHash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What decides a group's metric values besides its images: the content of every metric model (ONNX
 * weights through {@link ModelHash}, the {@code seedgrid-metric.json} declaration, which holds LPIPS'
 * weights and the preprocessing, and the CLIP tokenizer files), whether MS-SSIM runs, and
 * {@link #VERSION}. Paths are left out, so a moved model does not force a remeasurement; a changed one
 * does. Recorded in the manifest and hashed into each group's key.
 */
public final class MetricFingerprint {

    /** Raise when a metric's computation changes, so that reruns remeasure every group. */
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricFingerprint() {
    }

    /** The fingerprint as JSON (fields in a fixed order). */
    public static ObjectNode of(MetricModels models) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        if (models.lpips() != null) {
            Path dir = Path.of(models.lpips());
            LpipsSpec spec = (LpipsSpec) MetricModelSpec.read(dir);
            root.putObject("lpips").put("net", spec.net()).put("declaration", declaration(dir))
                    .put("model", ModelHash.sha256(spec.model()));
        }
        ArrayNode encoders = root.putArray("encoders");
        for (String location : models.encoders()) {
            Path dir = Path.of(location);
            MetricModelSpec spec = MetricModelSpec.read(dir);
            Path model = spec instanceof ClipSpec c ? c.image().model() : ((ImageEmbeddingSpec) spec).image().model();
            String name = spec instanceof ClipSpec c ? c.name() : ((ImageEmbeddingSpec) spec).name();
            encoders.addObject().put("name", name).put("declaration", declaration(dir)).put("model", ModelHash.sha256(model));
        }
        if (models.clip() != null) {
            Path dir = Path.of(models.clip());
            ClipSpec spec = (ClipSpec) MetricModelSpec.read(dir);
            root.putObject("clip").put("name", spec.name()).put("declaration", declaration(dir))
                    .put("image", ModelHash.sha256(spec.image().model()))
                    .put("text", ModelHash.sha256(spec.text().model()))
                    .put("tokenizer", directoryHash(spec.text().tokenizer()));
        }
        root.put("ms_ssim", models.msSsim());
        return root;
    }

    /** SHA-256 (hex) of a UTF-8 text. */
    static String sha256(String text) {
        return hex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String declaration(Path dir) {
        try {
            return hex(digest().digest(Files.readAllBytes(dir.resolve(MetricModelSpec.FILE))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(MetricModelSpec.FILE), e);
        }
    }

    private static String directoryHash(Path dir) {
        MessageDigest sha = digest();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sorted = files.filter(Files::isRegularFile).sorted().toList();
            for (Path file : sorted) {
                sha.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return hex(sha.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
