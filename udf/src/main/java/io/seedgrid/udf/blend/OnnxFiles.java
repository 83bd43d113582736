package io.seedgrid.udf.blend;

import ai.onnxruntime.OnnxJavaType;
import io.seedgrid.udf.onnx.ModelSignatureException;
import io.seedgrid.udf.onnx.OnnxSignature;
import io.seedgrid.udf.onnx.TensorSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a {@code model.onnx} is a whole ONNX model and reads the inputs and outputs it declares,
 * with the blend's protobuf reader and without ONNX Runtime: no session is created and no weight is
 * loaded (the file is memory-mapped and only message headers are read), so a driver can check a 10 GB
 * UNet in milliseconds before any executor loads it.
 *
 * <p>A whole model: a protobuf ModelProto that parses to the last byte (a truncated, empty or random
 * file does not), with an IR version, an operator set import and exactly one graph; every node and
 * attribute of the graph and its subgraphs parses; every tensor (initializers and attribute tensors)
 * holds as many bytes as its type and shape need, inline or in its external data file, which must exist
 * beside the model and be long enough. Not checked: whether ONNX Runtime implements every operator.
 *
 * <p>Inputs are the graph's inputs that are not initializers, as ONNX Runtime's
 * {@code OrtSession.getInputInfo} reports them; element types map to {@link OnnxJavaType} with ONNX
 * Runtime's own mapping; a symbolic or unknown dimension is −1, as ONNX Runtime reports it. Outputs are
 * as the file declares them: a session may report a size the file leaves dynamic (ONNX Runtime's shape
 * inference), never another one (OnnxFilesTest compares both on every model of the project).
 */
public final class OnnxFiles {

    private OnnxFiles() {
    }

    /**
     * The signature of {@code file} after checking that it is a whole model.
     *
     * @throws IllegalArgumentException naming the file and what is wrong (missing, empty, not a valid
     *     ONNX protobuf, a tensor without its data, a missing or short external data file); a
     *     {@link ModelSignatureException} when an input or output is not a tensor
     */
    public static OnnxSignature read(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        try (OnnxModelFile model = OnnxModelFile.open(absolute)) {
            long irVersion = model.model().varint(OnnxProto.Model.IR_VERSION, 0);
            if (irVersion <= 0) {
                throw invalid(model, "it has no IR version");
            }
            if (!model.model().has(OnnxProto.Model.OPSET_IMPORT)) {
                throw invalid(model, "it imports no operator set");
            }
            ProtoMessage graph = model.graph();
            Set<String> initializers = new HashSet<>();
            checkGraph(model, graph, initializers);
            Map<String, TensorSpec> inputs = new LinkedHashMap<>();
            for (ProtoField f : graph.all(OnnxProto.Graph.INPUT)) {
                TensorSpec spec = spec(model, graph.message(f));
                if (!initializers.contains(spec.name())) {
                    inputs.put(spec.name(), spec);
                }
            }
            Map<String, TensorSpec> outputs = new LinkedHashMap<>();
            for (ProtoField f : graph.all(OnnxProto.Graph.OUTPUT)) {
                TensorSpec spec = spec(model, graph.message(f));
                outputs.put(spec.name(), spec);
            }
            return new OnnxSignature(model.file(), inputs, outputs);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(absolute.toString().equals(e.getFile()) ? "no such file: " + absolute
                    : e.getMessage(), e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + e.getFile() + ": permission denied", e);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(absolute + " is not a valid ONNX model: a tensor's size overflows", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + absolute, e);
        }
    }

    /** Walks a graph: its nodes (attributes, tensors and subgraphs included) and initializers, whose names it collects. */
    private static void checkGraph(OnnxModelFile model, ProtoMessage graph, Set<String> initializers) throws IOException {
        for (ProtoField f : graph.fields()) {
            switch (f.number()) {
                case OnnxProto.Graph.INITIALIZER -> initializers.add(model.tensor(graph.message(f)).name());
                case OnnxProto.Graph.SPARSE_INITIALIZER -> checkSparse(model, graph.message(f));
                case OnnxProto.Graph.NODE -> checkNode(model, graph.message(f));
                default -> {
                }
            }
        }
    }

    private static void checkNode(OnnxModelFile model, ProtoMessage node) throws IOException {
        if (node.string(OnnxProto.Node.OP_TYPE).isEmpty()) {
            throw invalid(model, "node '" + node.string(OnnxProto.Node.NAME) + "' has no operator type");
        }
        for (ProtoField a : node.all(OnnxProto.Node.ATTRIBUTE)) {
            ProtoMessage attribute = node.message(a);
            for (ProtoField v : attribute.fields()) {
                switch (v.number()) {
                    case OnnxProto.Attribute.T, OnnxProto.Attribute.TENSORS -> model.tensor(attribute.message(v));
                    case OnnxProto.Attribute.SPARSE_TENSOR, OnnxProto.Attribute.SPARSE_TENSORS ->
                            checkSparse(model, attribute.message(v));
                    // A subgraph's initializers are not the main graph's: they never hide its inputs.
                    case OnnxProto.Attribute.G, OnnxProto.Attribute.GRAPHS ->
                            checkGraph(model, attribute.message(v), new HashSet<>());
                    default -> {
                    }
                }
            }
        }
    }

    private static void checkSparse(OnnxModelFile model, ProtoMessage sparse) throws IOException {
        for (ProtoField f : sparse.fields()) {
            if (f.number() == OnnxProto.SparseTensor.VALUES || f.number() == OnnxProto.SparseTensor.INDICES) {
                model.tensor(sparse.message(f));
            }
        }
    }

    /** A ValueInfoProto as ONNX Runtime reports it: element type and shape, −1 for a symbolic dimension. */
    private static TensorSpec spec(OnnxModelFile model, ProtoMessage valueInfo) {
        String name = valueInfo.string(OnnxProto.ValueInfo.NAME);
        ProtoField typeField = valueInfo.last(OnnxProto.ValueInfo.TYPE);
        ProtoMessage type = typeField == null ? null : valueInfo.message(typeField);
        ProtoField tensorField = type == null ? null : type.last(OnnxProto.Type.TENSOR_TYPE);
        if (tensorField == null) {
            throw new ModelSignatureException(model.file() + ": '" + name + "' is not a tensor");
        }
        ProtoMessage tensor = type.message(tensorField);
        OnnxJavaType javaType = javaType((int) tensor.varint(OnnxProto.TensorTypeProto.ELEM_TYPE, 0));
        ProtoField shapeField = tensor.last(OnnxProto.TensorTypeProto.SHAPE);
        if (shapeField == null) {
            return new TensorSpec(name, javaType, new long[0]);
        }
        ProtoMessage shape = tensor.message(shapeField);
        List<ProtoField> dims = shape.all(OnnxProto.Shape.DIM);
        long[] sizes = new long[dims.size()];
        for (int i = 0; i < sizes.length; i++) {
            ProtoMessage dim = shape.message(dims.get(i));
            sizes[i] = dim.varint(OnnxProto.Dimension.DIM_VALUE, -1);
        }
        return new TensorSpec(name, javaType, sizes);
    }

    /** An ONNX element type code as ONNX Runtime's Java API reports it (its own mapping: UINT16 is INT16, ...). */
    private static OnnxJavaType javaType(int code) {
        TensorType type = TensorType.ofCode(code);
        return type == null ? OnnxJavaType.UNKNOWN : OnnxJavaType.mapFromOnnxTensorType(
                ai.onnxruntime.TensorInfo.OnnxTensorType.valueOf("ONNX_TENSOR_ELEMENT_DATA_TYPE_" + type.name()));
    }

    private static IllegalArgumentException invalid(OnnxModelFile model, String what) {
        return new IllegalArgumentException(model.file() + " is not a valid ONNX model: " + what);
    }

    // What other packages read without loading a model: its bytes on disk and its graph inputs' shapes.


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
