package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds small ONNX models in tests with the blend's own {@link ProtoWriter}, for cases the
 * committed fixtures do not cover (unknown fields, large Constants, a 1 GB external model).
 */
final class TinyOnnx {

    static final int FLOAT = 1;
    static final int FLOAT16 = 10;

    private TinyOnnx() {
    }

    static ProtoWriter rawTensor(String name, int dataType, long[] dims, ByteBuffer raw) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(OnnxProto.Tensor.DIMS, d);
        }
        return t.varint(OnnxProto.Tensor.DATA_TYPE, dataType).string(OnnxProto.Tensor.NAME, name)
                .bytes(OnnxProto.Tensor.RAW_DATA, raw);
    }

    static ProtoWriter externalTensor(String name, int dataType, long[] dims, String location, long offset, long length) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(OnnxProto.Tensor.DIMS, d);
        }
        t.varint(OnnxProto.Tensor.DATA_TYPE, dataType).string(OnnxProto.Tensor.NAME, name);
        t.message(OnnxProto.Tensor.EXTERNAL_DATA, entry("location", location));
        t.message(OnnxProto.Tensor.EXTERNAL_DATA, entry("offset", Long.toString(offset)));
        t.message(OnnxProto.Tensor.EXTERNAL_DATA, entry("length", Long.toString(length)));
        return t.varint(OnnxProto.Tensor.DATA_LOCATION, OnnxProto.Tensor.LOCATION_EXTERNAL);
    }

    static ProtoWriter node(String op, String name, List<String> inputs, List<String> outputs, ProtoWriter... attributes) {
        ProtoWriter n = new ProtoWriter();
        inputs.forEach(i -> n.string(OnnxProto.Node.INPUT, i));
        outputs.forEach(o -> n.string(OnnxProto.Node.OUTPUT, o));
        n.string(OnnxProto.Node.NAME, name).string(OnnxProto.Node.OP_TYPE, op);
        for (ProtoWriter a : attributes) {
            n.message(OnnxProto.Node.ATTRIBUTE, a);
        }
        return n;
    }

    /** A TENSOR attribute (AttributeProto.type = 4), e.g. Constant's {@code value}. */
    static ProtoWriter tensorAttribute(String name, ProtoWriter tensor) {
        return new ProtoWriter().string(OnnxProto.Attribute.NAME, name).message(OnnxProto.Attribute.T, tensor)
                .varint(OnnxProto.Attribute.TYPE, 4);
    }

    /** A ValueInfoProto of a tensor with a fixed shape. */
    static ProtoWriter valueInfo(String name, int elemType, long... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (long d : dims) {
            shape.message(1, new ProtoWriter().varint(1, d)); // TensorShapeProto.dim { dim_value }
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType).message(2, shape); // elem_type, shape
        return new ProtoWriter().string(OnnxProto.ValueInfo.NAME, name)
                .message(OnnxProto.ValueInfo.TYPE, new ProtoWriter().message(1, tensorType)); // TypeProto.tensor_type
    }

    static ProtoWriter graph(String name, List<ProtoWriter> nodes, List<ProtoWriter> initializers,
                             List<ProtoWriter> inputs, List<ProtoWriter> outputs) {
        ProtoWriter g = new ProtoWriter();
        nodes.forEach(n -> g.message(OnnxProto.Graph.NODE, n));
        g.string(OnnxProto.Graph.NAME, name);
        initializers.forEach(i -> g.message(OnnxProto.Graph.INITIALIZER, i));
        inputs.forEach(i -> g.message(OnnxProto.Graph.INPUT, i));
        outputs.forEach(o -> g.message(OnnxProto.Graph.OUTPUT, o));
        return g;
    }

    /** A ModelProto at IR version 8, default domain opset 17. */
    static ProtoWriter model(ProtoWriter graph) {
        ProtoWriter opset = new ProtoWriter().string(1, "").varint(2, 17); // OperatorSetIdProto
        return new ProtoWriter().varint(OnnxProto.Model.IR_VERSION, 8)
                .string(OnnxProto.Model.PRODUCER_NAME, "seedgrid-test")
                .message(OnnxProto.Model.GRAPH, graph)
                .message(OnnxProto.Model.OPSET_IMPORT, opset);
    }

    static Path write(ProtoWriter model, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, model.toByteArray());
    }

    static ByteBuffer floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }

    static ProtoWriter entry(String key, String value) {
        return new ProtoWriter().string(OnnxProto.Entry.KEY, key).string(OnnxProto.Entry.VALUE, value);
    }
}
