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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import io.seedgrid.udf.onnx.ByteSize;
import io.seedgrid.udf.onnx.LocalCache;
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
 * {@code <entry>.lock}, so one writer blends and the others wait and reuse its result (built once per
 * node). The entry is written under a temporary name and renamed into place, so it is never seen
 * half-written; the temporary directory of a writer that died is deleted by the next writer of that
 * entry. Lock files stay (deleting them races with other lockers); they are empty.
 *
 * <p>Size cap: after each new blend the cache removes the least recently used entries (each use touches its
 * directory) until it holds at most {@code maxBytes}, under an exclusive lock on {@code .evict.lock} shared by
 * every JVM of the node. An entry used within {@code minAge} is never removed (another executor may be about
 * to load it), nor one whose entry lock someone holds, nor the one just made; so the cache can exceed its cap
 * while all its entries are in use. An entry is renamed away before it is deleted: nobody sees it half gone.
 * A session already loaded from a removed blend keeps working (the open files stay readable).
 */
public final class BlendCache {

    /** Bump when the blend's output changes for the same inputs, so old entries are not reused. */
    static final int FORMAT_VERSION = 1;
    static final String MANIFEST_FILE = "blend.json";
    /** The environment variable with the cache's size cap (a size: {@code 100g}). */
    public static final String MAX_SIZE_ENV = "SEEDGRID_BLEND_CACHE_MAX";
    /** The cap when none is set: six fp32 SDXL UNet blends (10 GB each), or twelve fp16 ones. */
    public static final long DEFAULT_MAX_BYTES = 64L << 30;
    /** How long a used entry is safe from removal when none is set. */
    public static final Duration DEFAULT_MIN_AGE = Duration.ofMinutes(10);

    private static final String EVICT_LOCK = ".evict.lock";
    private static final Logger LOG = LoggerFactory.getLogger(BlendCache.class);
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final Path root;
    private final long maxBytes;
    private final Duration minAge;

    /** A cache in {@code root} (created when needed), capped at {@value #MAX_SIZE_ENV} or 64 GiB. */
    public BlendCache(Path root) {
        this(root, defaultMaxBytes(), DEFAULT_MIN_AGE);
    }

    /**
     * A cache in {@code root} holding at most {@code maxBytes} of blends that were not used within
     * {@code minAge}.
     */
    public BlendCache(Path root, long maxBytes, Duration minAge) {
        if (maxBytes < 1 || minAge.isNegative()) {
            throw new IllegalArgumentException("a blend cache needs a positive size cap and a minimum age >= 0");
        }
        this.root = root.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        this.minAge = minAge;
    }

    /** {@code <local cache>/blends}: under {@code SPARK_LOCAL_DIRS} on an executor, else the user's cache folder. */
    public static Path defaultRoot() {
        return LocalCache.root().resolve("blends");
    }

    /** {@value #MAX_SIZE_ENV} from the environment, else {@link #DEFAULT_MAX_BYTES}. */
    public static long defaultMaxBytes() {
        String value = System.getenv(MAX_SIZE_ENV);
        return value == null || value.isBlank() ? DEFAULT_MAX_BYTES : ByteSize.parse(value, MAX_SIZE_ENV);
    }

    public long maxBytes() {
        return maxBytes;
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
        Files.createDirectories(root);
        CachedBlend blend;
        synchronized (monitor(entry)) {
            try (FileChannel lockFile = FileChannel.open(lockFile(entry), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                if (Files.isDirectory(entry)) {
                    touch(entry);
                    return new CachedBlend(entry, false);
                }
                blend = create(modelA, modelB, a, identityA, identityB, entry, progress);
            }
        }
        evictBeyondCap(entry);
        return blend;
    }

    private CachedBlend create(Path modelA, Path modelB, double a, ModelIdentity identityA, ModelIdentity identityB,
                               Path entry, BlendProgress progress) throws IOException {
        deleteStaleTemporaries(entry);
        Path temporary = AtomicDirectory.createTemporary(entry);
        try {
            long started = System.nanoTime();
            OnnxBlend.writeInto(modelA, modelB, a, temporary, progress);
            writeManifest(temporary.resolve(MANIFEST_FILE), identityA, identityB, a, (System.nanoTime() - started) / 1e9);
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

    /**
     * Removes the least recently used entries until the cache holds at most {@link #maxBytes()}; keeps
     * {@code keep}, entries used within the minimum age and entries whose lock someone holds.
     */
    void evictBeyondCap(Path keep) throws IOException {
        synchronized (monitor(root)) {
            try (FileChannel lockFile = FileChannel.open(root.resolve(EVICT_LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                deleteEvicted();
                List<Path> entries = entries();
                Map<Path, Long> sizes = new LinkedHashMap<>();
                long total = 0;
                for (Path e : entries) {
                    long size = size(e);
                    sizes.put(e, size);
                    total += size;
                }
                entries.sort(Comparator.comparing(BlendCache::lastUsed));
                for (Path e : entries) {
                    if (total <= maxBytes) {
                        break;
                    }
                    if (!e.equals(keep) && remove(e)) {
                        total -= sizes.get(e);
                    }
                }
                if (total > maxBytes) {
                    LOG.warn("The blend cache {} holds {}, over its cap of {}: every entry is in use", root,
                            ByteSize.format(total), ByteSize.format(maxBytes));
                }
            }
        }
    }

    /** Renames {@code entry} away (when nobody holds its lock and it was not used lately) and deletes it. */
    private boolean remove(Path entry) throws IOException {
        Path gone = root.resolve("." + entry.getFileName() + ".evicted-" + UUID.randomUUID());
        synchronized (monitor(entry)) {
            try (FileChannel lockFile = FileChannel.open(lockFile(entry), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.tryLock()) {
                if (lock == null || !Files.isDirectory(entry)
                        || Duration.between(lastUsed(entry).toInstant(), Instant.now()).compareTo(minAge) < 0) {
                    return false;
                }
                Files.move(entry, gone, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        LOG.info("Removed blend {} from the cache {} (least recently used, over the cap of {})", entry.getFileName(),
                root, ByteSize.format(maxBytes));
        AtomicDirectory.deleteRecursively(gone);
        return true;
    }

    /** The blend directories in the cache. */
    List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return new ArrayList<>(s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))
                    .toList());
        }
    }

    private void deleteEvicted() throws IOException {
        try (DirectoryStream<Path> left = Files.newDirectoryStream(root, ".*.evicted-*")) {
            for (Path p : left) {
                AtomicDirectory.deleteRecursively(p);
            }
        }
    }

    private static long size(Path entry) throws IOException {
        try (Stream<Path> files = Files.walk(entry)) {
            long total = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    private static FileTime lastUsed(Path entry) {
        try {
            return Files.getLastModifiedTime(entry);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void touch(Path entry) {
        try {
            Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // read-only cache: the entry still works, it only looks older to the eviction
        }
    }

    private Path lockFile(Path entry) {
        return root.resolve(entry.getFileName() + ".lock");
    }

    private static Object monitor(Path path) {
        return MONITORS.computeIfAbsent(path, k -> new Object());
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
