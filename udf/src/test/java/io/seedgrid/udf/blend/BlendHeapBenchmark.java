package io.seedgrid.udf.blend;

import io.seedgrid.udf.tensor.Half;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Not a test: measures a blend of two synthetic external-data models of {@code sizeMiB} each
 * (16 initializers chained by Add) and reports time and peak heap. Run with a small heap:
 *
 * <pre>
 * java -Xmx256m -cp udf/target/classes:udf/target/test-classes:$(deps) \
 *     io.seedgrid.udf.blend.BlendHeapBenchmark /tmp/blend-bench float 1024 [ort]
 * </pre>
 * Arguments: work folder, {@code float} or {@code float16}, size of each model in MiB, and
 * {@code ort} to load and run the blend in ONNX Runtime afterwards.
 */
public final class BlendHeapBenchmark {

    private static final int TENSORS = 16;

    private BlendHeapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        boolean half = args[1].equals("float16");
        long sizeMiB = Long.parseLong(args[2]);
        int elementBytes = half ? 2 : 4;
        long elements = (sizeMiB << 20) / TENSORS / elementBytes;

        AtomicDirectory.deleteRecursively(work);
        long t0 = System.nanoTime();
        Path a = write(work.resolve("a"), half, elements, 1.0f);
        Path b = write(work.resolve("b"), half, elements, -0.5f);
        System.out.printf("wrote two models of %d MiB (%d x %d %s) in %.1f s%n", sizeMiB, TENSORS, elements,
                half ? "FLOAT16" : "FLOAT", (System.nanoTime() - t0) / 1e9);
        resetPeaks();

        long t1 = System.nanoTime();
        long cpu1 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        Path out = OnnxBlend.blend(a, b, 0.3, work.resolve("blend"));
        double seconds = (System.nanoTime() - t1) / 1e9;
        double cpu = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu1) / 1e9;
        System.out.printf("blend alpha=0.3: %.1f s (%.1f s CPU of this thread), %.0f MiB/s of output;"
                        + " peak heap used %.1f MiB of max %d MiB%n",
                seconds, cpu, sizeMiB / seconds, peakHeapMiB(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("output: model.onnx %d bytes, model.onnx_data %d bytes%n", Files.size(out),
                Files.size(out.resolveSibling(OnnxBlend.DATA_FILE)));

        if (args.length > 3 && args[3].equals("ort")) {
            runInOrt(out, half, elements);
        }
    }

    /** A model y = x + w0 + w1 + ... with each w_k = scale * (k + 1) * sin(i) in external data. */
    private static Path write(Path dir, boolean half, long elements, float scale) throws Exception {
        Files.createDirectories(dir);
        int dataType = half ? TinyOnnx.FLOAT16 : TinyOnnx.FLOAT;
        int elementBytes = half ? 2 : 4;
        List<ProtoWriter> nodes = new ArrayList<>();
        List<ProtoWriter> initializers = new ArrayList<>();
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel data = FileChannel.open(dir.resolve("model.onnx_data"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (int k = 0; k < TENSORS; k++) {
                long offset = data.position();
                for (long i = 0; i < elements; ) {
                    chunk.clear();
                    while (chunk.hasRemaining() && i < elements) {
                        float v = (float) (scale * (k + 1) * Math.sin(i * 1e-3));
                        if (half) {
                            chunk.putShort(Half.fromDouble(v));
                        } else {
                            chunk.putFloat(v);
                        }
                        i++;
                    }
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        data.write(chunk);
                    }
                }
                initializers.add(TinyOnnx.externalTensor("w" + k, dataType, new long[] {elements}, "model.onnx_data",
                        offset, elements * elementBytes));
                nodes.add(TinyOnnx.node("Add", "add" + k, List.of(k == 0 ? "x" : "s" + (k - 1), "w" + k),
                        List.of(k == TENSORS - 1 ? "y" : "s" + k)));
            }
        }
        ProtoWriter graph = TinyOnnx.graph("bench", nodes, initializers,
                List.of(TinyOnnx.valueInfo("x", dataType, elements)), List.of(TinyOnnx.valueInfo("y", dataType, elements)));
        return TinyOnnx.write(TinyOnnx.model(graph), dir.resolve("model.onnx"));
    }

    private static void runInOrt(Path model, boolean half, long elements) throws Exception {
        long t = System.nanoTime();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model.toString(), options)) {
            System.out.printf("ONNX Runtime loaded the blend in %.1f s%n", (System.nanoTime() - t) / 1e9);
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) (elements * (half ? 2 : 4))).order(ByteOrder.nativeOrder());
            try (OnnxTensor x = half
                    ? OnnxTensor.createTensor(env, zeros, new long[] {elements}, ai.onnxruntime.OnnxJavaType.FLOAT16)
                    : OnnxTensor.createTensor(env, zeros.asFloatBuffer(), new long[] {elements});
                 OrtSession.Result r = session.run(Map.of("x", x))) {
                // y = sum_k w_k, and each blended w_k = (0.7 * 1 + 0.3 * -0.5) (k + 1) sin(i 1e-3)
                //   = 0.55 (k + 1) sin(i 1e-3), so y = 0.55 * 136 * sin(i 1e-3).
                OnnxTensor y = (OnnxTensor) r.get(0);
                long i = 1571; // sin(1.571) ~ 1
                double got = half ? Half.toFloat(((ShortBuffer) y.getShortBuffer()).get((int) i))
                        : y.getFloatBuffer().get((int) i);
                System.out.printf("y[%d] = %.4f, expected about %.4f%n", i, got, 0.55 * 136 * Math.sin(i * 1e-3));
            }
        }
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** The sum of the peak usage of every heap pool since the last reset (an upper bound of the peak). */
    private static double peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / 1048576.0;
    }
}
