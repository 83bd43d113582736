package io.seedgrid.jobs.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file operations the run folder is built on, on any Hadoop file system (a local disk, HDFS,
 * {@code s3a://}). A task never writes a visible file in place: it writes under the attempt's temporary
 * folder ({@code <run>/_tmp/<attempt>/}) and then {@linkplain #publish publishes} it with one rename, which
 * is atomic on a local disk and on HDFS and a single server-side copy of a complete object on S3. A
 * reader therefore sees a file whole or not at all, and an attempt that dies leaves only its temporary
 * folder, which the next attempt deletes before it starts (so a straggler of the dead attempt can no
 * longer publish: its source file is gone).
 */
public final class FileSystems {

    private FileSystems() {
    }

    /**
     * {@code conf} with the local file system in its raw form ({@link NioLocalFileSystem}): no {@code .crc} side files
     * beside the tables, no {@code chmod} process per file.
     */
    static Configuration withoutChecksums(Configuration conf) {
        Configuration c = new Configuration(conf);
        c.setClass("fs.file.impl", NioLocalFileSystem.class, FileSystem.class);
        c.setBoolean("fs.file.impl.disable.cache", true);
        return c;
    }

    /** The file system of {@code path} (local paths in their raw form). */
    public static FileSystem of(Path path, Configuration conf) {
        try {
            return path.getFileSystem(withoutChecksums(conf));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + path, e);
        }
    }

    /**
     * Publishes the finished file {@code temp} as {@code target}. When {@code target} already exists it was
     * published by a twin of this task (a retry, a speculative copy) with the same cells, and {@code temp} is
     * dropped.
     *
     * @return true when this call published {@code target}
     */
    public static boolean publish(FileSystem fs, Path temp, Path target) throws IOException {
        fs.mkdirs(target.getParent());
        boolean renamed;
        try {
            renamed = fs.rename(temp, target);
        } catch (FileAlreadyExistsException e) {
            renamed = false;
        }
        if (!renamed) {
            if (!fs.exists(target)) {
                throw new IOException("cannot publish " + temp + " as " + target + " (the rename failed)");
            }
            fs.delete(temp, false);
        }
        return renamed;
    }

    /**
     * Replaces {@code target} by {@code temp}: atomically on a local disk (rename over the old file), else by
     * deleting the old file first, so that a reader may briefly miss its rows but never sees them twice.
     */
    public static void replace(FileSystem fs, Path temp, Path target) throws IOException {
        fs.mkdirs(target.getParent());
        if (fs instanceof RawLocalFileSystem local) {
            Files.move(local.pathToFile(temp).toPath(), local.pathToFile(target).toPath(),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        fs.delete(target, false);
        if (!fs.rename(temp, target)) {
            throw new IOException("cannot move " + temp + " to " + target);
        }
    }

    /** Deletes {@code path} and everything under it, if it exists. */
    public static void delete(FileSystem fs, Path path) {
        try {
            fs.delete(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }

    /** The Parquet files directly in {@code dir} (none when it does not exist), hidden and temporary ones left out. */
    public static List<FileStatus> parquetFiles(FileSystem fs, Path dir) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        for (FileStatus entry : list(fs, dir)) {
            String name = entry.getPath().getName();
            if (entry.isFile() && name.endsWith(".parquet") && !name.startsWith(".") && !name.startsWith("_")) {
                out.add(entry);
            }
        }
        return out;
    }

    /** The sub-folders of {@code dir} named {@code key=value}, as their values (none when it does not exist). */
    public static List<String> partitionValues(FileSystem fs, Path dir, String key) throws IOException {
        List<String> out = new ArrayList<>();
        for (FileStatus entry : list(fs, dir)) {
            String name = entry.getPath().getName();
            if (entry.isDirectory() && name.startsWith(key + "=")) {
                out.add(name.substring(key.length() + 1));
            }
        }
        return out;
    }

    /** The entries of {@code dir}; none when it does not exist. */
    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new FileStatus[0];
        }
    }
}
