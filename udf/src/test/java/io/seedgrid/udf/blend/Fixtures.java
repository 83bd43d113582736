package io.seedgrid.udf.blend;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The committed fixtures of tools/reference/blend/make_fixtures.py, and helpers to inspect models. */
final class Fixtures {

    private Fixtures() {
    }

    /** A folder under src/test/resources/blend. */
    static Path resource(String relative) {
        try {
            return Path.of(Objects.requireNonNull(Fixtures.class.getResource("/blend/" + relative),
                    "missing test resource blend/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path model(String net, String which) {
        return resource(net + "/" + which + "/model.onnx");
    }

    /**
     * Every tensor with values in a model (initializers and attribute tensors, subgraphs included),
     * by name, as raw little-endian bytes read by the blend's own reader.
     */
    static Map<String, byte[]> tensors(Path modelFile) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (OnnxModelFile model = OnnxModelFile.open(modelFile)) {
            collect(model, model.graph(), out);
        }
        return out;
    }

    private static void collect(OnnxModelFile model, ProtoMessage graph, Map<String, byte[]> out) throws IOException {
        for (ProtoField f : graph.all(OnnxProto.Graph.INITIALIZER)) {
            put(model, graph.message(f), out);
        }
        for (ProtoField n : graph.all(OnnxProto.Graph.NODE)) {
            ProtoMessage node = graph.message(n);
            for (ProtoField a : node.all(OnnxProto.Node.ATTRIBUTE)) {
                ProtoMessage attribute = node.message(a);
                for (ProtoField t : attribute.all(OnnxProto.Attribute.T)) {
                    put(model, attribute.message(t), out);
                }
                for (ProtoField g : attribute.all(OnnxProto.Attribute.G)) {
                    collect(model, attribute.message(g), out);
                }
            }
        }
    }

    private static void put(OnnxModelFile model, ProtoMessage proto, Map<String, byte[]> out) throws IOException {
        TensorInfo t = model.tensor(proto);
        ByteBuffer values = model.open(t).next((int) t.byteLength());
        byte[] bytes = new byte[values.remaining()];
        values.get(bytes);
        if (out.put(t.name(), bytes) != null) {
            throw new IllegalStateException("two tensors named " + t.name());
        }
    }

    /** Runs a model with input x = [1, 4, 4, 4] of fixed values and returns output y. */
    static float[] run(Path modelFile) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.37 * i + 0.1) * 2;
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(modelFile.toString(), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 4, 4, 4});
                 OrtSession.Result result = session.run(Map.of("x", input))) {
                return ((float[][]) result.get(0).getValue())[0];
            }
        }
    }

    /** SHA-256 and modification time of every file under a folder, to show that nothing changed. */
    static Map<String, String> fingerprint(Path folder) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                out.put(folder.relativize(p).toString(),
                        HexFormat.of().formatHex(hash) + " " + Files.getLastModifiedTime(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
