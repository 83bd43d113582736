package io.seedgrid.jobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code seedgrid} command line in a JVM of its own, as a user runs it, for the tests that kill it: its
 * output goes to files in its working folder, and the test signals or kills it by the {@link Process} it
 * started — never any other process of the machine.
 */
public final class SeedgridProcess implements AutoCloseable {

    private final Process process;
    private final Path workDir;

    private SeedgridProcess(Process process, Path workDir) {
        this.process = process;
        this.workDir = workDir;
    }

    /**
     * Starts {@code seedgrid args...} in {@code workDir}.
     *
     * @param properties extra {@code -D} settings, e.g. {@code seedgrid.test.pause-at=after-publish}
     */
    public static SeedgridProcess start(Path workDir, List<String> properties, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(SeedgridBuild.jvmFlags());
        command.add("-Xmx1g");
        properties.forEach(p -> command.add("-D" + p));
        command.add("-cp");
        try {
            command.add(String.join(java.io.File.pathSeparator, StandaloneCluster.testClasspath()));
            Files.createDirectories(workDir);
            Process process = new ProcessBuilder(command)
                    .command(concat(command, "io.seedgrid.jobs.cli.Main", args))
                    .directory(workDir.toFile())
                    .redirectOutput(workDir.resolve("stdout.txt").toFile())
                    .redirectError(workDir.resolve("stderr.txt").toFile())
                    .start();
            return new SeedgridProcess(process, workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> concat(List<String> head, String main, String... args) {
        List<String> all = new ArrayList<>(head);
        all.add(main);
        all.addAll(List.of(args));
        return all;
    }

    public long pid() {
        return process.pid();
    }

    public String stdout() {
        return read("stdout.txt");
    }

    public String stderr() {
        return read("stderr.txt");
    }

    private String read(String name) {
        try {
            Path file = workDir.resolve(name);
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until stderr holds {@code text}; fails when the process ends first or the time runs out. */
    public void awaitStderr(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stderr().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("seedgrid ended (exit " + process.exitValue() + ") before printing '" + text
                        + "'\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within " + timeout + "\nstderr:\n" + stderr());
            }
            Thread.sleep(50);
        }
    }

    /** {@code kill -9}: the JVM dies at once, running no shutdown hook. */
    public int kill9() throws InterruptedException {
        process.destroyForcibly();
        return waitFor(Duration.ofSeconds(30));
    }

    /**
     * Whether processes this JVM starts begin with SIGTERM ({@code TERM}) or SIGINT ({@code INT}) ignored: a shell
     * without job control starts its background commands with SIGINT ignored, children inherit that, and a JVM leaves
     * an ignored shutdown signal ignored (as a program run under {@code nohup} or with {@code &} should).
     */
    public static boolean startsIgnoring(String name) throws IOException {
        int number = switch (name) {
            case "INT" -> 2;
            case "TERM" -> 15;
            default -> throw new IllegalArgumentException("not a signal the tests send: " + name);
        };
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }

    /** Sends SIGTERM ({@code TERM}) or SIGINT ({@code INT}) to this process, by its PID. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** The exit code, waiting at most {@code timeout}. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("seedgrid did not end within " + timeout + "\nstderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** JVM crash files ({@code hs_err_pid*.log}) in the working folder. */
    public List<Path> crashFiles() {
        try (Stream<Path> files = Files.list(workDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hs_err_pid")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
