package io.seedgrid.udf.blend;

import static io.seedgrid.udf.blend.TinyOnnx.FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models built here with the blend's own writer: fields unknown to the blend (as a newer ONNX
 * would add) at every level, a Constant larger than {@link BlendWriter#ATTRIBUTE_INLINE_LIMIT},
 * and an external data file whose tensor starts at an unaligned offset.
 */
class SyntheticModelTest {

    private static final int N = 300_000; // 1.2 MB per tensor: the Constant goes to external data
    private static final int MODEL_UNKNOWN = 1001;
    private static final int GRAPH_UNKNOWN = 1002;
    private static final int NODE_UNKNOWN = 1003;
    private static final int TENSOR_UNKNOWN = 1004;
    private static final int ATTRIBUTE_UNKNOWN = 1005;

    @TempDir
    Path tmp;

    /** y = (x + w) * c, w an initializer and c a Constant, with unknown fields everywhere. */
    private static Path build(Path dir, float[] w, float[] c, boolean externalW, long nodeTag) throws Exception {
        long[] dims = {N};
        ProtoWriter weight;
        if (externalW) {
            ByteBuffer raw = TinyOnnx.floats(w);
            byte[] file = new byte[3 + raw.remaining()]; // 3 bytes of something else first: offset 3
            raw.get(file, 3, raw.remaining());
            Files.createDirectories(dir);
            Files.write(dir.resolve("weights.bin"), file);
            weight = TinyOnnx.externalTensor("w", FLOAT, dims, "weights.bin", 3, 4L * N);
        } else {
            weight = TinyOnnx.rawTensor("w", FLOAT, dims, TinyOnnx.floats(w));
        }
        weight.string(TENSOR_UNKNOWN, "tensor extension");
        ProtoWriter constant = TinyOnnx.rawTensor("c", FLOAT, dims, TinyOnnx.floats(c))
                .string(TENSOR_UNKNOWN, "constant extension");
        ProtoWriter value = TinyOnnx.tensorAttribute("value", constant).varint(ATTRIBUTE_UNKNOWN, 7);
        ProtoWriter graph = TinyOnnx.graph("synthetic",
                List.of(TinyOnnx.node("Add", "add", List.of("x", "w"), List.of("s")).varint(NODE_UNKNOWN, nodeTag),
                        TinyOnnx.node("Constant", "const", List.of(), List.of("c"), value),
                        TinyOnnx.node("Mul", "mul", List.of("s", "c"), List.of("y"))),
                List.of(weight), List.of(TinyOnnx.valueInfo("x", FLOAT, N)), List.of(TinyOnnx.valueInfo("y", FLOAT, N)))
                .string(GRAPH_UNKNOWN, "graph extension");
        return TinyOnnx.write(TinyOnnx.model(graph).varint(MODEL_UNKNOWN, 42), dir.resolve("model.onnx"));
    }

    private static float[] ramp(double scale, double phase) {
        float[] v = new float[N];
        for (int i = 0; i < N; i++) {
            v[i] = (float) (scale * Math.sin(i * 0.001 + phase));
        }
        return v;
    }

    @Test
    void keepsUnknownFieldsAndPutsALargeConstantInExternalData() throws Exception {
        float[] wa = ramp(1.0, 0.0);
        float[] wb = ramp(0.5, 1.0);
        float[] ca = ramp(2.0, 2.0);
        float[] cb = ramp(1.5, 3.0);
        Path a = build(tmp.resolve("a"), wa, ca, false, 9);
        Path b = build(tmp.resolve("b"), wb, cb, true, 9);
        double alpha = 0.25;

        Path out = OnnxBlend.blend(a, b, alpha, tmp.resolve("blend"));

        try (OnnxModelFile source = OnnxModelFile.open(a); OnnxModelFile blended = OnnxModelFile.open(out)) {
            assertSameField(source.model(), blended.model(), MODEL_UNKNOWN);
            ProtoMessage graphA = source.graph();
            ProtoMessage graphOut = blended.graph();
            assertSameField(graphA, graphOut, GRAPH_UNKNOWN);
            ProtoMessage addA = graphA.message(graphA.all(OnnxProto.Graph.NODE).get(0));
            ProtoMessage addOut = graphOut.message(graphOut.all(OnnxProto.Graph.NODE).get(0));
            assertSameField(addA, addOut, NODE_UNKNOWN);
            ProtoMessage valueA = attribute(graphA);
            ProtoMessage valueOut = attribute(graphOut);
            assertSameField(valueA, valueOut, ATTRIBUTE_UNKNOWN);
            ProtoMessage constantOut = valueOut.message(valueOut.last(OnnxProto.Attribute.T));
            assertSameField(valueA.message(valueA.last(OnnxProto.Attribute.T)), constantOut, TENSOR_UNKNOWN);
            assertTrue(blended.tensor(constantOut).storage() instanceof TensorStorage.External,
                    "a 1.2 MB Constant goes to model.onnx_data");
            ProtoMessage weightA = graphA.message(graphA.last(OnnxProto.Graph.INITIALIZER));
            ProtoMessage weightOut = graphOut.message(graphOut.last(OnnxProto.Graph.INITIALIZER));
            assertSameField(weightA, weightOut, TENSOR_UNKNOWN);
        }

        float[] x = ramp(3.0, 0.5);
        float[] expected = new float[N];
        for (int i = 0; i < N; i++) {
            float w = (float) (wa[i] + alpha * ((double) wb[i] - wa[i]));
            float c = (float) (ca[i] + alpha * ((double) cb[i] - ca[i]));
            expected[i] = (x[i] + w) * c;
        }
        assertArrayEquals(expected, run(out, x));
    }

    @Test
    void refusesADifferenceInAFieldItDoesNotKnow() throws Exception {
        float[] w = ramp(1.0, 0.0);
        Path a = build(tmp.resolve("a"), w, w, false, 9);
        Path b = build(tmp.resolve("b"), w, w, true, 10);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxBlend.check(a, b));
        assertTrue(e.getMessage().endsWith("main graph: node #0 'add' (Add): field #1003 is 9 in model A but 10 in model B"),
                e.getMessage());
    }

    @Test
    void refusesExternalDataOutsideTheModelDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.write(tmp.resolve("outside.bin"), new byte[4 * N]);
        ProtoWriter weight = TinyOnnx.externalTensor("w", FLOAT, new long[] {N}, "../outside.bin", 0, 4L * N);
        ProtoWriter graph = TinyOnnx.graph("g", List.of(TinyOnnx.node("Add", "add", List.of("x", "w"), List.of("y"))),
                List.of(weight), List.of(TinyOnnx.valueInfo("x", FLOAT, N)), List.of(TinyOnnx.valueInfo("y", FLOAT, N)));
        Path model = TinyOnnx.write(TinyOnnx.model(graph), dir.resolve("model.onnx"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxBlend.check(model, model));
        assertTrue(e.getMessage().contains("points outside its model's directory"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("blend")));
    }

    private static ProtoMessage attribute(ProtoMessage graph) {
        ProtoMessage constant = graph.message(graph.all(OnnxProto.Graph.NODE).get(1));
        return constant.message(constant.last(OnnxProto.Node.ATTRIBUTE));
    }

    private static void assertSameField(ProtoMessage expected, ProtoMessage actual, int number) {
        ProtoField e = expected.last(number);
        ProtoField a = actual.last(number);
        assertTrue(e != null && a != null, "field #" + number + " present");
        assertEquals(expected.encoded(e), actual.encoded(a), "field #" + number + " copied byte for byte");
    }

    private static float[] run(Path model, float[] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model.toString(), options);
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {N});
             OrtSession.Result result = session.run(Map.of("x", input))) {
            return (float[]) result.get(0).getValue();
        }
    }
}
