package io.seedgrid.udf.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceLibrariesTest {

    private static final List<String> LIBS = List.of("liba.so.1", "libb.so.12", "libc.so.9", "libd.so.2");

    @Test
    void findsLibrariesOnThePathInTheCacheAndInDefaultDirectories(@TempDir Path tmp) throws Exception {
        Path onPath = Files.createDirectories(tmp.resolve("cuda/lib64"));
        Files.writeString(onPath.resolve("liba.so.1"), "");
        Path defaults = Files.createDirectories(tmp.resolve("usr/lib"));
        Files.writeString(defaults.resolve("libd.so.2"), "");
        // ld.so.cache stores NUL-terminated sonames and paths among binary fields.
        Path cache = tmp.resolve("ld.so.cache");
        Files.write(cache, "glibc-ld.so.cache1.1\0\u0001\u0002libb.so.12\0/opt/x/libb.so.12\0libc.so.90\0"
                .getBytes(StandardCharsets.ISO_8859_1));

        List<String> missing = DeviceLibraries.missing(LIBS, "/nonexistent:" + onPath, cache, List.of(defaults.toString()));

        assertEquals(List.of("libc.so.9"), missing, "libc.so.90 in the cache is not libc.so.9");
    }

    @Test
    void everythingIsMissingWithoutPathOrCache(@TempDir Path tmp) {
        assertEquals(LIBS, DeviceLibraries.missing(LIBS, "", tmp.resolve("absent"), List.of()));
    }
}
