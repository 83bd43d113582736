package io.seedgrid.udf.blend;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code model.onnx} opened read-only and memory-mapped, with the external data files its
 * tensors point to (resolved against the model's directory, as ONNX Runtime does).
 */
final class OnnxModelFile implements Closeable {

    private final Path file;
    private final Path directory;
    private final FileChannel channel;
    private final ProtoMessage model;
    private final Map<Path, FileChannel> externalFiles = new HashMap<>();

    private OnnxModelFile(Path file, FileChannel channel, MappedByteBuffer mapped) {
        this.file = file;
        this.directory = file.getParent();
        this.channel = channel;
        this.model = ProtoMessage.parse(mapped, file.toString());
    }

    /** Opens a {@code model.onnx}, given as the file or as the directory that holds it. */
    static OnnxModelFile open(Path model) throws IOException {
        Path file = modelFile(model).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no ONNX model file here");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size == 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(file + " holds " + size + " bytes; an ONNX protobuf file holds"
                        + " 1 byte to 2 GiB (larger models keep their weights in external data)");
            }
            return new OnnxModelFile(file, channel, channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@code model} itself, or {@code model/model.onnx} when {@code model} is a directory. */
    static Path modelFile(Path model) {
        return Files.isDirectory(model) ? model.resolve(OnnxBlend.MODEL_FILE) : model;
    }

    Path file() {
        return file;
    }

    ProtoMessage model() {
        return model;
    }

    ProtoMessage graph() {
        List<ProtoField> graphs = model.all(OnnxProto.Model.GRAPH);
        if (graphs.size() != 1) {
            throw new IllegalArgumentException(file + " has " + graphs.size() + " graph fields, expected exactly one");
        }
        return model.message(graphs.get(0));
    }

    /** Reads the header of a TensorProto of this model and checks that its values are all there. */
    TensorInfo tensor(ProtoMessage t) throws IOException {
        String name = t.string(OnnxProto.Tensor.NAME);
        int dataType = (int) t.varint(OnnxProto.Tensor.DATA_TYPE, 0);
        List<Long> dims = new ArrayList<>();
        for (ProtoField f : t.all(OnnxProto.Tensor.DIMS)) {
            for (long d : t.packedVarints(f)) {
                dims.add(d);
            }
        }
        String label = "tensor '" + name + "' in " + file;
        if (t.has(OnnxProto.Tensor.SEGMENT)) {
            throw new IllegalArgumentException(label + " is segmented (TensorProto.segment); not supported");
        }
        if (dataType == 0) {
            throw new IllegalArgumentException(label + " has no data type");
        }
        long elements = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(label + " has a negative dimension " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        TensorType type = TensorType.ofCode(dataType);
        boolean external = t.varint(OnnxProto.Tensor.DATA_LOCATION, 0) == OnnxProto.Tensor.LOCATION_EXTERNAL;
        if (type == TensorType.STRING) {
            if (external) {
                throw new IllegalArgumentException(label + " is a STRING tensor in external data, which ONNX forbids");
            }
            return new TensorInfo(name, dataType, dims, new TensorStorage.Strings(), -1, t);
        }
        long expected = type == null ? -1 : Math.multiplyExact(elements, type.elementBytes());
        if (external) {
            TensorStorage.External storage = externalStorage(t, label, expected);
            return new TensorInfo(name, dataType, dims, storage, storage.length(), t);
        }
        ProtoField raw = t.last(OnnxProto.Tensor.RAW_DATA);
        if (raw != null) {
            ByteBuffer bytes = t.value(raw);
            checkLength(label, expected, bytes.remaining(), "raw_data");
            return new TensorInfo(name, dataType, dims, new TensorStorage.Inline(List.of(bytes)), bytes.remaining(), t);
        }
        if (type == null) {
            throw new IllegalArgumentException(label + " has " + TensorType.describe(dataType)
                    + " outside raw_data, which the blend cannot read");
        }
        List<ByteBuffer> segments = new ArrayList<>();
        for (ProtoField f : t.all(type.typedField())) {
            segments.add(t.value(f));
        }
        if (segments.isEmpty() && elements > 0) {
            throw new IllegalArgumentException(label + " has no values");
        }
        int field = type.typedField();
        if (field == OnnxProto.Tensor.FLOAT_DATA || field == OnnxProto.Tensor.DOUBLE_DATA) {
            long length = segments.stream().mapToLong(ByteBuffer::remaining).sum();
            checkLength(label, expected, length, "its typed data");
            return new TensorInfo(name, dataType, dims, new TensorStorage.Inline(segments), length, t);
        }
        long count = VarintByteSource.count(segments);
        if (count != elements) {
            throw new IllegalArgumentException(label + " has " + count + " values for " + elements + " elements");
        }
        return new TensorInfo(name, dataType, dims, new TensorStorage.Varints(segments, type.elementBytes()),
                expected, t);
    }

    /** Opens a reader over a tensor's values in raw little-endian form. */
    ByteSource open(TensorInfo tensor) throws IOException {
        TensorStorage storage = tensor.storage();
        if (storage instanceof TensorStorage.Inline inline) {
            return new InlineByteSource(inline.segments());
        }
        if (storage instanceof TensorStorage.Varints varints) {
            return new VarintByteSource(varints.segments(), varints.width());
        }
        if (storage instanceof TensorStorage.External ext) {
            return new ExternalByteSource(externalChannel(ext.file()), ext.offset(), ext.length());
        }
        throw new IllegalArgumentException("STRING tensor '" + tensor.name() + "' has no raw form");
    }

    /** Every external data file that a tensor of this model (subgraphs included) points to. */
    Set<Path> externalDataFiles() throws IOException {
        Set<Path> out = new TreeSet<>();
        collectExternal(graph(), out);
        return out;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (FileChannel c : externalFiles.values()) {
            try {
                c.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        externalFiles.clear();
        channel.close();
        if (failure != null) {
            throw failure;
        }
    }

    private void collectExternal(ProtoMessage graph, Set<Path> out) throws IOException {
        for (ProtoField f : graph.fields()) {
            switch (f.number()) {
                case OnnxProto.Graph.INITIALIZER -> addExternal(graph.message(f), out);
                case OnnxProto.Graph.SPARSE_INITIALIZER -> addSparseExternal(graph.message(f), out);
                case OnnxProto.Graph.NODE -> {
                    ProtoMessage node = graph.message(f);
                    for (ProtoField a : node.all(OnnxProto.Node.ATTRIBUTE)) {
                        ProtoMessage attribute = node.message(a);
                        for (ProtoField v : attribute.fields()) {
                            switch (v.number()) {
                                case OnnxProto.Attribute.T, OnnxProto.Attribute.TENSORS -> addExternal(attribute.message(v), out);
                                case OnnxProto.Attribute.SPARSE_TENSOR, OnnxProto.Attribute.SPARSE_TENSORS ->
                                        addSparseExternal(attribute.message(v), out);
                                case OnnxProto.Attribute.G, OnnxProto.Attribute.GRAPHS -> collectExternal(attribute.message(v), out);
                                default -> {
                                }
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
    }

    private void addSparseExternal(ProtoMessage sparse, Set<Path> out) throws IOException {
        for (ProtoField f : sparse.fields()) {
            if (f.number() == OnnxProto.SparseTensor.VALUES || f.number() == OnnxProto.SparseTensor.INDICES) {
                addExternal(sparse.message(f), out);
            }
        }
    }

    private void addExternal(ProtoMessage tensor, Set<Path> out) throws IOException {
        if (tensor.varint(OnnxProto.Tensor.DATA_LOCATION, 0) == OnnxProto.Tensor.LOCATION_EXTERNAL) {
            out.add(resolveLocation(tensor, "tensor '" + tensor.string(OnnxProto.Tensor.NAME) + "' in " + file));
        }
    }

    private TensorStorage.External externalStorage(ProtoMessage t, String label, long expected) throws IOException {
        Map<String, String> entries = externalEntries(t);
        Path location = resolveLocation(t, label);
        long offset = parseLong(entries.getOrDefault("offset", "0"), label, "offset");
        long length = entries.containsKey("length") ? parseLong(entries.get("length"), label, "length") : expected;
        if (length < 0) {
            throw new IllegalArgumentException(label + " has external data of unknown type without a length");
        }
        checkLength(label, expected, length, "its external data");
        long fileSize = externalChannel(location).size();
        if (offset < 0 || offset + length > fileSize) {
            throw new IllegalArgumentException(label + " needs bytes " + offset + ".." + (offset + length) + " of "
                    + location + ", which holds " + fileSize);
        }
        return new TensorStorage.External(location, offset, length);
    }

    private Path resolveLocation(ProtoMessage t, String label) throws IOException {
        String location = externalEntries(t).get("location");
        if (location == null || location.isEmpty()) {
            throw new IllegalArgumentException(label + " is external but names no location");
        }
        Path resolved = directory.resolve(location).normalize();
        if (!resolved.startsWith(directory)) {
            throw new IllegalArgumentException(label + " points outside its model's directory: " + location);
        }
        if (!Files.isRegularFile(resolved)) {
            throw new NoSuchFileException(resolved.toString(), null, "external data of " + label + " is missing");
        }
        return resolved;
    }

    private static Map<String, String> externalEntries(ProtoMessage t) {
        Map<String, String> entries = new HashMap<>();
        for (ProtoField f : t.all(OnnxProto.Tensor.EXTERNAL_DATA)) {
            ProtoMessage entry = t.message(f);
            entries.put(entry.string(OnnxProto.Entry.KEY), entry.string(OnnxProto.Entry.VALUE));
        }
        return entries;
    }

    private FileChannel externalChannel(Path location) throws IOException {
        FileChannel c = externalFiles.get(location);
        if (c == null) {
            c = FileChannel.open(location, StandardOpenOption.READ);
            externalFiles.put(location, c);
        }
        return c;
    }

    private static long parseLong(String value, String label, String key) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(label + " has external data " + key + " '" + value + "', not a number");
        }
    }

    private static void checkLength(String label, long expected, long actual, String where) {
        if (expected >= 0 && expected != actual) {
            throw new IllegalArgumentException(label + " has " + actual + " bytes in " + where + ", its type and shape"
                    + " need " + expected);
        }
    }
}
