#!/usr/bin/python3
"""Writes the device probe's graph: udf/src/main/resources/io/seedgrid/udf/onnx/probe.onnx.

seedgrid proves a GPU works by creating a session for this graph on it and running it once (OrtRuntime):
a 3x3 convolution (cuDNN), a ReLU and a matrix product (cuBLAS) over a [1, 4, 16, 16] float input, so that
a missing cuDNN or cuBLAS shows at the probe, not at the first SDXL call. The weights are fixed numbers from
a seeded generator; the probe compares the GPU's output with the CPU's.

    /usr/bin/python3 tools/probe/make_probe_model.py   # needs Debian's python3-onnx and python3-numpy
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = pathlib.Path(__file__).resolve().parents[2] / "udf/src/main/resources/io/seedgrid/udf/onnx/probe.onnx"


def main():
    rng = np.random.default_rng(20240613)
    w = rng.standard_normal((8, 4, 3, 3)).astype(np.float32) * 0.2
    b = rng.standard_normal((8,)).astype(np.float32) * 0.1
    m = rng.standard_normal((16, 16)).astype(np.float32) * 0.25
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
            helper.make_node("Relu", ["c"], ["r"]),
            helper.make_node("MatMul", ["r", "m"], ["y"]),
        ],
        "seedgrid_device_probe",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 16, 16])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"), numpy_helper.from_array(m, "m")],
    )
    # IR 8 / opset 17: what ONNX Runtime 1.28 reads, and what TensorRT 10's parser takes.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="seedgrid")
    model.ir_version = 8
    onnx.checker.check_model(model)
    OUT.write_bytes(model.SerializeToString())
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
