"""torch.onnx export of a module with seedgrid's conventions (metric models).

- TorchScript-based exporter (`dynamo=False` where the installed torch has that switch: torch >= 2.9
  defaults to the dynamo exporter, whose graphs and naming differ), constant folding on.
- Dynamic batch axis 0 on every input and output, every other axis static.
- Weights of a graph over protobuf's 2 GB limit go to ONE external file `<model>.onnx_data` next to the
  graph (the layout Optimum writes and ONNX Runtime reads); smaller graphs stay a single file.
- `onnx.checker` runs on the saved file (by path, which works beyond 2 GB).

Works with Debian's torch 1.13 (the self-test) and with the pinned torch of the requirements files.
"""
from __future__ import annotations

import inspect
import os
from pathlib import Path


def exporter_kwargs(torch_module) -> dict:
    """Keyword arguments that pin the TorchScript exporter on every torch version."""
    parameters = inspect.signature(torch_module.onnx.export).parameters
    return {"dynamo": False} if "dynamo" in parameters else {}


def batch_axes(names) -> dict:
    return {name: {0: "batch_size"} for name in names}


def export_module(module, example_inputs: tuple, path: str | os.PathLike, input_names: list,
                  output_names: list, opset: int = 17) -> Path:
    """Exports `module(*example_inputs)` to `path` with a dynamic batch axis; returns the path."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "_data")):
        if stale.exists():
            stale.unlink()
    module = module.eval()
    with torch.no_grad():
        torch.onnx.export(
            module,
            tuple(example_inputs),
            str(path),
            input_names=list(input_names),
            output_names=list(output_names),
            dynamic_axes=batch_axes(list(input_names) + list(output_names)),
            opset_version=opset,
            do_constant_folding=True,
            **exporter_kwargs(torch),
        )
    consolidate_external_data(path)
    check(path)
    return path


def consolidate_external_data(path: Path) -> None:
    """torch writes one external file per tensor for graphs over 2 GB: gather them into
    `<name>.onnx_data` (or leave a small graph as a single file)."""
    import onnx
    from onnx.external_data_helper import uses_external_data

    structure = onnx.load(str(path), load_external_data=False)
    external = [t for t in structure.graph.initializer if uses_external_data(t)]
    if not external:
        return
    stale = {entry.value for t in external for entry in t.external_data if entry.key == "location"}
    model = onnx.load(str(path), load_external_data=True)
    location = path.name + "_data"
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=location, size_threshold=1024, convert_attribute=False)
    for name in stale - {location}:
        stale_path = path.parent / name
        if stale_path.is_file():
            stale_path.unlink()


def check(path: Path) -> None:
    import onnx

    onnx.checker.check_model(str(path))


def signature(path: str | os.PathLike) -> dict:
    """{'inputs': [(name, dtype, dims)], 'outputs': [...]} read without the external weights; dims
    hold ints for static axes and strings for symbolic ones."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)

    def describe(values):
        described = []
        for value in values:
            tensor_type = value.type.tensor_type
            dims = []
            for dim in tensor_type.shape.dim:
                which = dim.WhichOneof("value")
                dims.append(dim.dim_value if which == "dim_value" else (dim.dim_param or "?"))
            described.append((value.name, onnx.TensorProto.DataType.Name(tensor_type.elem_type), dims))
        return described

    initializers = {t.name for t in model.graph.initializer}
    return {
        "inputs": describe([v for v in model.graph.input if v.name not in initializers]),
        "outputs": describe(model.graph.output),
        "opset": {imp.domain or "ai.onnx": imp.version for imp in model.opset_import},
    }


def run_onnxruntime(path: str | os.PathLike, feeds: dict):
    """Runs the graph with ONNX Runtime on CPU; returns the outputs, or None when onnxruntime is not
    installed (the Debian self-test has no onnxruntime)."""
    try:
        import onnxruntime
    except ImportError:
        return None
    options = onnxruntime.SessionOptions()
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def max_abs_difference(a, b) -> float:
    import numpy as np

    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))
