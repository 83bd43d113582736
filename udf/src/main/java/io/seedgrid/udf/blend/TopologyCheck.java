package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether two ONNX models are the same network with possibly different float weights,
 * and otherwise names the first difference.
 *
 * <p>Compared: IR version, opset imports, model-local functions, graph inputs and outputs, the
 * nodes in order (op type, domain, inputs, outputs, every attribute, subgraphs recursively), the
 * initializers by name (data type, shape), and the values of every tensor that is not blended
 * (integer, bool, string, ...). Float tensors (FLOAT, FLOAT16, BFLOAT16, DOUBLE), in initializers
 * and in attributes such as Constant's {@code value}, may differ. Ignored: names of the graph and
 * nodes, doc strings, metadata, producer, {@code value_info} (shape annotations); the blend keeps
 * model A's. Any field this class does not know is compared as bytes.
 */
final class TopologyCheck {

    private static final Set<Integer> MODEL_IGNORED = Set.of(OnnxProto.Model.PRODUCER_NAME,
            OnnxProto.Model.PRODUCER_VERSION, OnnxProto.Model.DOMAIN, OnnxProto.Model.MODEL_VERSION,
            OnnxProto.Model.DOC_STRING, OnnxProto.Model.GRAPH, OnnxProto.Model.METADATA_PROPS,
            OnnxProto.Model.OPSET_IMPORT);
    private static final FieldNames MODEL_FIELDS = FieldNames.of(Map.of(OnnxProto.Model.IR_VERSION, "IR version",
            OnnxProto.Model.TRAINING_INFO, "training info", OnnxProto.Model.FUNCTIONS, "model-local functions"));
    /** OperatorSetIdProto.domain and .version. */
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;

    private static final Set<Integer> GRAPH_HANDLED = Set.of(OnnxProto.Graph.NODE, OnnxProto.Graph.NAME,
            OnnxProto.Graph.INITIALIZER, OnnxProto.Graph.DOC_STRING, OnnxProto.Graph.INPUT, OnnxProto.Graph.OUTPUT,
            OnnxProto.Graph.VALUE_INFO, OnnxProto.Graph.METADATA_PROPS);
    private static final FieldNames GRAPH_FIELDS = FieldNames.of(Map.of(
            OnnxProto.Graph.SPARSE_INITIALIZER, "sparse initializers",
            OnnxProto.Graph.QUANTIZATION_ANNOTATION, "quantization annotations"));

    private static final Set<Integer> VALUE_INFO_IGNORED = Set.of(OnnxProto.ValueInfo.DOC_STRING,
            OnnxProto.ValueInfo.METADATA_PROPS);
    private static final FieldNames VALUE_INFO_FIELDS = FieldNames.of(Map.of(OnnxProto.ValueInfo.NAME, "name",
            OnnxProto.ValueInfo.TYPE, "type"));

    private static final Set<Integer> NODE_HANDLED = Set.of(OnnxProto.Node.INPUT, OnnxProto.Node.OUTPUT,
            OnnxProto.Node.NAME, OnnxProto.Node.OP_TYPE, OnnxProto.Node.ATTRIBUTE, OnnxProto.Node.DOC_STRING,
            OnnxProto.Node.DOMAIN, OnnxProto.Node.METADATA_PROPS);
    private static final FieldNames NODE_FIELDS = FieldNames.of(Map.of(OnnxProto.Node.OVERLOAD, "overload"));

    private static final Set<Integer> ATTRIBUTE_HANDLED = Set.of(OnnxProto.Attribute.NAME,
            OnnxProto.Attribute.DOC_STRING, OnnxProto.Attribute.T, OnnxProto.Attribute.TENSORS,
            OnnxProto.Attribute.G, OnnxProto.Attribute.GRAPHS);
    private static final FieldNames ATTRIBUTE_FIELDS = new FieldNames(Map.ofEntries(
            Map.entry(OnnxProto.Attribute.TYPE, "type"), Map.entry(OnnxProto.Attribute.F, "value"),
            Map.entry(OnnxProto.Attribute.I, "value"), Map.entry(OnnxProto.Attribute.S, "value"),
            Map.entry(OnnxProto.Attribute.FLOATS, "values"), Map.entry(OnnxProto.Attribute.INTS, "values"),
            Map.entry(OnnxProto.Attribute.STRINGS, "values"), Map.entry(OnnxProto.Attribute.TP, "type value"),
            Map.entry(OnnxProto.Attribute.TYPE_PROTOS, "type values"),
            Map.entry(OnnxProto.Attribute.SPARSE_TENSOR, "sparse tensor"),
            Map.entry(OnnxProto.Attribute.SPARSE_TENSORS, "sparse tensors"),
            Map.entry(OnnxProto.Attribute.REF_ATTR_NAME, "ref_attr_name")),
            Set.of(OnnxProto.Attribute.FLOATS), Set.of(OnnxProto.Attribute.INTS));

    /** Tensor fields handled by name or ignored; all others are compared as bytes. */
    private static final Set<Integer> TENSOR_HANDLED = Set.of(OnnxProto.Tensor.DIMS, OnnxProto.Tensor.DATA_TYPE,
            OnnxProto.Tensor.FLOAT_DATA, OnnxProto.Tensor.INT32_DATA, OnnxProto.Tensor.STRING_DATA,
            OnnxProto.Tensor.INT64_DATA, OnnxProto.Tensor.NAME, OnnxProto.Tensor.RAW_DATA,
            OnnxProto.Tensor.DOUBLE_DATA, OnnxProto.Tensor.UINT64_DATA, OnnxProto.Tensor.DOC_STRING,
            OnnxProto.Tensor.EXTERNAL_DATA, OnnxProto.Tensor.DATA_LOCATION, OnnxProto.Tensor.METADATA_PROPS);

    private static final int COMPARE_CHUNK = 1 << 20;

    private final OnnxModelFile a;
    private final OnnxModelFile b;
    private int tensors;
    private long tensorBytes;

    private TopologyCheck(OnnxModelFile a, OnnxModelFile b) {
        this.a = a;
        this.b = b;
    }

    /**
     * Checks the pair; throws IllegalArgumentException naming the first difference.
     * @return the check, which counted the tensors a blend will write
     */
    static TopologyCheck run(OnnxModelFile a, OnnxModelFile b) throws IOException {
        TopologyCheck check = new TopologyCheck(a, b);
        try {
            check.model();
        } catch (Difference d) {
            throw new IllegalArgumentException("Models are not topologically identical, so they cannot be blended:"
                    + " A = " + a.file() + ", B = " + b.file() + ": " + d.getMessage(), d);
        }
        return check;
    }

    /** The number of tensors with values (initializers and attribute tensors, subgraphs included). */
    int tensors() {
        return tensors;
    }

    /** Their total size in raw form, STRING tensors excluded. */
    long tensorBytes() {
        return tensorBytes;
    }

    private void model() throws IOException {
        others(a.model(), b.model(), MODEL_IGNORED, MODEL_FIELDS, "model");
        List<String> opsetsA = opsets(a.model());
        List<String> opsetsB = opsets(b.model());
        if (!opsetsA.equals(opsetsB)) {
            throw new Difference("model: opset imports " + opsetsA + " in model A but " + opsetsB + " in model B");
        }
        graph(a.graph(), b.graph(), "main graph");
    }

    private void graph(ProtoMessage ga, ProtoMessage gb, String where) throws IOException {
        others(ga, gb, GRAPH_HANDLED, GRAPH_FIELDS, where);
        requireInlineSparse(ga, where);
        valueInfos(ga, gb, OnnxProto.Graph.INPUT, where + ", graph input");
        valueInfos(ga, gb, OnnxProto.Graph.OUTPUT, where + ", graph output");
        initializers(ga, gb, where);
        nodes(ga, gb, where);
    }

    private void valueInfos(ProtoMessage ga, ProtoMessage gb, int field, String what) {
        List<ProtoField> la = ga.all(field);
        List<ProtoField> lb = gb.all(field);
        for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
            ProtoMessage va = ga.message(la.get(i));
            others(va, gb.message(lb.get(i)), VALUE_INFO_IGNORED, VALUE_INFO_FIELDS,
                    what + " #" + i + " '" + va.string(OnnxProto.ValueInfo.NAME) + "'");
        }
        if (la.size() != lb.size()) {
            boolean aLonger = la.size() > lb.size();
            ProtoMessage extra = (aLonger ? ga : gb).message((aLonger ? la : lb).get(Math.min(la.size(), lb.size())));
            throw new Difference(what + " '" + extra.string(OnnxProto.ValueInfo.NAME) + "' is only in model "
                    + (aLonger ? "A" : "B") + " (A has " + la.size() + ", B has " + lb.size() + ")");
        }
    }

    private void initializers(ProtoMessage ga, ProtoMessage gb, String where) throws IOException {
        Map<String, ProtoMessage> inA = initializersByName(ga, where, "A");
        Map<String, ProtoMessage> inB = initializersByName(gb, where, "B");
        List<String> namesB = new ArrayList<>(inB.keySet());
        int index = 0;
        for (String name : inA.keySet()) {
            if (!inB.containsKey(name)) {
                String hint = index < namesB.size() && !inA.containsKey(namesB.get(index))
                        ? " (B has '" + namesB.get(index) + "' in its place)" : "";
                throw new Difference(where + ": initializer '" + name + "' of model A is missing from model B" + hint);
            }
            index++;
        }
        for (String name : namesB) {
            if (!inA.containsKey(name)) {
                throw new Difference(where + ": initializer '" + name + "' of model B is missing from model A");
            }
        }
        for (Map.Entry<String, ProtoMessage> e : inA.entrySet()) {
            tensor(e.getValue(), inB.get(e.getKey()), where + ": initializer '" + e.getKey() + "'");
        }
    }

    private static Map<String, ProtoMessage> initializersByName(ProtoMessage graph, String where, String model) {
        Map<String, ProtoMessage> out = new LinkedHashMap<>();
        for (ProtoField f : graph.all(OnnxProto.Graph.INITIALIZER)) {
            ProtoMessage t = graph.message(f);
            if (out.put(t.string(OnnxProto.Tensor.NAME), t) != null) {
                throw new Difference(where + ": model " + model + " has two initializers named '"
                        + t.string(OnnxProto.Tensor.NAME) + "'");
            }
        }
        return out;
    }

    private void nodes(ProtoMessage ga, ProtoMessage gb, String where) throws IOException {
        List<ProtoField> la = ga.all(OnnxProto.Graph.NODE);
        List<ProtoField> lb = gb.all(OnnxProto.Graph.NODE);
        int common = Math.min(la.size(), lb.size());
        for (int i = 0; i < common; i++) {
            node(i, ga.message(la.get(i)), gb.message(lb.get(i)), where);
        }
        if (la.size() != lb.size()) {
            boolean aLonger = la.size() > lb.size();
            ProtoMessage extra = (aLonger ? ga : gb).message((aLonger ? la : lb).get(common));
            throw new Difference(where + ": model " + (aLonger ? "A" : "B") + " has an extra node #" + common + " "
                    + describeNode(extra) + " (A has " + la.size() + " nodes, B has " + lb.size() + ")");
        }
    }

    private void node(int index, ProtoMessage na, ProtoMessage nb, String where) throws IOException {
        String label = where + ": node #" + index + " " + describeNode(na);
        if (!na.string(OnnxProto.Node.OP_TYPE).equals(nb.string(OnnxProto.Node.OP_TYPE))
                || !na.string(OnnxProto.Node.DOMAIN).equals(nb.string(OnnxProto.Node.DOMAIN))) {
            throw new Difference(where + ": node #" + index + " is " + describeNode(na) + " in model A but "
                    + describeNode(nb) + " in model B");
        }
        for (int field : new int[] {OnnxProto.Node.INPUT, OnnxProto.Node.OUTPUT}) {
            List<String> ia = strings(na, field);
            List<String> ib = strings(nb, field);
            if (!ia.equals(ib)) {
                throw new Difference(label + ": " + (field == OnnxProto.Node.INPUT ? "inputs " : "outputs ") + ia
                        + " in model A but " + ib + " in model B");
            }
        }
        others(na, nb, NODE_HANDLED, NODE_FIELDS, label);
        List<ProtoField> aa = na.all(OnnxProto.Node.ATTRIBUTE);
        List<ProtoField> ab = nb.all(OnnxProto.Node.ATTRIBUTE);
        for (int j = 0; j < Math.max(aa.size(), ab.size()); j++) {
            if (j >= aa.size() || j >= ab.size()) {
                boolean inA = j < aa.size();
                ProtoMessage extra = (inA ? na : nb).message((inA ? aa : ab).get(j));
                throw new Difference(label + ": attribute '" + extra.string(OnnxProto.Attribute.NAME)
                        + "' is only in model " + (inA ? "A" : "B"));
            }
            ProtoMessage attrA = na.message(aa.get(j));
            ProtoMessage attrB = nb.message(ab.get(j));
            String nameA = attrA.string(OnnxProto.Attribute.NAME);
            String nameB = attrB.string(OnnxProto.Attribute.NAME);
            if (!nameA.equals(nameB)) {
                throw new Difference(label + ": attribute #" + j + " is '" + nameA + "' in model A but '" + nameB
                        + "' in model B");
            }
            attribute(attrA, attrB, label + ", attribute '" + nameA + "'");
        }
    }

    private void attribute(ProtoMessage aa, ProtoMessage ab, String label) throws IOException {
        others(aa, ab, ATTRIBUTE_HANDLED, ATTRIBUTE_FIELDS, label);
        for (int field : new int[] {OnnxProto.Attribute.SPARSE_TENSOR, OnnxProto.Attribute.SPARSE_TENSORS}) {
            for (ProtoField f : aa.all(field)) {
                requireInline(aa.message(f), label + " (sparse tensor)");
            }
        }
        List<ProtoMessage[]> tensorPairs = pairs(aa, ab, OnnxProto.Attribute.T, label, "tensor");
        tensorPairs.addAll(pairs(aa, ab, OnnxProto.Attribute.TENSORS, label, "tensor list entry"));
        for (ProtoMessage[] p : tensorPairs) {
            tensor(p[0], p[1], label);
        }
        List<ProtoMessage[]> graphPairs = pairs(aa, ab, OnnxProto.Attribute.G, label, "subgraph");
        graphPairs.addAll(pairs(aa, ab, OnnxProto.Attribute.GRAPHS, label, "subgraph list entry"));
        for (int i = 0; i < graphPairs.size(); i++) {
            graph(graphPairs.get(i)[0], graphPairs.get(i)[1], label + (graphPairs.size() > 1 ? " subgraph #" + i : " subgraph"));
        }
    }

    private static List<ProtoMessage[]> pairs(ProtoMessage ma, ProtoMessage mb, int field, String label, String what) {
        List<ProtoField> la = ma.all(field);
        List<ProtoField> lb = mb.all(field);
        if (la.size() != lb.size()) {
            throw new Difference(label + ": " + la.size() + " " + what + "(s) in model A but " + lb.size()
                    + " in model B");
        }
        List<ProtoMessage[]> out = new ArrayList<>();
        for (int i = 0; i < la.size(); i++) {
            out.add(new ProtoMessage[] {ma.message(la.get(i)), mb.message(lb.get(i))});
        }
        return out;
    }

    private void tensor(ProtoMessage ta, ProtoMessage tb, String label) throws IOException {
        TensorInfo ia = a.tensor(ta);
        TensorInfo ib = b.tensor(tb);
        if (ia.dataType() != ib.dataType()) {
            throw new Difference(label + ": data type " + ia.describeType() + " in model A but " + ib.describeType()
                    + " in model B");
        }
        if (!ia.dims().equals(ib.dims())) {
            throw new Difference(label + ": shape " + ia.dims() + " in model A but " + ib.dims() + " in model B");
        }
        others(ta, tb, TENSOR_HANDLED, FieldNames.of(Map.of()), label);
        tensors++;
        if (ia.isString()) {
            List<ProtoField> sa = ta.all(OnnxProto.Tensor.STRING_DATA);
            List<ProtoField> sb = tb.all(OnnxProto.Tensor.STRING_DATA);
            boolean same = sa.size() == sb.size();
            for (int i = 0; same && i < sa.size(); i++) {
                same = ta.value(sa.get(i)).equals(tb.value(sb.get(i)));
            }
            if (!same) {
                throw new Difference(label + " (STRING) has different values in A and B; only FLOAT, FLOAT16,"
                        + " BFLOAT16 and DOUBLE tensors are blended, all others must be equal");
            }
            return;
        }
        tensorBytes += ia.byteLength();
        if (ia.byteLength() != ib.byteLength()) {
            throw new Difference(label + ": " + ia.byteLength() + " bytes of values in model A but "
                    + ib.byteLength() + " in model B");
        }
        if (!ia.blended()) {
            requireEqualValues(ia, ib, label);
        }
    }

    private void requireEqualValues(TensorInfo ia, TensorInfo ib, String label) throws IOException {
        ByteSource sa = a.open(ia);
        ByteSource sb = b.open(ib);
        long done = 0;
        while (done < ia.byteLength()) {
            int n = (int) Math.min(COMPARE_CHUNK, ia.byteLength() - done);
            int at = sa.next(n).mismatch(sb.next(n));
            if (at >= 0) {
                TensorType type = ia.type();
                String position = type == null || type.elementBytes() == 0
                        ? "byte " + (done + at) : "element " + (done + at) / type.elementBytes();
                throw new Difference(label + " (" + ia.describeType() + ") differs at " + position
                        + "; only FLOAT, FLOAT16, BFLOAT16 and DOUBLE tensors are blended, all others must be equal");
            }
            done += n;
        }
    }

    private void requireInlineSparse(ProtoMessage graph, String where) {
        for (ProtoField f : graph.all(OnnxProto.Graph.SPARSE_INITIALIZER)) {
            requireInline(graph.message(f), where + ", sparse initializer");
        }
    }

    /** Sparse tensors are compared and copied as bytes, so their values must not live in a file. */
    private static void requireInline(ProtoMessage sparse, String label) {
        for (ProtoField f : sparse.fields()) {
            if ((f.number() == OnnxProto.SparseTensor.VALUES || f.number() == OnnxProto.SparseTensor.INDICES)
                    && sparse.message(f).varint(OnnxProto.Tensor.DATA_LOCATION, 0)
                    == OnnxProto.Tensor.LOCATION_EXTERNAL) {
                throw new IllegalArgumentException(label + " keeps its values in external data, which the blend"
                        + " does not support for sparse tensors");
            }
        }
    }

    /** Compares every field not in {@code handled} as encoded, per field number in order. */
    private static void others(ProtoMessage ma, ProtoMessage mb, Set<Integer> handled, FieldNames names,
                               String label) {
        Set<Integer> numbers = new TreeSet<>();
        for (ProtoField f : ma.fields()) {
            numbers.add(f.number());
        }
        for (ProtoField f : mb.fields()) {
            numbers.add(f.number());
        }
        numbers.removeAll(handled);
        for (int number : numbers) {
            List<ProtoField> la = ma.all(number);
            List<ProtoField> lb = mb.all(number);
            boolean same = la.size() == lb.size();
            for (int i = 0; same && i < la.size(); i++) {
                same = ma.sameEncoding(la.get(i), mb, lb.get(i));
            }
            if (!same) {
                throw new Difference(label + ": " + names.name(number) + " is " + render(ma, la, names)
                        + " in model A but " + render(mb, lb, names) + " in model B");
            }
        }
    }

    private static String render(ProtoMessage m, List<ProtoField> fields, FieldNames names) {
        if (fields.isEmpty()) {
            return "absent";
        }
        List<String> parts = new ArrayList<>();
        for (ProtoField f : fields.subList(0, Math.min(fields.size(), 8))) {
            parts.add(renderOne(m, f, names));
        }
        if (fields.size() > 8) {
            parts.add("...");
        }
        return parts.size() == 1 ? parts.get(0) : parts.toString();
    }

    private static String renderOne(ProtoMessage m, ProtoField f, FieldNames names) {
        if (f.wireType() == ProtoField.LENGTH_DELIMITED && names.packedFloats().contains(f.number())) {
            FloatBuffer floats = m.value(f).asFloatBuffer();
            float[] values = new float[Math.min(floats.remaining(), 16)];
            floats.get(values);
            return Arrays.toString(values) + (floats.hasRemaining() ? "..." : "");
        }
        if (names.packedVarints().contains(f.number())) {
            return Arrays.toString(m.packedVarints(f));
        }
        switch (f.wireType()) {
            case ProtoField.VARINT:
                return Long.toString(m.varint(f));
            case ProtoField.FIXED32:
                return Float.toString(Float.intBitsToFloat(m.fixed32(f)));
            case ProtoField.LENGTH_DELIMITED:
                ByteBuffer value = m.value(f);
                if (value.remaining() <= 200) {
                    try {
                        String text = StandardCharsets.UTF_8.newDecoder().decode(value.duplicate()).toString();
                        if (text.chars().noneMatch(c -> c < 0x20)) {
                            return "'" + text + "'";
                        }
                    } catch (CharacterCodingException notText) {
                        // binary: described by its size below
                    }
                }
                return "<" + value.remaining() + " bytes>";
            default:
                return "<" + f.valueLength() + " bytes>";
        }
    }

    private static List<String> opsets(ProtoMessage model) {
        List<String> out = new ArrayList<>();
        for (ProtoField f : model.all(OnnxProto.Model.OPSET_IMPORT)) {
            ProtoMessage opset = model.message(f);
            String domain = opset.string(OPSET_DOMAIN);
            out.add((domain.isEmpty() ? "ai.onnx" : domain) + " v" + opset.varint(OPSET_VERSION, 0));
        }
        return out;
    }

    private static List<String> strings(ProtoMessage m, int field) {
        List<String> out = new ArrayList<>();
        for (ProtoField f : m.all(field)) {
            out.add(m.string(f));
        }
        return out;
    }

    private static String describeNode(ProtoMessage node) {
        String name = node.string(OnnxProto.Node.NAME);
        String domain = node.string(OnnxProto.Node.DOMAIN);
        String op = (domain.isEmpty() ? "" : domain + ".") + node.string(OnnxProto.Node.OP_TYPE);
        return name.isEmpty() ? "(" + op + ")" : "'" + name + "' (" + op + ")";
    }

    /** How the fields of one message kind are named in messages, and which are packed numbers. */
    private record FieldNames(Map<Integer, String> names, Set<Integer> packedFloats, Set<Integer> packedVarints) {
        static FieldNames of(Map<Integer, String> names) {
            return new FieldNames(names, Set.of(), Set.of());
        }

        String name(int number) {
            return names.getOrDefault(number, "field #" + number);
        }
    }

    /** The first difference found; turned into the user-facing IllegalArgumentException by {@link #run}. */
    private static final class Difference extends RuntimeException {
        Difference(String message) {
            super(message, null, false, false);
        }
    }
}
