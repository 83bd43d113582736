"""Check that the base and the student UNet ONNX graphs are identical except for initializer values:
same inputs/outputs (names, types, shapes), same nodes in the same order (op type, inputs, outputs,
attributes), same initializer names, shapes and dtypes. The blend recipe (W_base + a (W_student - W_base)
by initializer name) relies on this. Prints how many initializers differ and the largest relative change.

Rerun: /usr/bin/python3 tools/toymodel/check_unet_graphs.py [models/base/unet/model.onnx models/dmd2/unet/model.onnx]
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def signature(g):
    io = [(v.name, v.type.SerializeToString()) for v in list(g.input) + list(g.output)]
    nodes = [(n.op_type, tuple(n.input), tuple(n.output), tuple(a.SerializeToString() for a in n.attribute))
             for n in g.node]
    inits = [(i.name, tuple(i.dims), i.data_type) for i in g.initializer]
    return io, nodes, inits


def main(a, b):
    ga, gb = onnx.load(a).graph, onnx.load(b).graph
    sa, sb = signature(ga), signature(gb)
    for what, x, y in zip(("inputs/outputs", "nodes", "initializers"), sa, sb):
        if x != y:
            raise SystemExit(f"DIFFERENT {what}: {a} vs {b}")
    wa = {i.name: numpy_helper.to_array(i) for i in ga.initializer}
    wb = {i.name: numpy_helper.to_array(i) for i in gb.initializer}
    changed = [n for n in wa if not np.array_equal(wa[n], wb[n])]
    rel = max(float(np.linalg.norm(wb[n] - wa[n]) / (np.linalg.norm(wa[n]) + 1e-12)) for n in changed) \
        if changed else 0.0
    print(f"same graph: {len(sa[1])} nodes, {len(wa)} initializers ({sum(v.size for v in wa.values()):,d} "
          f"values); {len(changed)} initializers differ, max relative change {rel:.4f}")


if __name__ == "__main__":
    args = sys.argv[1:] or [os.path.join(HERE, "../../models/base/unet/model.onnx"),
                            os.path.join(HERE, "../../models/dmd2/unet/model.onnx")]
    main(*args)
