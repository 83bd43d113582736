package io.seedgrid.jobs.report;

import io.seedgrid.jobs.LocalFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * Writes one file of a run folder so that a reader sees the old file or the new one, never half of it,
 * as {@link io.seedgrid.jobs.generate.Manifest} writes the manifest: on a local disk into a temporary
 * file beside it, then an atomic rename over the old one; on an object store (s3a://) one upload through
 * Hadoop's FileSystem, which S3A makes visible only when the stream closes. The body is streamed, so a
 * large report is never held twice in memory. The file gets the permissions the process umask gives (0644
 * under umask 022), as Spark's Parquet files do, so a web server or a colleague can read the report.
 */
final class ReportFile {

    private ReportFile() {
    }

    /**
     * Writes {@code <runDir>/<name>} with what {@code body} writes to the stream it gets.
     *
     * @return the file's size in bytes
     */
    static long write(String runDir, String name, Configuration conf, Consumer<OutputStream> body) {
        Path file = new Path(runDir, name);
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (fs instanceof LocalFileSystem local) {
                java.nio.file.Path target = local.pathToFile(file).toPath();
                Files.createDirectories(target.getParent());
                java.nio.file.Path temp = LocalFiles.temporaryBeside(target);
                try {
                    try (OutputStream out = Files.newOutputStream(temp)) {
                        body.accept(out);
                    }
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temp);
                }
                return Files.size(target);
            }
            try (OutputStream out = fs.create(file, true)) {
                body.accept(out);
            }
            return fs.getFileStatus(file).getLen();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
