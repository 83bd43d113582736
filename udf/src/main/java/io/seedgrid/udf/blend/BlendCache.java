package io.seedgrid.udf.blend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blended models on local disk, made once per (model A, model B, α) and reused by every later run
 * and every JVM on the machine.
 *
 * <p>The key is a SHA-256 over the {@link ModelIdentity} of both inputs (real path, size and
 * modification time of model.onnx and of each external data file) and the exact bits of α (with
 * -0.0 taken as 0.0). Each entry is a directory {@code alpha<α>-<key prefix>} with
 * {@code model.onnx}, {@code model.onnx_data} and {@code blend.json} (what it was made from).
 *
 * <p>Concurrency: threads of one JVM take a per-entry monitor, JVMs take an exclusive lock on
 * {@code <entry>.lock}, so one writer blends and the others wait and reuse its result. The entry
 * is written under a temporary name and renamed into place, so it is never seen half-written; the
 * temporary directory of a writer that died is deleted by the next writer of that entry. Lock
 * files stay (deleting them races with other lockers); they are empty.
 */
public final class BlendCache {

    /** Bump when the blend's output changes for the same inputs, so old entries are not reused. */
    static final int FORMAT_VERSION = 1;
    static final String MANIFEST_FILE = "blend.json";

    private static final Logger LOG = LoggerFactory.getLogger(BlendCache.class);
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final Path root;

    /** A cache in {@code root} (created when needed). */
    public BlendCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** {@code $XDG_CACHE_HOME/seedgrid/blends}, or {@code ~/.cache/seedgrid/blends}. */
    public static Path defaultRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("seedgrid").resolve("blends");
    }

    public Path root() {
        return root;
    }

    /** The blend of {@code modelA} and {@code modelB} at {@code alpha}, made now if not yet cached. */
    public CachedBlend get(Path modelA, Path modelB, double alpha) throws IOException {
        return get(modelA, modelB, alpha, BlendProgress.NONE);
    }

    /** As {@link #get(Path, Path, double)}, reporting the progress of a blend it has to make. */
    public CachedBlend get(Path modelA, Path modelB, double alpha, BlendProgress progress) throws IOException {
        OnnxBlend.requireFiniteAlpha(alpha);
        double a = alpha + 0.0; // -0.0 -> 0.0: the same blend
        ModelIdentity identityA = ModelIdentity.of(modelA);
        ModelIdentity identityB = ModelIdentity.of(modelB);
        Path entry = root.resolve(directoryName(identityA, identityB, a));
        if (Files.isDirectory(entry)) {
            return new CachedBlend(entry, false);
        }
        Files.createDirectories(root);
        synchronized (MONITORS.computeIfAbsent(entry, k -> new Object())) {
            try (FileChannel lockFile = FileChannel.open(root.resolve(entry.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                if (Files.isDirectory(entry)) {
                    return new CachedBlend(entry, false);
                }
                deleteStaleTemporaries(entry);
                Path temporary = AtomicDirectory.createTemporary(entry);
                try {
                    long started = System.nanoTime();
                    OnnxBlend.writeInto(modelA, modelB, a, temporary, progress);
                    writeManifest(temporary.resolve(MANIFEST_FILE), identityA, identityB, a,
                            (System.nanoTime() - started) / 1e9);
                    AtomicDirectory.publish(temporary, entry);
                } catch (FileAlreadyExistsException published) {
                    // Published by a writer that did not use this cache's lock: the same blend.
                    return new CachedBlend(entry, false);
                } finally {
                    AtomicDirectory.deleteRecursively(temporary);
                }
                LOG.info("Cached blend of {} and {} at alpha={} in {}", modelA, modelB, a, entry);
                return new CachedBlend(entry, true);
            }
        }
    }

    /** The entry's directory name: α readable for people, the hash for uniqueness. */
    static String directoryName(ModelIdentity a, ModelIdentity b, double alpha) {
        StringBuilder key = new StringBuilder("seedgrid-blend v").append(FORMAT_VERSION).append('\n')
                .append("alpha bits ").append(Long.toHexString(Double.doubleToLongBits(alpha))).append('\n');
        for (ModelIdentity.FileIdentity f : a.files()) {
            key.append("A ").append(f).append('\n');
        }
        for (ModelIdentity.FileIdentity f : b.files()) {
            key.append("B ").append(f).append('\n');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return "alpha" + alpha + "-" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private void deleteStaleTemporaries(Path entry) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(root, AtomicDirectory.temporaryPrefix(entry) + "*")) {
            for (Path p : stale) {
                LOG.warn("Deleting {}, left by a blend that did not finish", p);
                AtomicDirectory.deleteRecursively(p);
            }
        }
    }

    private static void writeManifest(Path file, ModelIdentity a, ModelIdentity b, double alpha, double seconds)
            throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", FORMAT_VERSION);
        manifest.put("formula", "W = W_a + alpha * (W_b - W_a)");
        manifest.put("alpha", alpha);
        manifest.put("modelA", a.files());
        manifest.put("modelB", b.files());
        manifest.put("created", Instant.now().toString());
        manifest.put("seconds", seconds);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), manifest);
    }
}
