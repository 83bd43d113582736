package io.seedgrid.udf.blend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire-format reader and writer, on files written by the onnx Python package. */
class ProtoMessageTest {

    @ParameterizedTest
    @ValueSource(strings = {"net32/a/model.onnx", "net32/b/model.onnx", "net16/a/model.onnx", "net16/b/model.onnx"})
    void copyingEveryFieldReproducesTheFileByteForByte(String model) throws Exception {
        byte[] original = Files.readAllBytes(Fixtures.resource(model));
        ProtoMessage parsed = ProtoMessage.parse(ByteBuffer.wrap(original), model);

        assertArrayEquals(original, rewriteDeep(parsed).toByteArray());
    }

    /**
     * Re-encodes the model with every nested message of the graph (nodes, attributes, tensors,
     * subgraphs) rebuilt through the writer, so length prefixes are recomputed at every level.
     */
    private static ProtoWriter rewriteDeep(ProtoMessage model) {
        return rewrite(model, OnnxProto.Model.GRAPH, ProtoMessageTest::rewriteGraph);
    }

    private static ProtoWriter rewriteGraph(ProtoMessage graph) {
        ProtoWriter out = new ProtoWriter();
        for (ProtoField f : graph.fields()) {
            switch (f.number()) {
                case OnnxProto.Graph.NODE -> out.message(f.number(),
                        rewrite(graph.message(f), OnnxProto.Node.ATTRIBUTE, ProtoMessageTest::rewriteAttribute));
                case OnnxProto.Graph.INITIALIZER -> out.message(f.number(), rewrite(graph.message(f), -1, null));
                default -> out.copy(graph, f);
            }
        }
        return out;
    }

    private static ProtoWriter rewriteAttribute(ProtoMessage attribute) {
        ProtoWriter out = new ProtoWriter();
        for (ProtoField f : attribute.fields()) {
            switch (f.number()) {
                case OnnxProto.Attribute.T -> out.message(f.number(), rewrite(attribute.message(f), -1, null));
                case OnnxProto.Attribute.G -> out.message(f.number(), rewriteGraph(attribute.message(f)));
                default -> out.copy(attribute, f);
            }
        }
        return out;
    }

    /** Copies every field of {@code m}, rebuilding field {@code nested} with {@code how}. */
    private static ProtoWriter rewrite(ProtoMessage m, int nested, Function<ProtoMessage, ProtoWriter> how) {
        ProtoWriter out = new ProtoWriter();
        for (ProtoField f : m.fields()) {
            if (f.number() == nested) {
                out.message(f.number(), how.apply(m.message(f)));
            } else {
                out.copy(m, f);
            }
        }
        return out;
    }

    @Test
    void readsTheFieldsOfAKnownModel() throws Exception {
        try (OnnxModelFile model = OnnxModelFile.open(Fixtures.model("net32", "a"))) {
            ProtoMessage graph = model.graph();
            assertEquals(8, model.model().varint(OnnxProto.Model.IR_VERSION, 0));
            assertEquals("net32", graph.string(OnnxProto.Graph.NAME));
            assertEquals(11, graph.all(OnnxProto.Graph.NODE).size());
            ProtoMessage gemm = graph.message(graph.all(OnnxProto.Graph.NODE).get(3));
            assertEquals("Gemm", gemm.string(OnnxProto.Node.OP_TYPE));
            assertEquals(List.of("f", "fc.weight", "fc.bias"),
                    gemm.all(OnnxProto.Node.INPUT).stream().map(gemm::string).toList());
            TensorInfo fcWeight = model.tensor(graph.message(graph.all(OnnxProto.Graph.INITIALIZER).get(3)));
            assertEquals("fc.weight", fcWeight.name());
            assertEquals(List.of(16L, 128L), fcWeight.dims());
            assertEquals(16 * 128 * 4, fcWeight.byteLength());
            assertTrue(fcWeight.storage() instanceof TensorStorage.Inline, "float_data");
            TensorInfo gain = model.tensor(graph.message(graph.all(OnnxProto.Graph.INITIALIZER).get(6)));
            assertEquals(TensorType.BFLOAT16, gain.type());
            assertTrue(gain.storage() instanceof TensorStorage.Varints, "int32_data");
        }
    }

    @Test
    void keepsUnknownFieldsAndGroupsAsTheyAre() {
        // field 77 as a (deprecated) group holding field 1 = 1: START_GROUP tag, 0x08 0x01, END_GROUP tag
        byte[] group = concat(tag(77, ProtoField.START_GROUP), new byte[] {0x08, 0x01}, tag(77, ProtoField.END_GROUP));
        byte[] message = concat(new ProtoWriter().varint(3, 300).message(1000, new ProtoWriter().varint(1, 5))
                .toByteArray(), group, new ProtoWriter().string(2, "x").toByteArray());
        ProtoMessage parsed = ProtoMessage.parse(ByteBuffer.wrap(message), "test");

        assertEquals(List.of(3, 1000, 77, 2), parsed.fields().stream().map(ProtoField::number).toList());
        assertEquals(300, parsed.varint(3, 0));
        assertEquals(5, parsed.message(parsed.last(1000)).varint(1, 0));
        assertEquals("x", parsed.string(2));
        ProtoWriter copy = new ProtoWriter();
        parsed.fields().forEach(f -> copy.copy(parsed, f));
        assertArrayEquals(message, copy.toByteArray());
    }

    @Test
    void refusesTruncatedInput() throws Exception {
        byte[] original = Files.readAllBytes(Fixtures.model("net32", "a"));
        byte[] truncated = Arrays.copyOf(original, original.length / 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProtoMessage.parse(ByteBuffer.wrap(truncated), "half.onnx"));
        assertTrue(e.getMessage().startsWith("half.onnx is not a valid ONNX protobuf file"), e.getMessage());
    }

    @Test
    void refusesAFileThatIsNotAModel(@TempDir Path tmp) throws Exception {
        Path text = Files.writeString(tmp.resolve("model.onnx"), "this is not protobuf\n");
        assertThrows(IllegalArgumentException.class, () -> {
            try (OnnxModelFile model = OnnxModelFile.open(text)) {
                model.graph();
            }
        });
    }

    private static byte[] tag(int number, int wireType) {
        ProtoWriter w = new ProtoWriter().varint(number, 0);
        byte[] withValue = w.toByteArray();
        byte[] tagOnly = Arrays.copyOf(withValue, withValue.length - 1);
        tagOnly[0] = (byte) ((tagOnly[0] & ~7) | wireType);
        return tagOnly;
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
