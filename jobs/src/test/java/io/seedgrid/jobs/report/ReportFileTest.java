package io.seedgrid.jobs.report;

import io.seedgrid.jobs.testing.S3ProxyServer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** report.html is replaced whole: a reader sees the old file or the new one, on a local disk and on S3. */
class ReportFileTest {

    /** Writes {@code text} in two halves, running {@code between} after the first. */
    private static Consumer<OutputStream> halves(String text, Runnable between) {
        return out -> {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try {
                out.write(bytes, 0, bytes.length / 2);
                out.flush();
                between.run();
                out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static String read(FileSystem fs, Path file) throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void onALocalDiskTheOldFileStaysUntilTheNewOneIsComplete(@TempDir java.nio.file.Path dir) throws IOException {
        String run = dir.resolve("run").toString();
        java.nio.file.Path target = dir.resolve("run/report.html");
        assertEquals(10, ReportFile.write(run, "report.html", new Configuration(), halves("<p>old</p>", () -> { })));
        List<String> seen = new ArrayList<>();
        long size = ReportFile.write(run, "report.html", new Configuration(), halves("<p>the new one</p>", () -> {
            try {
                seen.add(Files.readString(target));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        assertEquals(List.of("<p>old</p>"), seen);
        assertEquals("<p>the new one</p>", Files.readString(target));
        assertEquals(18, size);
        try (Stream<java.nio.file.Path> files = Files.list(dir.resolve("run"))) {
            assertEquals(List.of("report.html"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theReportIsReadableByWhomeverTheUmaskLets(@TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Path reference = Files.createFile(dir.resolve("reference"));
        ReportFile.write(dir.toString(), "report.html", new Configuration(), halves("<p>r</p>", () -> { }));
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(dir.resolve("report.html")),
                "the report's permissions are those of a plain new file (0644 under umask 022), not createTempFile's 0600");
    }

    @Test
    void onS3TheObjectAppearsOnlyWhenItIsComplete() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startTransient()) {
            Configuration conf = new Configuration();
            s3.configure(conf);
            String run = s3.s3a("runs/demo");
            Path file = new Path(run, "report.html");
            FileSystem fs = file.getFileSystem(conf);
            List<Boolean> visible = new ArrayList<>();
            ReportFile.write(run, "report.html", conf, halves("<p>first</p>", () -> visible.add(exists(fs, file))));
            assertEquals("<p>first</p>", read(fs, file));
            List<String> seen = new ArrayList<>();
            long size = ReportFile.write(run, "report.html", conf, halves("<p>second, longer</p>", () -> {
                try {
                    seen.add(read(fs, file));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
            assertEquals(List.of(false), visible, "no object while the first write is under way");
            assertEquals(List.of("<p>first</p>"), seen, "the old object while the second is under way");
            assertEquals("<p>second, longer</p>", read(fs, file));
            assertEquals(21, size);
            List<String> keys = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> all = fs.listFiles(new Path(s3.s3a("")), true);
            while (all.hasNext()) {
                keys.add(all.next().getPath().toUri().getPath());
            }
            assertEquals(List.of("/runs/demo/report.html"), keys);
            assertFalse(fs.exists(new Path(run, "report.html.tmp")));
        }
    }

    private static boolean exists(FileSystem fs, Path file) {
        try {
            return fs.exists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
