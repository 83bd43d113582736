package io.seedgrid.jobs;

import io.seedgrid.jobs.generate.Manifest;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files seedgrid writes on a local disk get the permissions the process umask gives any new file (as
 * Spark's Parquet files do), not the 0600 of {@code Files.createTempFile}: the reference is a file
 * created plainly in the same folder.
 */
class LocalFilesTest {

    static Set<PosixFilePermission> umaskPermissions(Path dir) throws IOException {
        Path reference = Files.createFile(dir.resolve("reference-" + System.nanoTime()));
        try {
            return Files.getPosixFilePermissions(reference);
        } finally {
            Files.delete(reference);
        }
    }

    @Test
    void theManifestAndRenderedPngsFollowTheUmask(@TempDir Path dir) throws IOException {
        Set<PosixFilePermission> expected = umaskPermissions(dir);
        assertTrue(expected.contains(PosixFilePermission.OWNER_READ) && expected.contains(PosixFilePermission.OWNER_WRITE));

        Manifest manifest = Manifest.open(dir.resolve("run").toString(), new Configuration());
        manifest.root().put("run", "demo");
        manifest.save();
        assertEquals(expected, Files.getPosixFilePermissions(dir.resolve("run/manifest.json")),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("run/manifest.json"))));

        Path png = dir.resolve("cube.png");
        Cli render = Cli.run("render", "--model", TinyGrid.tinyModel("fp32").toString(), "--prompt", "a red cube", "--seed", "1",
                "--steps", "2", "--width", "64", "--height", "48", "--out", png.toString());
        assertEquals(0, render.code(), render.err());
        assertEquals(expected, Files.getPosixFilePermissions(png));

        Path temporary = LocalFiles.temporaryBeside(dir.resolve("report.html"));
        assertTrue(temporary.getFileName().toString().startsWith(".report.html."), temporary.toString());
        assertEquals(expected, Files.getPosixFilePermissions(temporary));
    }
}
