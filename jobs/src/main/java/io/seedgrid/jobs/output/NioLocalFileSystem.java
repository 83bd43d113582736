package io.seedgrid.jobs.output;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The local file system as seedgrid's jobs use it: Hadoop's raw local file system (no {@code .crc} side files)
 * that sets permissions through java.nio. Without Hadoop's native library, which Spark's distribution does not
 * ship, the raw file system sets the permissions of every file and folder it creates by starting a {@code chmod}
 * process: 4 ms each on an idle machine and tens of ms on a loaded one, paid by every part a task writes.
 */
public final class NioLocalFileSystem extends RawLocalFileSystem {

    /** rwx for owner, group and others, from the highest bit down: the order of {@link FsPermission#toShort()}. */
    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE};

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        short mode = permission.toShort();
        for (int i = 0; i < BITS.length; i++) {
            if ((mode & (1 << (BITS.length - 1 - i))) != 0) {
                set.add(BITS[i]);
            }
        }
        Files.setPosixFilePermissions(pathToFile(p).toPath(), set);
    }
}
