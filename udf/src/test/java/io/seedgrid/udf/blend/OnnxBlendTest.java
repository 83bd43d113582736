package io.seedgrid.udf.blend;

import io.seedgrid.udf.tensor.Half;

import static io.seedgrid.udf.blend.Fixtures.model;
import static io.seedgrid.udf.blend.Fixtures.run;
import static io.seedgrid.udf.blend.Fixtures.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blends the committed fixture pairs (tools/reference/blend/make_fixtures.py) and checks them
 * against numpy's blends and ONNX Runtime. net32: fp32/fp64/bf16 weights, model A inline in typed
 * fields, model B in one external file; net16: fp16 weights, A with one external file per tensor,
 * B inline raw_data.
 */
class OnnxBlendTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"net32", "net16"})
    void alphaZeroReproducesModelABitForBit(String net) throws Exception {
        Path out = OnnxBlend.blend(model(net, "a"), model(net, "b"), 0.0, tmp.resolve("blend"));

        assertSameTensors(tensors(model(net, "a")), tensors(out));
        assertArrayEquals(run(model(net, "a")), run(out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"net32", "net16"})
    void alphaOneReproducesModelBBitForBit(String net) throws Exception {
        Path out = OnnxBlend.blend(model(net, "a"), model(net, "b"), 1.0, tmp.resolve("blend"));

        assertSameTensors(tensors(model(net, "b")), tensors(out));
        assertArrayEquals(run(model(net, "b")), run(out));
    }

    @ParameterizedTest
    @CsvSource({"net32, 0.3", "net32, 0.5", "net16, 0.3", "net16, 0.5"})
    void blendEqualsTheNumpyReferenceBitForBit(String net, double alpha) throws Exception {
        Path out = OnnxBlend.blend(model(net, "a"), model(net, "b"), alpha, tmp.resolve("blend"));
        Path expected = model(net, "expected-" + alpha);

        assertSameTensors(tensors(expected), tensors(out));
        float[] y = run(out);
        assertArrayEquals(run(expected), y, 1e-6f);
        assertFalse(Arrays.equals(run(model(net, "a")), y), "the blend must differ from A");
        assertFalse(Arrays.equals(run(model(net, "b")), y), "the blend must differ from B");
    }

    @Test
    void fp16MidpointsRoundHalfToEven() throws Exception {
        // net16 fc.bias elements 1, 2, 4 are pairs whose alpha=0.5 midpoint is an exact fp16 tie:
        // (2^-24 + 2^-23)/2 = 1.5 * 2^-24 -> 2 * 2^-24, (3 + 4)/2 * 2^-24 -> 4 * 2^-24,
        // (1 + (1 + 2^-10))/2 = 1 + 2^-11 -> 1.0 (0x3C00); element 0 blends -0.0 and +0.0.
        Path out = OnnxBlend.blend(model("net16", "a"), model("net16", "b"), 0.5, tmp.resolve("blend"));
        ByteBuffer bias = ByteBuffer.wrap(tensors(out).get("fc.bias")).order(ByteOrder.LITTLE_ENDIAN);

        assertEquals(0x0000, bias.getShort(0) & 0xFFFF);
        assertEquals(0x0002, bias.getShort(2) & 0xFFFF);
        assertEquals(0x0004, bias.getShort(4) & 0xFFFF);
        assertEquals(0x3C00, bias.getShort(8) & 0xFFFF);
        // 60000 and 65504 (the largest fp16) blend to 62752, representable exactly.
        assertEquals(62752f, Half.toFloat(bias.getShort(6)));
    }

    @Test
    void alphaZeroKeepsTheSignOfZero() throws Exception {
        Path out = OnnxBlend.blend(model("net32", "a"), model("net32", "b"), 0.0, tmp.resolve("blend"));
        ByteBuffer bias = ByteBuffer.wrap(tensors(out).get("conv.bias")).order(ByteOrder.LITTLE_ENDIAN);

        assertEquals(Float.floatToRawIntBits(-0.0f), bias.getInt(0));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.5, 1.5})
    void alphaOutsideZeroOneExtrapolates(double alpha) throws Exception {
        Path out = OnnxBlend.blend(model("net32", "a"), model("net32", "b"), alpha, tmp.resolve("blend"));
        float[] a = floats(tensors(model("net32", "a")).get("fc.weight"));
        float[] b = floats(tensors(model("net32", "b")).get("fc.weight"));
        float[] blended = floats(tensors(out).get("fc.weight"));

        for (int i = 0; i < a.length; i++) {
            assertEquals((float) (a[i] + alpha * ((double) b[i] - a[i])), blended[i], "element " + i);
        }
        assertEquals(16, run(out).length);
    }

    @Test
    void outputKeepsInitializersOfOneKibibyteOrMoreInAlignedExternalData() throws Exception {
        Path dir = tmp.resolve("blend");
        Path out = OnnxBlend.blend(model("net32", "a"), model("net32", "b"), 0.5, dir);

        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of("model.onnx", "model.onnx_data"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        long dataSize = Files.size(dir.resolve("model.onnx_data"));
        List<String> external = new ArrayList<>();
        List<String> inline = new ArrayList<>();
        try (OnnxModelFile model = OnnxModelFile.open(out)) {
            for (ProtoMessage t : initializers(model.graph())) {
                TensorInfo info = model.tensor(t);
                if (info.storage() instanceof TensorStorage.External ext) {
                    assertEquals(dir.resolve("model.onnx_data").toAbsolutePath(), ext.file());
                    assertEquals(0, ext.offset() % ExternalDataWriter.ALIGNMENT, info.name());
                    assertTrue(ext.offset() + ext.length() <= dataSize);
                    assertFalse(t.has(OnnxProto.Tensor.RAW_DATA), info.name());
                    external.add(info.name());
                } else {
                    assertTrue(t.has(OnnxProto.Tensor.RAW_DATA), info.name());
                    assertTrue(info.byteLength() < BlendWriter.INITIALIZER_EXTERNAL_THRESHOLD, info.name());
                    inline.add(info.name());
                }
            }
        }
        assertEquals(List.of("conv.weight", "fc.weight"), external);
        assertEquals(List.of("conv.bias", "shape", "fc.bias", "offset64", "gainbf", "cond", "then_bias"), inline);
        // conv.weight (1152 bytes, a multiple of 64, so no padding) then fc.weight (8192 bytes)
        assertEquals(1152 + 8192, dataSize);
    }

    /** The initializers of a graph and of the subgraphs of its nodes. */
    private static List<ProtoMessage> initializers(ProtoMessage graph) {
        List<ProtoMessage> out = new ArrayList<>();
        graph.all(OnnxProto.Graph.INITIALIZER).forEach(f -> out.add(graph.message(f)));
        for (ProtoField n : graph.all(OnnxProto.Graph.NODE)) {
            ProtoMessage node = graph.message(n);
            for (ProtoField a : node.all(OnnxProto.Node.ATTRIBUTE)) {
                ProtoMessage attribute = node.message(a);
                attribute.all(OnnxProto.Attribute.G).forEach(g -> out.addAll(initializers(attribute.message(g))));
            }
        }
        return out;
    }

    @Test
    void inputFilesAreUntouched() throws Exception {
        Map<String, String> before32 = Fixtures.fingerprint(Fixtures.resource("net32"));
        Map<String, String> before16 = Fixtures.fingerprint(Fixtures.resource("net16"));

        OnnxBlend.blend(model("net32", "a"), model("net32", "b"), 0.5, tmp.resolve("b32"));
        OnnxBlend.blend(model("net16", "a"), model("net16", "b"), 0.5, tmp.resolve("b16"));

        assertEquals(before32, Fixtures.fingerprint(Fixtures.resource("net32")));
        assertEquals(before16, Fixtures.fingerprint(Fixtures.resource("net16")));
    }

    static Stream<String> diffVariants() throws IOException {
        List<String> names = new ArrayList<>();
        expectedJson().get("diffs").fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("diffVariants")
    void refusesModelsThatAreNotTheSameNetwork(String variant) throws Exception {
        String expectedText = expectedJson().get("diffs").get(variant).asText();
        Path diff = Fixtures.resource("net32/diff/" + variant + ".onnx");
        Path outDir = tmp.resolve("blend");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxBlend.blend(model("net32", "a"), diff, 0.5, outDir));
        assertTrue(e.getMessage().contains(expectedText), e.getMessage());
        assertTrue(e.getMessage().contains("not topologically identical"), e.getMessage());
        assertFalse(Files.exists(outDir));
        assertEmpty(tmp);
        assertThrows(IllegalArgumentException.class, () -> OnnxBlend.check(model("net32", "a"), diff));
    }

    @Test
    void refusesANetworkOfAnotherArchitecture() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxBlend.check(model("net32", "a"), model("net16", "a")));
        assertTrue(e.getMessage().endsWith("main graph: initializer 'offset64' of model A is missing from model B"),
                e.getMessage());
    }

    @Test
    void checkAcceptsTheFixturePairs() throws Exception {
        OnnxBlend.check(model("net32", "a"), model("net32", "b"));
        OnnxBlend.check(model("net16", "a"), model("net16", "b"));
    }

    @Test
    void acceptsTheDirectoriesThatHoldTheModels() throws Exception {
        Path out = OnnxBlend.blend(model("net16", "a").getParent(), model("net16", "b").getParent(), 0.5,
                tmp.resolve("blend"));

        assertSameTensors(tensors(model("net16", "expected-0.5")), tensors(out.getParent()));
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void refusesAlphaThatIsNotFinite(double alpha) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxBlend.blend(model("net32", "a"), model("net32", "b"), alpha, tmp.resolve("blend")));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }

    @Test
    void refusesAnExistingOutputDirectory() throws Exception {
        Path existing = Files.createDirectory(tmp.resolve("blend"));
        assertThrows(FileAlreadyExistsException.class,
                () -> OnnxBlend.blend(model("net32", "a"), model("net32", "b"), 0.5, existing));
    }

    @Test
    void aBlendInterruptedMidwayLeavesNothingBehind() throws Exception {
        Path outDir = tmp.resolve("blend");
        List<String> written = new ArrayList<>();
        BlendProgress crashAfterTwoTensors = (tensor, done, total) -> {
            written.add(tensor);
            if (written.size() == 2) {
                throw new IllegalStateException("simulated crash after " + done + " of " + total + " bytes");
            }
        };

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OnnxBlend.blend(model("net32", "a"), model("net32", "b"), 0.5, outDir, crashAfterTwoTensors));
        assertTrue(e.getMessage().startsWith("simulated crash"));
        assertFalse(Files.exists(outDir));
        assertEmpty(tmp);

        Path out = OnnxBlend.blend(model("net32", "a"), model("net32", "b"), 0.5, outDir);
        assertSameTensors(tensors(model("net32", "expected-0.5")), tensors(out));
    }

    @Test
    void progressCountsEveryTensorOnce() throws Exception {
        List<String> tensors = new ArrayList<>();
        long[] last = new long[2];
        OnnxBlend.blend(model("net32", "a"), model("net32", "b"), 0.5, tmp.resolve("blend"), (t, done, total) -> {
            tensors.add(t);
            last[0] = done;
            last[1] = total;
        });

        assertEquals(new TreeSet<>(tensors(model("net32", "a")).keySet()), new TreeSet<>(tensors));
        assertEquals(tensors.size(), new TreeSet<>(tensors).size());
        assertEquals(last[1], last[0]);
        assertEquals(tensors(model("net32", "a")).values().stream().mapToLong(v -> v.length).sum(), last[1]);
    }

    static void assertSameTensors(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), actual.get(e.getKey()), "tensor " + e.getKey());
        }
    }

    private static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
    }

    private static JsonNode expectedJson() throws IOException {
        return new ObjectMapper().readTree(Fixtures.resource("expected.json").toFile());
    }
}
