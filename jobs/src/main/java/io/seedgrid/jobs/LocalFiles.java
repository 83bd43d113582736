package io.seedgrid.jobs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Files seedgrid writes on a local disk. */
public final class LocalFiles {

    private LocalFiles() {
    }

    /**
     * A new, empty file beside {@code target} (hidden, named after it) to write and then rename over it.
     * It is created with the permissions the process umask gives any new file (0644 under umask 022), as
     * Spark's Parquet files are, so the renamed file is readable by whoever may read the folder;
     * {@code Files.createTempFile} would make it 0600.
     */
    public static Path temporaryBeside(Path target) throws IOException {
        while (true) {
            String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            Path temporary = target.resolveSibling("." + target.getFileName() + "." + suffix + ".tmp");
            try {
                return Files.createFile(temporary);
            } catch (FileAlreadyExistsException taken) {
                // another writer drew the same name: draw again
            }
        }
    }
}
