package io.seedgrid.udf.blend;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.seedgrid.udf.onnx.OnnxSignature;
import io.seedgrid.udf.onnx.OrtRuntime;
import io.seedgrid.udf.onnx.SessionCache;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.onnx.TensorSpec;
import io.seedgrid.udf.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OnnxFiles} against ONNX Runtime: every model file the project has declares, read from its
 * protobuf, the inputs an ONNX Runtime session reports and its outputs (ONNX Runtime may know an output
 * size the file leaves dynamic, from its shape inference); every broken file it refuses, ONNX Runtime
 * refuses too.
 */
class OnnxFilesTest {

    @Test
    void readsTheSignaturesOnnxRuntimeReports() throws IOException {
        List<Path> files = new ArrayList<>(onnxFiles(Golden.resource("tiny-sdxl")));
        files.addAll(onnxFiles(Golden.resource("metrics")));
        files.addAll(onnxFiles(repo().resolve("models")));
        assertTrue(files.size() >= 30, "model files found: " + files);
        for (Path file : files) {
            OnnxSignature read = OnnxFiles.read(file);
            OnnxSignature session = SessionCache.get(file, SessionSettings.cpu()).signature();
            assertEquals(session.inputs(), read.inputs(), file.toString());
            assertEquals(session.outputs().keySet(), read.outputs().keySet(), file.toString());
            for (TensorSpec output : read.outputs().values()) {
                TensorSpec inferred = session.outputs().get(output.name());
                assertEquals(inferred.type(), output.type(), file + ": " + output);
                assertEquals(inferred.rank(), output.rank(), file + ": " + output);
                for (int axis = 0; axis < output.rank(); axis++) {
                    // ONNX Runtime reports an output's shape after its shape inference: it may know a size the
                    // file leaves dynamic, never another one.
                    if (output.dim(axis) != inferred.dim(axis)) {
                        assertEquals(-1, output.dim(axis), file + ": " + output + " against " + inferred);
                    }
                }
            }
            assertFalse(read.inputs().isEmpty(), file.toString());
        }
    }

    @Test
    void refusesWhatOnnxRuntimeRefusesNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] unet = Files.readAllBytes(Golden.resource("tiny-sdxl/fp32/unet/model.onnx"));
        byte[] random = new byte[4096];
        new Random(12).nextBytes(random);
        String[][] cases = {
            {"empty", ""},
            {"half", "not a valid ONNX protobuf file"},
            {"one byte short", "not a valid ONNX protobuf file"},
            {"random", ""},
            {"a PNG", ""},
        };
        byte[][] contents = {new byte[0], Arrays.copyOf(unet, unet.length / 2), Arrays.copyOf(unet, unet.length - 1),
            random, Files.readAllBytes(Golden.resource("metrics/images/a.png"))};
        for (int i = 0; i < cases.length; i++) {
            Path file = Files.createDirectories(dir.resolve("case" + i)).resolve("model.onnx");
            Files.write(file, contents[i]);
            assertRefused(file, file.toString(), cases[i][1], cases[i][0]);
        }

        Path external = dir.resolve("external");
        copy(Golden.resource("tiny-sdxl/external-data/unet"), external);
        Path data = external.resolve("model.onnx_data");
        byte[] weights = Files.readAllBytes(data);
        Files.write(data, Arrays.copyOf(weights, weights.length - 100));
        assertRefused(external.resolve("model.onnx"), data.toString(), "which holds " + (weights.length - 100),
                "short external data");
        Files.delete(data);
        assertRefused(external.resolve("model.onnx"), data.toString(), "is missing", "missing external data");

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> OnnxFiles.read(dir.resolve("nowhere/model.onnx")));
        assertEquals("no such file: " + dir.resolve("nowhere/model.onnx"), missing.getMessage());
    }

    /** OnnxFiles refuses {@code file} with a message naming {@code named} and saying {@code says}; so does ONNX Runtime. */
    private static void assertRefused(Path file, String named, String says, String what) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxFiles.read(file), what);
        assertTrue(e.getMessage().contains(named) && e.getMessage().contains(says), what + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), what + ": " + e.getMessage());
        assertThrows(OrtException.class, () -> {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession session = OrtRuntime.environment().createSession(file.toString(), options)) {
                session.getInputNames();
            }
        }, what + ": ONNX Runtime loads it");
    }

    private static List<Path> onnxFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (!p.getFileName().toString().startsWith(".")) {
                    Files.copy(p, to.resolve(p.getFileName().toString()));
                }
            }
        }
    }

    private static Path repo() {
        String repo = System.getProperty("seedgrid.repo");
        return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
    }
}
