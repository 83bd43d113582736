package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A run's local output location, checked by the stage commands before Spark starts: the run folder
 * {@code <output>/<run>} must be a folder or creatable, and writable. The nearest folder that exists on
 * the way to it must be a folder (not a file) in which a probe file can be created and removed; the
 * message gives the operating system's reason when it cannot. Nothing is created: a refused run leaves
 * no empty folder behind. Object stores ({@code s3a://}) are checked by the job itself.
 */
final class OutputLocation {

    private OutputLocation() {
    }

    /** Throws IllegalArgumentException naming the folder and the reason when the run cannot write its outputs. */
    static void check(RunConfig run) {
        Path runDir = local(run.output());
        if (runDir == null) {
            return;
        }
        runDir = runDir.resolve(run.run());
        Path existing = runDir;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new IllegalArgumentException("output: no folder of " + runDir + " exists");
        }
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException("output: " + existing + " is a file, not a folder"
                    + (existing.equals(runDir) ? "" : " (the run folder " + runDir + " would be inside it)"));
        }
        Path probe = existing.resolve(".seedgrid-probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new IllegalArgumentException("output: cannot write in " + existing + ": " + reason(e), e);
        }
    }

    /** The local path of an output location, or null for an object store. */
    private static Path local(String output) {
        if (!output.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return Path.of(output).toAbsolutePath().normalize();
        }
        URI uri = URI.create(output);
        return "file".equals(uri.getScheme()) ? Path.of(uri) : null;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
