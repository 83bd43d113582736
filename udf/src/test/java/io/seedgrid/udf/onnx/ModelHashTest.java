package io.seedgrid.udf.onnx;

import io.seedgrid.udf.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ModelHash}: SHA-256 over a sub-model's files, cached beside them or, where that fails, in the user's cache. */
class ModelHashTest {

    @Test
    void theHashIsCachedBesideTheModelOrElseInTheUsersCacheFolder(@TempDir Path dir) throws Exception {
        Path unet = Files.createDirectories(dir.resolve("unet"));
        Files.copy(Golden.resource("tiny-sdxl/fp32/unet/model.onnx"), unet.resolve("model.onnx"));
        Files.copy(Golden.resource("tiny-sdxl/fp32/unet/config.json"), unet.resolve("config.json"));
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(unet.resolve("model.onnx"))));

        assertEquals(expected, ModelHash.sha256(unet.resolve("model.onnx")));
        Path beside = unet.resolve(ModelHash.CACHE_FILE);
        assertTrue(Files.isRegularFile(beside));
        Path reference = Files.createFile(dir.resolve("reference"));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(reference)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(beside)), "the cache follows the umask");

        // A model folder where the cache cannot be written (a folder in its place stands for a read-only store,
        // which this test cannot make when it runs as root): the hash goes to the user's cache folder.
        Files.delete(beside);
        Files.createDirectories(beside.resolve("blocked"));
        Path user = ModelHash.userCache(unet.toAbsolutePath());
        Files.deleteIfExists(user);
        try {
            assertEquals(expected, ModelHash.sha256(unet.resolve("model.onnx")));
            assertTrue(Files.isRegularFile(user), user.toString());
            assertTrue(Files.readString(user).contains(expected));
            try (Stream<Path> left = Files.list(unet)) {
                assertEquals(Set.of("config.json", "model.onnx", ModelHash.CACHE_FILE),
                        left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "no temporary file is left");
            }
            assertEquals(expected, ModelHash.sha256(unet.resolve("model.onnx")), "read back from the user's cache");
        } finally {
            Files.deleteIfExists(user);
        }
    }
}
