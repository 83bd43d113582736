package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Publishes a directory all at once: it is filled under a temporary name next to its target and
 * renamed into place, so a reader sees either nothing or the complete directory, and of several
 * writers racing for one target the first rename wins.
 */
final class AtomicDirectory {

    private AtomicDirectory() {
    }

    /** The prefix of the temporary directories made for {@code target}, so stale ones can be found. */
    static String temporaryPrefix(Path target) {
        return "." + target.getFileName() + ".tmp-";
    }

    /** A new, empty temporary directory beside {@code target}. */
    static Path createTemporary(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return Files.createDirectory(parent.resolve(temporaryPrefix(target) + UUID.randomUUID()));
    }

    /**
     * Renames a filled temporary directory to {@code target}, after flushing its directory entry.
     * @throws FileAlreadyExistsException when {@code target} already exists (another writer won)
     */
    static void publish(Path temporary, Path target) throws IOException {
        syncDirectory(temporary);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // rename(2) onto a non-empty directory fails: someone else published first.
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "published concurrently");
            }
            throw e;
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Deletes a directory tree; quietly does nothing when it is not there. */
    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** fsync of a directory, so that the names in it survive a power loss (POSIX; a no-op elsewhere). */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupported) {
            // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
        }
    }
}
