package io.seedgrid.udf.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The content hash of a sub-model (SHA-256 over its ONNX graph and weight files, in name order), used
 * for provenance: every output row names the exact weights that made it. Hashing a 10 GB UNet takes
 * seconds, so the result is cached beside the model in {@value #CACHE_FILE}, keyed by each file's
 * name, size and modification time; where that folder is not writable (a read-only model store) the
 * cache goes to the user's cache folder, {@code $XDG_CACHE_HOME/seedgrid/hashes/} or
 * {@code ~/.cache/seedgrid/hashes/}, as the blend cache does. Cache files get the umask's permissions, so
 * whoever reads the models reads their hashes too.
 */
public final class ModelHash {

    /** The cache file written next to a sub-model's files. */
    public static final String CACHE_FILE = ".seedgrid-hash.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelHash() {
    }

    /** The SHA-256 (64 hex digits) of the sub-model whose graph is {@code onnxFile}. */
    public static String sha256(Path onnxFile) {
        Path dir = onnxFile.toAbsolutePath().getParent();
        List<Path> files = weightFiles(dir);
        ObjectNode key = key(files);
        for (Path cache : List.of(dir.resolve(CACHE_FILE), userCache(dir))) {
            String cached = readCache(cache, key);
            if (cached != null) {
                return cached;
            }
        }
        String hash = digest(files);
        ObjectNode entry = key.deepCopy();
        entry.put("sha256", hash);
        if (!writeCache(dir.resolve(CACHE_FILE), entry)) {
            writeCache(userCache(dir), entry);
        }
        return hash;
    }

    /** A1111's short form: the first 10 hex digits. */
    public static String shortHash(String sha256) {
        return sha256.substring(0, 10);
    }

    private static List<Path> weightFiles(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> files = new ArrayList<>();
            entries.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .forEach(files::add);
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no model files in " + dir);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static ObjectNode key(List<Path> files) {
        ObjectNode key = JSON.createObjectNode();
        ArrayNode list = key.putArray("files");
        for (Path file : files) {
            try {
                list.addObject()
                        .put("name", file.getFileName().toString())
                        .put("size", Files.size(file))
                        .put("mtime", Files.getLastModifiedTime(file).toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stat " + file, e);
            }
        }
        return key;
    }

    private static String readCache(Path cache, ObjectNode key) {
        if (!Files.isRegularFile(cache)) {
            return null;
        }
        try {
            JsonNode entry = JSON.readTree(cache.toFile());
            JsonNode hash = entry.get("sha256");
            return entry.get("files") != null && entry.get("files").equals(key.get("files")) && hash != null
                    ? hash.asText() : null;
        } catch (IOException e) {
            return null; // a damaged cache is recomputed
        }
    }

    private static boolean writeCache(Path cache, ObjectNode entry) {
        try {
            Files.createDirectories(cache.getParent());
            Path temp = temporaryBeside(cache);
            try {
                Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(entry));
                try {
                    Files.move(temp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, cache, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A new empty file beside {@code cache}, with the umask's permissions ({@code createTempFile}'s are 0600). */
    private static Path temporaryBeside(Path cache) throws IOException {
        while (true) {
            Path temp = cache.resolveSibling(".seedgrid-hash." + HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException taken) {
                // another writer drew the same name: draw again
            }
        }
    }

    /** The user's cache file for the sub-model in {@code dir}: {@code $XDG_CACHE_HOME} or {@code ~/.cache}. */
    static Path userCache(Path dir) {
        String name = HexFormat.of().formatHex(sha256Bytes(dir.toString())).substring(0, 24) + ".json";
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return root.resolve("seedgrid").resolve("hashes").resolve(name);
    }

    private static String digest(List<Path> files) {
        MessageDigest sha = newDigest();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        for (Path file : files) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                while (channel.read(buffer.clear()) > 0) {
                    sha.update(buffer.flip());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static byte[] sha256Bytes(String text) {
        return newDigest().digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
