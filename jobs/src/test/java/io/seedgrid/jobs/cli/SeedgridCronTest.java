package io.seedgrid.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.seedgrid.jobs.testing.SeedgridBuild;
import io.seedgrid.jobs.testing.StandaloneCluster;
import io.seedgrid.jobs.testing.TestSpark;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/seedgrid-cron as a scheduler runs it, with real invocations of seedgrid in their own JVMs: a second
 * invocation while the first runs exits 0 with one line; the first, killed with SIGKILL after it committed
 * part of its cells, is resumed by the next invocation, which renders only what is missing.
 */
class SeedgridCronTest {

    private static final Path CRON = SeedgridBuild.repoRoot().resolve("bin/seedgrid-cron");

    @Test
    void aSecondInvocationExitsCleanlyAndAKilledOneIsResumedByTheNext(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        Path launcher = launcher(dir);
        Path images = dir.resolve("out/scheduled/images");

        Process first = cron(dir, config, launcher, dir.resolve("first.log"));
        try {
            Path lock = awaitLock(dir, first);
            Process second = cron(dir, config, launcher, dir.resolve("second.log"));
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second invocation returned at once");
            String refused = Files.readString(dir.resolve("second.log"));
            assertEquals(0, second.exitValue(), refused);
            assertTrue(refused.contains(config + " is still running (pid " + first.pid() + " since "), refused);
            assertTrue(refused.strip().endsWith("this invocation does nothing"), refused);
            assertEquals(1, refused.strip().lines().count(), "one line: " + refused);
            assertTrue(Files.readString(lock).startsWith("pid " + first.pid()), "the lock names the run's own process");

            awaitCommittedRows(images, first, dir.resolve("first.log"));
        } finally {
            // SIGKILL, as a reboot or the OOM killer would: the run's JVM (the wrapper exec'd it) and anything it started.
            first.descendants().forEach(ProcessHandle::destroyForcibly);
            first.destroyForcibly();
            first.waitFor(30, TimeUnit.SECONDS);
        }
        List<String> killedAttempt = attempts(images);
        assertEquals(1, killedAttempt.size(), "the killed invocation committed rows of one attempt: " + killedAttempt);
        long kept = rows(images).count();
        assertTrue(kept > 0 && kept < 12, "the kill came in the middle of the run: " + kept + " of 12 cells committed");

        Process third = cron(dir, config, launcher, dir.resolve("third.log"));
        if (!third.waitFor(300, TimeUnit.SECONDS)) {
            StandaloneCluster.stop(third);
            fail("the resuming invocation did not finish in 300 s:\n" + Files.readString(dir.resolve("third.log")));
        }
        String resumed = Files.readString(dir.resolve("third.log"));
        assertEquals(0, third.exitValue(), resumed);
        assertTrue(resumed.startsWith("seedgrid-cron: "), resumed);

        Dataset<Row> all = rows(images);
        assertEquals(12, all.count(), "2 prompts x 3 seeds x 2 recipes, every cell exactly once");
        assertEquals(12, all.select("cell_id").distinct().count());
        assertEquals(kept, all.filter(all.col("attempt").equalTo(killedAttempt.get(0))).count(),
                "the killed invocation's rows were kept, not rendered again");
        assertEquals(2, attempts(images).size(), "the resuming invocation rendered the rest");
        assertTrue(Files.isRegularFile(dir.resolve("out/scheduled/report.html")), resumed);
    }

    @Test
    void aMissingConfigIsBadInput(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder(CRON.toString(), dir.resolve("nope.yaml").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertEquals("seedgrid-cron: no config file at " + dir.resolve("nope.yaml"), out.strip());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    /** The demo's models: a 20-step CFG teacher (slow enough to be killed mid-run) and the 4-step student. */
    private static Path config(Path dir) throws IOException {
        Path models = SeedgridBuild.repoRoot().resolve("models");
        String yaml = """
                run: scheduled
                output: %s
                models:
                  base: {path: %s, device: cpu}
                  dmd2: {path: %s, device: cpu}
                prompts: [a red circle, a blue square]
                seeds: {start: 0, count: 3}
                width: 64
                height: 64
                recipes:
                  - {name: base, kind: base, model: base, sampler: euler, steps: 20, cfg: 5}
                  - {name: dmd2, kind: dmd2, model: dmd2}
                chunk_size: 4
                spark:
                  master: local[2]
                """.formatted(dir.resolve("out"), models.resolve("base"), models.resolve("dmd2"));
        return Files.writeString(dir.resolve("scheduled.yaml"), yaml);
    }

    /** seedgrid's command line in its own JVM, from this build's classes (what bin/seedgrid runs from the jar). */
    private static Path launcher(Path dir) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String script = "#!/bin/sh\nexec '" + java + "' " + String.join(" ", SeedgridBuild.jvmFlags()) + " -Xmx1g -cp '"
                + String.join(File.pathSeparator, StandaloneCluster.testClasspath()) + "' io.seedgrid.jobs.cli.Main \"$@\"\n";
        Path launcher = Files.writeString(dir.resolve("launcher.sh"), script);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return launcher;
    }

    private static Process cron(Path dir, Path config, Path launcher, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(CRON.toString(), config.toString(), launcher.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SEEDGRID_LOCK_DIR", dir.resolve("locks").toString());
        return pb.start();
    }

    /** The lock file once the first invocation holds it. */
    private static Path awaitLock(Path dir, Process first) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && first.isAlive()) {
            try (Stream<Path> locks = Files.exists(dir.resolve("locks")) ? Files.list(dir.resolve("locks")) : Stream.empty()) {
                for (Path lock : locks.toList()) {
                    if (Files.readString(lock).startsWith("pid ")) {
                        return lock;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the first invocation never took its lock:\n" + Files.readString(dir.resolve("first.log")));
    }

    /** Returns as soon as the run has committed Parquet rows to images/ (outside Spark's _temporary). */
    private static void awaitCommittedRows(Path images, Process run, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            if (!run.isAlive()) {
                throw new AssertionError("the run ended before it could be killed:\n" + Files.readString(log));
            }
            if (Files.isDirectory(images)) {
                try (Stream<Path> files = Files.walk(images)) {
                    if (files.anyMatch(p -> p.getFileName().toString().endsWith(".parquet")
                            && !images.relativize(p).toString().contains("_temporary"))) {
                        return;
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no rows committed in 240 s:\n" + Files.readString(log));
    }

    private static Dataset<Row> rows(Path images) {
        return TestSpark.session().read().parquet(images.toString());
    }

    private static List<String> attempts(Path images) {
        List<String> out = new ArrayList<>();
        rows(images).select("attempt").distinct().collectAsList().forEach(r -> out.add(r.getString(0)));
        return out;
    }
}
