package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blends two exports of the same ONNX network by initializer name: W = W_a + α·(W_b − W_a) for
 * every float tensor (FLOAT, FLOAT16, BFLOAT16, DOUBLE, initializers and Constant-like attribute
 * tensors), the {@code blend α} recipe ("the distillate in small doses"; with a LoRA fused at
 * strength 1 in model B this equals LoRA strength α). Integer, bool and string tensors must be
 * equal in both models.
 *
 * <p>Inputs are {@code model.onnx} files (or the directories holding them, such as an Optimum
 * export's {@code unet/}) with weights inline or in external data next to them.
 * The output is always {@code model.onnx} (the graph, and tensors under 1 KiB, which ONNX shape
 * inference must be able to read) plus {@code model.onnx_data} (every other initializer, 64-byte
 * aligned), which ONNX Runtime loads like any external-data model. Inputs are
 * memory-mapped and streamed in 1 MiB chunks, so a 10 GB UNet blends within a small heap. The
 * output directory appears atomically (written under a temporary name, then renamed), so a crash
 * never leaves a half-written blend behind.
 */
public final class OnnxBlend {

    /** The graph file of a blended model. */
    public static final String MODEL_FILE = "model.onnx";
    /** The external data file of a blended model. */
    public static final String DATA_FILE = "model.onnx_data";

    private static final Logger LOG = LoggerFactory.getLogger(OnnxBlend.class);

    private OnnxBlend() {
    }

    /**
     * Blends {@code modelA} and {@code modelB} with weight α into the new directory {@code outDir}.
     *
     * @param alpha any finite number: 0 reproduces A bit for bit, 1 reproduces B; values outside
     *              [0, 1] extrapolate (allowed; callers should warn)
     * @return {@code outDir/model.onnx}
     * @throws IllegalArgumentException when α is not finite, or the models are not the same
     *                                  network (the message names the first difference)
     * @throws FileAlreadyExistsException when {@code outDir} already exists
     */
    public static Path blend(Path modelA, Path modelB, double alpha, Path outDir) throws IOException {
        return blend(modelA, modelB, alpha, outDir, BlendProgress.NONE);
    }

    /** As {@link #blend(Path, Path, double, Path)}, reporting each tensor written to {@code progress}. */
    public static Path blend(Path modelA, Path modelB, double alpha, Path outDir, BlendProgress progress)
            throws IOException {
        requireFiniteAlpha(alpha);
        if (Files.exists(outDir)) {
            throw new FileAlreadyExistsException(outDir.toString(), null, "the blend output directory already exists");
        }
        Path temporary = AtomicDirectory.createTemporary(outDir);
        try {
            writeInto(modelA, modelB, alpha, temporary, progress);
            AtomicDirectory.publish(temporary, outDir);
        } finally {
            AtomicDirectory.deleteRecursively(temporary);
        }
        return outDir.resolve(MODEL_FILE);
    }

    /**
     * Checks, without writing anything, that two models can be blended.
     * @throws IllegalArgumentException naming the first difference when they cannot
     */
    public static void check(Path modelA, Path modelB) throws IOException {
        try (OnnxModelFile a = OnnxModelFile.open(modelA); OnnxModelFile b = OnnxModelFile.open(modelB)) {
            TopologyCheck.run(a, b);
        }
    }

    static void requireFiniteAlpha(double alpha) {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("blend weight alpha must be a finite number, got " + alpha);
        }
    }

    /** Writes the blend into the existing, empty directory {@code directory} (not atomically). */
    static void writeInto(Path modelA, Path modelB, double alpha, Path directory, BlendProgress progress)
            throws IOException {
        long started = System.nanoTime();
        try (OnnxModelFile a = OnnxModelFile.open(modelA); OnnxModelFile b = OnnxModelFile.open(modelB)) {
            TopologyCheck check = TopologyCheck.run(a, b);
            byte[] model;
            try (ExternalDataWriter data = new ExternalDataWriter(directory.resolve(DATA_FILE))) {
                model = new BlendWriter(a, b, alpha, data, DATA_FILE, progress, check.tensorBytes()).write();
                data.force();
            }
            try (FileChannel out = FileChannel.open(directory.resolve(MODEL_FILE), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(model);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            LOG.info("Blended {} tensors ({} MiB) of {} and {} at alpha={} in {} ms", check.tensors(),
                    check.tensorBytes() >> 20, a.file(), b.file(), alpha, (System.nanoTime() - started) / 1_000_000);
        }
    }
}
