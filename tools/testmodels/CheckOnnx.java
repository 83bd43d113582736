import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every sub-model of the tiny SDXL test models in ONNX Runtime (Java, CPU) on the inputs that
 * make_tiny_sdxl.py --check-fixtures DIR wrote, and prints the largest absolute difference to the
 * torch outputs per case and output. Exit status 1 when a difference exceeds the tolerance
 * (1e-4 for float32 models, 2e-2 relative to the output's range for float16 models).
 *
 * <pre>
 * /usr/bin/python3 tools/testmodels/make_tiny_sdxl.py --check-fixtures /tmp/tiny-sdxl-check
 * java -cp ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/1.28.0/onnxruntime_gpu-1.28.0.jar \
 *     tools/testmodels/CheckOnnx.java /tmp/tiny-sdxl-check [--info] [--cuda]
 * </pre>
 */
public class CheckOnnx {
    record Tensor(String name, String dtype, long[] shape, ByteBuffer data) {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean info = List.of(args).contains("--info");
        boolean cuda = List.of(args).contains("--cuda");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OrtSession> sessions = new HashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve("manifest.txt"));
        String label = null, modelPath = null;
        Map<String, Tensor> inputs = new LinkedHashMap<>(), expected = new LinkedHashMap<>();
        boolean failed = false;
        for (String line : lines) {
            if (line.isBlank()) continue;
            String[] f = line.split(" ");
            switch (f[0]) {
                case "model" -> { label = f[1]; modelPath = f[2]; inputs.clear(); expected.clear(); }
                case "in" -> inputs.put(f[1], read(dir, f));
                case "out" -> expected.put(f[1], read(dir, f));
                case "run" -> {
                    OrtSession s = sessions.get(modelPath);
                    if (s == null) {
                        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                        if (cuda) o.addCUDA(0);
                        s = env.createSession(modelPath, o);
                        sessions.put(modelPath, s);
                        if (info) printInfo(modelPath, s);
                    }
                    failed |= runCase(env, s, label, inputs, expected);
                }
                default -> throw new IllegalArgumentException("bad manifest line: " + line);
            }
        }
        System.out.println(failed ? "FAILED" : "ALL OK");
        System.exit(failed ? 1 : 0);
    }

    static boolean runCase(OrtEnvironment env, OrtSession s, String label, Map<String, Tensor> inputs,
                           Map<String, Tensor> expected) throws Exception {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        for (Tensor t : inputs.values()) feed.put(t.name(), toOnnx(env, t));
        boolean failed = false;
        try (OrtSession.Result r = s.run(feed)) {
            for (Tensor e : expected.values()) {
                OnnxTensor got = (OnnxTensor) r.get(e.name()).orElseThrow();
                float[] g = floats(got);
                float[] w = floats(e);
                double maxAbs = 0, range = 0;
                for (int i = 0; i < w.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(g[i] - w[i]));
                    range = Math.max(range, Math.abs(w[i]));
                }
                boolean fp16 = e.dtype().equals("float16");
                double tol = fp16 ? 2e-2 * Math.max(1, range) : 1e-4;
                boolean ok = g.length == w.length && maxAbs <= tol && java.util.Arrays.equals(got.getInfo().getShape(), e.shape());
                failed |= !ok;
                System.out.printf("%-6s %-34s %-18s %-8s shape %-16s max|ORT-torch| %.3e  (max|torch| %.3f)%n",
                        ok ? "ok" : "FAIL", label, e.name(), got.getInfo().type,
                        java.util.Arrays.toString(got.getInfo().getShape()), maxAbs, range);
            }
        } finally {
            for (OnnxTensor t : feed.values()) t.close();
        }
        return failed;
    }

    static Tensor read(Path dir, String[] f) throws IOException {
        long[] shape = f[3].equals("scalar") ? new long[0]
                : java.util.Arrays.stream(f[3].split(",")).mapToLong(Long::parseLong).toArray();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(f[4]))).order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(f[1], f[2], shape, b);
    }

    static OnnxTensor toOnnx(OrtEnvironment env, Tensor t) throws Exception {
        ByteBuffer direct = ByteBuffer.allocateDirect(t.data().capacity()).order(ByteOrder.nativeOrder());
        direct.put(t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN)).flip();
        return switch (t.dtype()) {
            case "float32" -> OnnxTensor.createTensor(env, direct.asFloatBuffer(), t.shape());
            case "float16" -> OnnxTensor.createTensor(env, direct, t.shape(), OnnxJavaType.FLOAT16);
            case "int32" -> OnnxTensor.createTensor(env, direct.asIntBuffer(), t.shape());
            case "int64" -> OnnxTensor.createTensor(env, direct.asLongBuffer(), t.shape());
            default -> throw new IllegalArgumentException(t.dtype());
        };
    }

    static float[] floats(OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();   // FLOAT16 outputs are widened to float by ORT
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    static float[] floats(Tensor t) {
        ByteBuffer b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype().equals("float32")) {
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[b.remaining() / 2];
        for (int i = 0; i < out.length; i++) out[i] = Fp16Conversions.fp16ToFloat(b.getShort(2 * i));
        return out;
    }

    static void printInfo(String path, OrtSession s) throws Exception {
        System.out.println("== " + path);
        for (NodeInfo n : s.getInputInfo().values()) System.out.println("   in  " + describe(n));
        List<String> outs = new ArrayList<>();
        for (NodeInfo n : s.getOutputInfo().values()) outs.add(describe(n));
        for (String o : outs) System.out.println("   out " + o);
    }

    static String describe(NodeInfo n) {
        TensorInfo t = (TensorInfo) n.getInfo();
        return n.getName() + " " + t.onnxType + " " + java.util.Arrays.toString(t.getShape())
                + " " + java.util.Arrays.toString(t.getDimensionNames());
    }
}
