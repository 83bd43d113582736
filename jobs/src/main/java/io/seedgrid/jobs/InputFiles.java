package io.seedgrid.jobs;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checks of a file or folder a user names, worded the same by every command. */
public final class InputFiles {

    private InputFiles() {
    }

    /** Null when {@code file} is a readable regular file, else what is wrong ("no such file: PATH", ...). */
    public static String fileProblem(Path file) {
        if (Files.isDirectory(file)) {
            return file + " is a directory, not a file";
        }
        if (!Files.exists(file)) {
            return "no such file: " + file;
        }
        if (!Files.isRegularFile(file)) {
            return file + " is not a regular file";
        }
        return Files.isReadable(file) ? null : "cannot read " + file + ": permission denied";
    }

    /** Null when {@code dir} is a directory, else what is wrong ("no such file or directory: PATH", ...). */
    public static String directoryProblem(Path dir) {
        if (!Files.exists(dir)) {
            return "no such file or directory: " + dir;
        }
        return Files.isDirectory(dir) ? null : dir + " is a file, not a directory";
    }

    /** Throws an IllegalArgumentException ({@code option: problem}) unless {@code file} is a readable file. */
    public static Path requireFile(String option, Path file) {
        String problem = fileProblem(file);
        if (problem != null) {
            throw new IllegalArgumentException(option == null ? problem : option + ": " + problem);
        }
        return file;
    }

    /** Throws an IllegalArgumentException ({@code option: problem}) unless {@code dir} is a directory. */
    public static Path requireDirectory(String option, Path dir) {
        String problem = directoryProblem(dir);
        if (problem != null) {
            throw new IllegalArgumentException(option == null ? problem : option + ": " + problem);
        }
        return dir;
    }
}
