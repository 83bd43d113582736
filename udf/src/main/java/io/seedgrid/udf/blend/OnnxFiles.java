package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What other packages need to know about an ONNX file without loading it into ONNX Runtime: how many bytes
 * of files it is made of ({@code model.onnx} and its external data: roughly the memory its weights take
 * once loaded) and its graph inputs with their declared shapes. Read with the blend's protobuf reader.
 */
public final class OnnxFiles {

    /**
     * A graph input: its name and dimensions, each a fixed size or -1 with the symbolic name ONNX gives it
     * (empty when it has none).
     */
    public record Input(String name, long[] dims, String[] dimNames) {
    }

    // ONNX TypeProto, TypeProto.Tensor, TensorShapeProto and its Dimension (onnx/onnx.proto).
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    private OnnxFiles() {
    }

    /** Bytes of {@code model} (a {@code model.onnx} or its folder) and of every external data file it uses. */
    public static long bytes(Path model) throws IOException {
        long total = 0;
        for (ModelIdentity.FileIdentity f : ModelIdentity.of(model).files()) {
            total += f.size();
        }
        return total;
    }

    /** The graph inputs that are fed at run time (initializers listed as inputs by old exporters are left out). */
    public static List<Input> inputs(Path model) throws IOException {
        try (OnnxModelFile file = OnnxModelFile.open(model)) {
            ProtoMessage graph = file.graph();
            Set<String> initializers = new HashSet<>();
            for (ProtoField f : graph.all(OnnxProto.Graph.INITIALIZER)) {
                initializers.add(graph.message(f).string(OnnxProto.Tensor.NAME));
            }
            List<Input> inputs = new ArrayList<>();
            for (ProtoField f : graph.all(OnnxProto.Graph.INPUT)) {
                ProtoMessage info = graph.message(f);
                String name = info.string(OnnxProto.ValueInfo.NAME);
                if (!initializers.contains(name)) {
                    inputs.add(input(name, info));
                }
            }
            return List.copyOf(inputs);
        }
    }

    private static Input input(String name, ProtoMessage info) {
        List<Long> dims = new ArrayList<>();
        List<String> names = new ArrayList<>();
        ProtoField type = info.last(OnnxProto.ValueInfo.TYPE);
        ProtoMessage tensor = type == null ? null : sub(info.message(type), TYPE_TENSOR);
        ProtoMessage shape = tensor == null ? null : sub(tensor, TENSOR_SHAPE);
        if (shape != null) {
            for (ProtoField d : shape.all(SHAPE_DIM)) {
                ProtoMessage dim = shape.message(d);
                if (dim.has(DIM_VALUE)) {
                    dims.add(dim.varint(dim.last(DIM_VALUE)));
                    names.add("");
                } else {
                    dims.add(-1L);
                    names.add(dim.has(DIM_PARAM) ? dim.string(DIM_PARAM) : "");
                }
            }
        }
        return new Input(name, dims.stream().mapToLong(Long::longValue).toArray(), names.toArray(String[]::new));
    }

    private static ProtoMessage sub(ProtoMessage message, int field) {
        ProtoField f = message.last(field);
        return f == null ? null : message.message(f);
    }
}
