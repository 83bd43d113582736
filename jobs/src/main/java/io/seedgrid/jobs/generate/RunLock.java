package io.seedgrid.jobs.generate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps two runs out of one run folder. On a local folder it is an operating-system lock on
 * {@code <run>/.lock}, released by the OS when the process dies, so a crashed run never blocks its
 * rerun. On an object store (s3a://) it is a lease file refreshed every {@value #HEARTBEAT_SECONDS} s
 * and taken over when older than {@value #STALE_SECONDS} s, or at once when it names a process of this host
 * that is gone (a killed run rerun on the same machine): advisory, because S3 has no atomic
 * create-if-absent for the S3A connector to use.
 */
public final class RunLock implements AutoCloseable {

    static final long HEARTBEAT_SECONDS = 30;
    static final long STALE_SECONDS = 120;

    private final Runnable release;

    private RunLock(Runnable release) {
        this.release = release;
    }

    /** Takes the lock of {@code runDir} or throws IllegalStateException saying who holds it. */
    public static RunLock acquire(String runDir, Configuration conf) {
        URI uri = URI.create(runDir);
        if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
            return local(java.nio.file.Path.of(uri.getScheme() == null ? runDir : uri.getPath()));
        }
        return lease(new Path(runDir), conf);
    }

    private static RunLock local(java.nio.file.Path dir) {
        try {
            Files.createDirectories(dir);
            java.nio.file.Path file = dir.resolve(".lock");
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("another seedgrid run is writing " + dir + " (it holds " + file
                        + "); wait for it to finish or use another run name");
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(owner().getBytes(StandardCharsets.UTF_8)));
            FileLock held = lock;
            return new RunLock(() -> {
                try {
                    held.release();
                    channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir, e);
        }
    }

    private static RunLock lease(Path dir, Configuration conf) {
        Path file = new Path(dir, "_seedgrid_lease");
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (fs.exists(file)) {
                long age = System.currentTimeMillis() - fs.getFileStatus(file).getModificationTime();
                String holder = read(fs, file);
                if (age < STALE_SECONDS * 1000 && !deadOnThisHost(holder)) {
                    throw new IllegalStateException("another seedgrid run holds " + file + " (" + holder
                            + ", refreshed " + age / 1000 + " s ago); wait for it to finish or use another run name");
                }
            }
            String me = owner();
            write(fs, file, me);
            ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "seedgrid-lease");
                t.setDaemon(true);
                return t;
            });
            heartbeat.scheduleAtFixedRate(() -> {
                try {
                    write(fs, file, me);
                } catch (IOException e) {
                    // the next beat retries; a lease that goes stale only lets another run in after STALE_SECONDS
                }
            }, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
            return new RunLock(() -> {
                heartbeat.shutdownNow();
                try {
                    fs.delete(file, false);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lease " + file, e);
        }
    }

    /** True when {@code holder} ({@link #owner()}'s form) names a process of this host that is no longer alive. */
    static boolean deadOnThisHost(String holder) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid (\\d+) on (.+)").matcher(holder.strip());
        if (!m.matches() || !m.group(2).equals(hostName())) {
            return false;
        }
        return ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true);
    }

    private static String owner() {
        return "pid " + ProcessHandle.current().pid() + " on " + hostName();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static void write(FileSystem fs, Path file, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String read(FileSystem fs, Path file) throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        release.run();
    }
}
