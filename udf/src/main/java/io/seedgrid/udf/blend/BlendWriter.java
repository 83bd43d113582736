package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the blend of a checked pair ({@link TopologyCheck}): model A's protobuf with every field
 * copied as it is, except that each tensor gets blended values, in raw form: in the external data
 * file, or inline as raw_data for the small tensors (see the two thresholds).
 */
final class BlendWriter {

    /**
     * Initializers of this many bytes or more go to the external data file; smaller ones stay
     * inline, as with onnx.save_model's default {@code size_threshold}. ONNX shape inference, which
     * ONNX Runtime runs when it loads a model, reads shape-like inputs (Reshape's shape, Resize's
     * scales, ...) and cannot read them from external data: ORT 1.28 refuses such a model
     * ("Cannot parse data from external tensors").
     */
    static final int INITIALIZER_EXTERNAL_THRESHOLD = 1024;
    /**
     * Attribute tensors (Constant values) stay inline up to this many bytes, as onnx.save_model
     * keeps them by default; only larger ones go to the external data file.
     */
    static final int ATTRIBUTE_INLINE_LIMIT = 1 << 20;
    /** Bytes blended per step; a multiple of every element size. */
    private static final int CHUNK = 1 << 20;
    private static final Set<Integer> TENSOR_VALUE_FIELDS = Set.of(OnnxProto.Tensor.FLOAT_DATA,
            OnnxProto.Tensor.INT32_DATA, OnnxProto.Tensor.STRING_DATA, OnnxProto.Tensor.INT64_DATA,
            OnnxProto.Tensor.RAW_DATA, OnnxProto.Tensor.DOUBLE_DATA, OnnxProto.Tensor.UINT64_DATA,
            OnnxProto.Tensor.EXTERNAL_DATA, OnnxProto.Tensor.DATA_LOCATION);

    private final OnnxModelFile a;
    private final OnnxModelFile b;
    private final double alpha;
    private final ExternalDataWriter data;
    private final String dataLocation;
    private final BlendProgress progress;
    private final long bytesTotal;
    private final WeightInterpolation interpolation;
    private long bytesDone;

    BlendWriter(OnnxModelFile a, OnnxModelFile b, double alpha, ExternalDataWriter data, String dataLocation,
                BlendProgress progress, long bytesTotal) {
        this.a = a;
        this.b = b;
        this.alpha = alpha;
        this.data = data;
        this.dataLocation = dataLocation;
        this.progress = progress;
        this.bytesTotal = bytesTotal;
        this.interpolation = new WeightInterpolation(alpha);
    }

    /** Streams all tensor values to the data file and returns the encoded output ModelProto. */
    byte[] write() throws IOException {
        ProtoWriter out = new ProtoWriter();
        for (ProtoField f : a.model().fields()) {
            if (f.number() == OnnxProto.Model.GRAPH) {
                out.message(OnnxProto.Model.GRAPH, graph(a.graph(), b.graph()));
            } else {
                out.copy(a.model(), f);
            }
        }
        return out.toByteArray();
    }

    private ProtoWriter graph(ProtoMessage ga, ProtoMessage gb) throws IOException {
        Map<String, ProtoMessage> initializersB = new HashMap<>();
        for (ProtoField f : gb.all(OnnxProto.Graph.INITIALIZER)) {
            ProtoMessage t = gb.message(f);
            initializersB.put(t.string(OnnxProto.Tensor.NAME), t);
        }
        List<ProtoField> nodesB = gb.all(OnnxProto.Graph.NODE);
        int node = 0;
        ProtoWriter out = new ProtoWriter();
        for (ProtoField f : ga.fields()) {
            switch (f.number()) {
                case OnnxProto.Graph.NODE -> out.message(f.number(), node(ga.message(f), gb.message(nodesB.get(node++))));
                case OnnxProto.Graph.INITIALIZER -> {
                    ProtoMessage t = ga.message(f);
                    out.message(f.number(), tensor(t, initializersB.get(t.string(OnnxProto.Tensor.NAME)), true));
                }
                default -> out.copy(ga, f);
            }
        }
        return out;
    }

    private ProtoWriter node(ProtoMessage na, ProtoMessage nb) throws IOException {
        List<ProtoField> attributesB = nb.all(OnnxProto.Node.ATTRIBUTE);
        int attribute = 0;
        ProtoWriter out = new ProtoWriter();
        for (ProtoField f : na.fields()) {
            if (f.number() == OnnxProto.Node.ATTRIBUTE) {
                out.message(f.number(), attribute(na.message(f), nb.message(attributesB.get(attribute++))));
            } else {
                out.copy(na, f);
            }
        }
        return out;
    }

    private ProtoWriter attribute(ProtoMessage aa, ProtoMessage ab) throws IOException {
        Map<Integer, List<ProtoField>> fieldsB = new HashMap<>();
        Map<Integer, Integer> used = new HashMap<>();
        ProtoWriter out = new ProtoWriter();
        for (ProtoField f : aa.fields()) {
            int n = f.number();
            boolean tensor = n == OnnxProto.Attribute.T || n == OnnxProto.Attribute.TENSORS;
            boolean graph = n == OnnxProto.Attribute.G || n == OnnxProto.Attribute.GRAPHS;
            if (!tensor && !graph) {
                out.copy(aa, f);
                continue;
            }
            int index = used.merge(n, 1, Integer::sum) - 1;
            ProtoMessage partner = ab.message(fieldsB.computeIfAbsent(n, ab::all).get(index));
            out.message(n, tensor ? tensor(aa.message(f), partner, false) : graph(aa.message(f), partner));
        }
        return out;
    }

    private ProtoWriter tensor(ProtoMessage ta, ProtoMessage tb, boolean initializer) throws IOException {
        TensorInfo ia = a.tensor(ta);
        ProtoWriter out = new ProtoWriter();
        if (ia.isString()) {
            for (ProtoField f : ta.fields()) {
                out.copy(ta, f);
            }
            return out;
        }
        for (ProtoField f : ta.fields()) {
            if (!TENSOR_VALUE_FIELDS.contains(f.number())) {
                out.copy(ta, f);
            }
        }
        TensorInfo ib = b.tensor(tb);
        boolean external = initializer ? ia.byteLength() >= INITIALIZER_EXTERNAL_THRESHOLD
                : ia.byteLength() > ATTRIBUTE_INLINE_LIMIT;
        if (external) {
            long offset = data.beginTensor();
            stream(ia, ib, data::write);
            out.message(OnnxProto.Tensor.EXTERNAL_DATA, entry("location", dataLocation));
            out.message(OnnxProto.Tensor.EXTERNAL_DATA, entry("offset", Long.toString(offset)));
            out.message(OnnxProto.Tensor.EXTERNAL_DATA, entry("length", Long.toString(ia.byteLength())));
            out.varint(OnnxProto.Tensor.DATA_LOCATION, OnnxProto.Tensor.LOCATION_EXTERNAL);
        } else {
            ByteBuffer values = ByteBuffer.allocate((int) ia.byteLength());
            stream(ia, ib, values::put);
            out.bytes(OnnxProto.Tensor.RAW_DATA, values.flip());
        }
        bytesDone += ia.byteLength();
        progress.tensorWritten(ia.name(), bytesDone, bytesTotal);
        return out;
    }

    /**
     * Streams the output values of one tensor: A's values for tensors that are not blended and
     * for α = 0, B's for α = 1 (both copied bit for bit), the interpolation otherwise.
     */
    private void stream(TensorInfo ia, TensorInfo ib, ChunkSink sink) throws IOException {
        boolean blended = ia.blended();
        boolean onlyB = blended && alpha == 1.0;
        boolean mix = blended && alpha != 0.0 && alpha != 1.0;
        ByteSource sourceA = onlyB ? null : a.open(ia);
        ByteSource sourceB = onlyB || mix ? b.open(ib) : null;
        long remaining = ia.byteLength();
        while (remaining > 0) {
            int n = (int) Math.min(CHUNK, remaining);
            ByteBuffer chunk;
            if (mix) {
                chunk = interpolation.blend(ia.type(), sourceA.next(n), sourceB.next(n));
            } else {
                chunk = onlyB ? sourceB.next(n) : sourceA.next(n);
            }
            sink.write(chunk);
            remaining -= n;
        }
    }

    private static ProtoWriter entry(String key, String value) {
        return new ProtoWriter().string(OnnxProto.Entry.KEY, key).string(OnnxProto.Entry.VALUE, value);
    }

    /** Where streamed chunks go: the external data file, or a heap buffer for inline values. */
    @FunctionalInterface
    private interface ChunkSink {
        void write(ByteBuffer chunk) throws IOException;
    }
}
