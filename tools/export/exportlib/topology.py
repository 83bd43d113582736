"""Structural comparison of two ONNX graphs, without loading their external weights.

seedgrid blends two UNets weight by weight, W = W_base + alpha * (W_dmd2 - W_base), matching initializers
by name. That is only sound when both graphs are the same computation: same nodes in the same order
with the same op types, wiring and attributes, same inputs and outputs, and the same set of
initializer names with the same dtypes and shapes. `compare_models` checks exactly that and reports the
first difference (and, on request, more of them).

Node *names* do not take part in the computation; differences there are reported as cosmetic.
Constant nodes are compared by value, because a blend by initializer would silently keep the first
graph's constants.

Only `onnx` (and, for inline typed tensor data, numpy) is needed: the checker runs with Debian's
python3-onnx.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

_CHUNK = 16 << 20


@dataclass(frozen=True)
class Difference:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True)
class GraphSummary:
    nodes: int
    initializers: int
    inputs: int
    outputs: int
    parameters: int  # total number of initializer elements
    opsets: dict

    def __str__(self) -> str:
        opsets = ", ".join(f"{d or 'ai.onnx'} {v}" for d, v in sorted(self.opsets.items()))
        return (f"{self.nodes} nodes, {self.initializers} initializers "
                f"({self.parameters:,} elements), {self.inputs} inputs, {self.outputs} outputs, opset {opsets}")


@dataclass
class Comparison:
    summary_a: GraphSummary
    summary_b: GraphSummary
    differences: list = field(default_factory=list)  # structural, in the order they were found
    cosmetic: list = field(default_factory=list)  # node names only
    truncated: bool = False  # True when the search stopped at max_differences

    @property
    def identical(self) -> bool:
        return not self.differences


@dataclass
class ValueComparison:
    compared: int
    differing: list  # names of initializers whose bytes differ
    unreadable: list  # names whose data could not be read (missing external file, ...)

    @property
    def equal(self) -> int:
        return self.compared - len(self.differing) - len(self.unreadable)


class _Collector:
    def __init__(self, limit: int):
        self.limit = limit
        self.items: list = []
        self.truncated = False

    def add(self, where: str, what: str) -> bool:
        """Records a difference; returns False once the limit is reached (the caller stops)."""
        if len(self.items) >= self.limit:
            self.truncated = True
            return False
        self.items.append(Difference(where, what))
        return len(self.items) < self.limit

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit


def load_structure(path: str):
    """Loads an ONNX model without its external data (only the graph and the tensor metadata)."""
    import onnx

    return onnx.load(path, load_external_data=False)


def summarize(model) -> GraphSummary:
    parameters = 0
    for tensor in model.graph.initializer:
        count = 1
        for d in tensor.dims:
            count *= d
        parameters += count
    return GraphSummary(
        nodes=len(model.graph.node),
        initializers=len(model.graph.initializer),
        inputs=len(model.graph.input),
        outputs=len(model.graph.output),
        parameters=parameters,
        opsets={imp.domain: imp.version for imp in model.opset_import},
    )


def _dtype_name(elem_type: int) -> str:
    import onnx

    try:
        return onnx.TensorProto.DataType.Name(elem_type)
    except ValueError:
        return f"dtype#{elem_type}"


def _value_info_signature(value_info) -> str:
    """'FLOAT16 [batch_size,4,height,width]'; a rank-0 tensor shows [], an unknown shape ?."""
    kind = value_info.type.WhichOneof("value")
    if kind != "tensor_type":
        return f"<{kind}>"
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return f"{_dtype_name(tensor_type.elem_type)} ?"
    dims = []
    for dim in tensor_type.shape.dim:
        which = dim.WhichOneof("value")
        dims.append(str(dim.dim_value) if which == "dim_value" else (dim.dim_param if which else "?"))
    return f"{_dtype_name(tensor_type.elem_type)} [{','.join(dims)}]"


def _tensor_signature(tensor) -> str:
    return f"{_dtype_name(tensor.data_type)} [{','.join(str(d) for d in tensor.dims)}]"


def _is_external(tensor) -> bool:
    import onnx

    return tensor.data_location == onnx.TensorProto.EXTERNAL


def _compare_value_infos(kind: str, list_a, list_b, out: _Collector) -> None:
    if len(list_a) != len(list_b):
        names_a = [v.name for v in list_a]
        names_b = [v.name for v in list_b]
        out.add(f"graph {kind}s", f"{len(list_a)} vs {len(list_b)} ({names_a} vs {names_b})")
        return
    for i, (a, b) in enumerate(zip(list_a, list_b)):
        if a.name != b.name:
            if not out.add(f"graph {kind} #{i}", f"name {a.name!r} vs {b.name!r}"):
                return
            continue
        sig_a, sig_b = _value_info_signature(a), _value_info_signature(b)
        if sig_a != sig_b and not out.add(f"graph {kind} {a.name!r}", f"{sig_a} vs {sig_b}"):
            return


def _compare_initializers(graph_a, graph_b, where: str, out: _Collector) -> None:
    init_a = {t.name: t for t in graph_a.initializer}
    init_b = {t.name: t for t in graph_b.initializer}
    only_a = sorted(set(init_a) - set(init_b))
    only_b = sorted(set(init_b) - set(init_a))
    if only_a and not out.add(f"{where}initializers", f"{len(only_a)} only in A, e.g. {only_a[:5]}"):
        return
    if only_b and not out.add(f"{where}initializers", f"{len(only_b)} only in B, e.g. {only_b[:5]}"):
        return
    for name in sorted(set(init_a) & set(init_b)):
        sig_a, sig_b = _tensor_signature(init_a[name]), _tensor_signature(init_b[name])
        if sig_a != sig_b and not out.add(f"{where}initializer {name!r}", f"{sig_a} vs {sig_b}"):
            return
    if len(graph_a.sparse_initializer) != len(graph_b.sparse_initializer):
        out.add(f"{where}sparse initializers",
                f"{len(graph_a.sparse_initializer)} vs {len(graph_b.sparse_initializer)}")


def _tensor_identity(tensor) -> bytes:
    """Bytes that identify an inline tensor's content (its serialization without the name)."""
    copy = type(tensor)()
    copy.CopyFrom(tensor)
    copy.name = ""
    return copy.SerializeToString()


def _compare_attribute(where: str, a, b, out: _Collector, depth: int) -> bool:
    import onnx

    if a.type != b.type:
        return out.add(where, f"attribute type {a.type} vs {b.type}")
    kind = onnx.AttributeProto.AttributeType.Name(a.type)
    if kind == "GRAPH":
        return _compare_graphs(a.g, b.g, f"{where} subgraph: ", out, depth + 1)
    if kind == "GRAPHS":
        if len(a.graphs) != len(b.graphs):
            return out.add(where, f"{len(a.graphs)} vs {len(b.graphs)} subgraphs")
        for i, (ga, gb) in enumerate(zip(a.graphs, b.graphs)):
            if not _compare_graphs(ga, gb, f"{where} subgraph #{i}: ", out, depth + 1):
                return False
        return True
    if kind == "TENSOR":
        ta, tb = a.t, b.t
        if _tensor_signature(ta) != _tensor_signature(tb):
            return out.add(where, f"tensor {_tensor_signature(ta)} vs {_tensor_signature(tb)}")
        if _is_external(ta) or _is_external(tb):
            return True  # stored outside the graph: compared by --values only
        if _tensor_identity(ta) != _tensor_identity(tb):
            return out.add(where, f"constant tensor {_tensor_signature(ta)} has different values")
        return True
    ca, cb = type(a)(), type(b)()
    ca.CopyFrom(a)
    cb.CopyFrom(b)
    ca.doc_string = cb.doc_string = ""
    if ca.SerializeToString() != cb.SerializeToString():
        return out.add(where, f"{_attribute_text(a)} vs {_attribute_text(b)}")
    return True


def _attribute_text(attribute) -> str:
    import onnx

    value = onnx.helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _compare_nodes(graph_a, graph_b, where: str, out: _Collector, cosmetic: list, depth: int) -> bool:
    nodes_a, nodes_b = graph_a.node, graph_b.node
    for i, (a, b) in enumerate(zip(nodes_a, nodes_b)):
        label = f"{where}node #{i} ({a.name or a.op_type})"
        if (a.domain, a.op_type) != (b.domain, b.op_type):
            return out.add(label, f"op {a.domain + '::' if a.domain else ''}{a.op_type} vs "
                                  f"{b.domain + '::' if b.domain else ''}{b.op_type} (B: {b.name!r})")
        if list(a.input) != list(b.input):
            if not out.add(label, f"inputs {list(a.input)} vs {list(b.input)}"):
                return False
        if list(a.output) != list(b.output):
            if not out.add(label, f"outputs {list(a.output)} vs {list(b.output)}"):
                return False
        attrs_a = {x.name: x for x in a.attribute}
        attrs_b = {x.name: x for x in b.attribute}
        if set(attrs_a) != set(attrs_b):
            if not out.add(label, f"attributes {sorted(attrs_a)} vs {sorted(attrs_b)}"):
                return False
        for name in sorted(set(attrs_a) & set(attrs_b)):
            if not _compare_attribute(f"{label} attribute {name!r}", attrs_a[name], attrs_b[name], out, depth):
                return False
        if a.name != b.name and depth == 0:
            cosmetic.append(Difference(label, f"node name {a.name!r} vs {b.name!r}"))
    if len(nodes_a) != len(nodes_b):
        longer, which = (nodes_a, "A") if len(nodes_a) > len(nodes_b) else (nodes_b, "B")
        extra = longer[min(len(nodes_a), len(nodes_b))]
        return out.add(f"{where}node count", f"{len(nodes_a)} vs {len(nodes_b)}; first extra node in {which}: "
                                             f"#{min(len(nodes_a), len(nodes_b))} {extra.op_type} {extra.name!r}")
    return True


def _compare_graphs(graph_a, graph_b, where: str, out: _Collector, depth: int, cosmetic=None) -> bool:
    cosmetic = [] if cosmetic is None else cosmetic
    _compare_value_infos(f"{where}input", graph_a.input, graph_b.input, out)
    if not out.full:
        _compare_value_infos(f"{where}output", graph_a.output, graph_b.output, out)
    if not out.full:
        _compare_initializers(graph_a, graph_b, where, out)
    if not out.full:
        _compare_nodes(graph_a, graph_b, where, out, cosmetic, depth)
    return not out.full


def compare_models(model_a, model_b, max_differences: int = 1) -> Comparison:
    """Compares two loaded ModelProtos (see `load_structure`). Stops after `max_differences`
    structural differences; the first one is the first found in this order: opsets, graph inputs,
    graph outputs, initializer names, initializer dtypes/shapes, then the nodes in graph order."""
    out = _Collector(max(1, max_differences))
    cosmetic: list = []
    opsets_a = {imp.domain: imp.version for imp in model_a.opset_import}
    opsets_b = {imp.domain: imp.version for imp in model_b.opset_import}
    if opsets_a != opsets_b:
        out.add("opset imports", f"{opsets_a} vs {opsets_b}")
    if not out.full:
        _compare_graphs(model_a.graph, model_b.graph, "", out, 0, cosmetic)
    return Comparison(summarize(model_a), summarize(model_b), out.items, cosmetic, out.truncated)


# ---------------------------------------------------------------- values (optional, streams weights)

def _external_info(tensor) -> dict:
    return {entry.key: entry.value for entry in tensor.external_data}


def tensor_digest(tensor, model_dir: str) -> str:
    """sha256 of a tensor's raw little-endian bytes, read from the graph or streamed from its external
    data file (`location`, `offset`, `length` as written by onnx.save(..., save_as_external_data=True))."""
    digest = hashlib.sha256()
    if _is_external(tensor):
        info = _external_info(tensor)
        path = os.path.join(model_dir, info["location"])
        offset = int(info.get("offset", 0))
        length = int(info["length"]) if "length" in info else os.path.getsize(path) - offset
        with open(path, "rb") as handle:
            handle.seek(offset)
            remaining = length
            while remaining > 0:
                chunk = handle.read(min(_CHUNK, remaining))
                if not chunk:
                    raise OSError(f"{path} ends before offset {offset} + length {length}")
                digest.update(chunk)
                remaining -= len(chunk)
    elif tensor.HasField("raw_data"):
        digest.update(tensor.raw_data)
    else:
        from onnx import numpy_helper

        digest.update(numpy_helper.to_array(tensor).tobytes())
    return digest.hexdigest()


def compare_values(model_a, dir_a: str, model_b, dir_b: str) -> ValueComparison:
    """Compares the bytes of the initializers both graphs share (by name and signature)."""
    init_b = {t.name: t for t in model_b.graph.initializer}
    differing, unreadable, compared = [], [], 0
    for tensor_a in model_a.graph.initializer:
        tensor_b = init_b.get(tensor_a.name)
        if tensor_b is None or _tensor_signature(tensor_a) != _tensor_signature(tensor_b):
            continue
        compared += 1
        try:
            if tensor_digest(tensor_a, dir_a) != tensor_digest(tensor_b, dir_b):
                differing.append(tensor_a.name)
        except (OSError, KeyError, ValueError) as error:
            unreadable.append(f"{tensor_a.name} ({error})")
    return ValueComparison(compared, differing, unreadable)
