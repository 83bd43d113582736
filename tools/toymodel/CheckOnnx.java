import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every exported toy-model ONNX file in ONNX Runtime Java (CPU) on the inputs written by
 * tools/toymodel/export.py and compares with the PyTorch outputs it wrote next to them.
 * Prints each model's declared inputs and, per output, the max abs difference; exits 1 if any
 * difference exceeds the tolerance (1e-3, relative to max(1, max|expected|)).
 *
 * Run from the repository root (single-file program, ONNX Runtime jar only):
 *   java -cp ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/1.28.0/onnxruntime_gpu-1.28.0.jar \
 *     tools/toymodel/CheckOnnx.java [models-dir] [check-dir]
 * Defaults: models and tools/toymodel/out/onnx_check (manifest.txt + .bin arrays, little-endian).
 */
public class CheckOnnx {
    private static final double TOLERANCE = 1e-3;

    private record Array(String name, String dtype, long[] shape, Path file) { }

    private record Entry(String model, List<Array> inputs, List<Array> outputs) { }

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args.length > 0 ? args[0] : "models");
        Path check = Path.of(args.length > 1 ? args[1] : "tools/toymodel/out/onnx_check");
        List<Entry> entries = readManifest(check);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        boolean ok = true;
        for (Entry e : entries) {
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                 OrtSession session = env.createSession(models.resolve(e.model()).toString(), so)) {
                System.out.println(e.model());
                for (Map.Entry<String, NodeInfo> in : session.getInputInfo().entrySet()) {
                    TensorInfo ti = (TensorInfo) in.getValue().getInfo();
                    System.out.printf("  input  %-22s %-6s %s%n", in.getKey(), ti.type, Arrays.toString(ti.getShape()));
                }
                Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
                for (Array a : e.inputs()) {
                    feeds.put(a.name(), tensor(env, a));
                }
                try (OrtSession.Result result = session.run(feeds)) {
                    for (Array a : e.outputs()) {
                        OnnxTensor out = (OnnxTensor) result.get(a.name()).orElseThrow(
                                () -> new IllegalStateException("missing output " + a.name() + " in " + e.model()));
                        long[] shape = ((TensorInfo) out.getInfo()).getShape();
                        if (!Arrays.equals(shape, a.shape())) {
                            throw new IllegalStateException(a.name() + ": shape " + Arrays.toString(shape)
                                    + " != expected " + Arrays.toString(a.shape()));
                        }
                        float[] got = new float[(int) out.getInfo().getNumElements()];
                        out.getFloatBuffer().get(got);
                        float[] want = floats(a.file());
                        double maxDiff = 0, maxAbs = 0;
                        for (int i = 0; i < got.length; i++) {
                            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
                            maxAbs = Math.max(maxAbs, Math.abs(want[i]));
                        }
                        boolean pass = maxDiff <= TOLERANCE * Math.max(1.0, maxAbs);
                        ok &= pass;
                        System.out.printf("  output %-22s %-18s max|diff| %.3e  (max|torch| %.3f) %s%n", a.name(),
                                Arrays.toString(shape), maxDiff, maxAbs, pass ? "ok" : "FAIL");
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
        System.out.println(ok ? "ALL OK" : "SOME OUTPUTS DIFFER");
        System.exit(ok ? 0 : 1);
    }

    private static List<Entry> readManifest(Path check) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(check.resolve("manifest.txt"))) {
            String[] p = line.trim().split(" ");
            if (p[0].equals("model")) {
                entries.add(new Entry(p[1], new ArrayList<>(), new ArrayList<>()));
            } else if (p[0].equals("input") || p[0].equals("output")) {
                long[] shape = Arrays.stream(p[3].split(",")).mapToLong(Long::parseLong).toArray();
                Array a = new Array(p[1], p[2], shape, check.resolve(p[4]));
                Entry last = entries.get(entries.size() - 1);
                (p[0].equals("input") ? last.inputs() : last.outputs()).add(a);
            } else if (!p[0].isEmpty()) {
                throw new IllegalArgumentException("unknown manifest line: " + line);
            }
        }
        return entries;
    }

    private static ByteBuffer bytes(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] floats(Path file) throws IOException {
        FloatBuffer fb = bytes(file).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private static OnnxTensor tensor(OrtEnvironment env, Array a) throws Exception {
        ByteBuffer b = bytes(a.file());
        switch (a.dtype()) {
            case "float32": return OnnxTensor.createTensor(env, b.asFloatBuffer(), a.shape());
            case "int32": return OnnxTensor.createTensor(env, b.asIntBuffer(), a.shape());
            case "int64": return OnnxTensor.createTensor(env, b.asLongBuffer(), a.shape());
            default: throw new IllegalArgumentException("unsupported dtype " + a.dtype() + " for " + a.name());
        }
    }
}
