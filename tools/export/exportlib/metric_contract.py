"""seedgrid-metric.json: writing it, and checking a metric model directory against it.

The contract is notes/METRIC_CONTRACT.md of the seedgrid project:
  image_embedding: model.onnx, `input` float32 [B,3,S,S] -> `output` [B,D], preprocessing fields;
  clip:            image/model.onnx as above, text/model.onnx `input_ids` [B,77] int32|int64 ->
                   `text_embeds` [B,D], tokenizer/ in Hugging Face CLIP format;
  lpips:           model.onnx `image` [B,3,H,W] -> one output per entry of `layers`, with the
                   per-channel `weights` in the JSON.
All graphs are fp32 with a dynamic batch axis 0. `check_directory` verifies exactly the things the Java
side validates (names, ranks, channel counts, dtypes, dynamic batch), so an export that passes it loads.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from . import preprocess

CONTRACT_FILE = "seedgrid-metric.json"
TOKENIZER_FILES = ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")
TEXT_LENGTH = 77
_PREPROCESSING_ORDER = ("size", "resize", "interpolation", "crop", "rescale", "mean", "std", "resize_size")


def _ordered_preprocessing(fields: dict) -> dict:
    preprocess.validate_preprocessing(fields)
    return {key: fields[key] for key in _PREPROCESSING_ORDER if key in fields}


def image_embedding_contract(name: str, preprocessing: dict, input_name: str = "pixel_values",
                             output_name: str = "image_embeds") -> dict:
    return {"type": "image_embedding", "name": name, "input": input_name, "output": output_name,
            **_ordered_preprocessing(preprocessing)}


def clip_contract(name: str, preprocessing: dict, image_model: str = "image/model.onnx",
                  text_model: str = "text/model.onnx", tokenizer: str = "tokenizer") -> dict:
    return {
        "type": "clip",
        "name": name,
        "image": {"model": image_model, "input": "pixel_values", "output": "image_embeds",
                  **_ordered_preprocessing(preprocessing)},
        "text": {"model": text_model, "input": "input_ids", "output": "text_embeds", "tokenizer": tokenizer},
    }


def write(directory: str | os.PathLike, contract: dict) -> Path:
    path = Path(directory) / CONTRACT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contract, indent=2) + "\n", encoding="utf-8")
    return path


def read(directory: str | os.PathLike) -> dict:
    return json.loads((Path(directory) / CONTRACT_FILE).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------- checks

def _signature(path: Path) -> dict:
    from .torch_onnx import signature

    return signature(path)


def _find(values: list, name: str):
    for value in values:
        if value[0] == name:
            return value
    return None


def _dynamic(dim) -> bool:
    return not isinstance(dim, int)


def _check_image_graph(path: Path, section: dict, label: str, problems: list) -> int | None:
    """Checks an image graph; returns its embedding width when static."""
    if not path.is_file():
        problems.append(f"{label}: {path} does not exist")
        return None
    sig = _signature(path)
    size = section.get("size")
    found = _find(sig["inputs"], section.get("input"))
    if found is None:
        problems.append(f"{label}: no graph input {section.get('input')!r}; inputs are {[i[0] for i in sig['inputs']]}")
    else:
        _, dtype, dims = found
        if dtype != "FLOAT":
            problems.append(f"{label}: input {found[0]!r} is {dtype}, the contract needs FLOAT (fp32)")
        if len(dims) != 4:
            problems.append(f"{label}: input {found[0]!r} has rank {len(dims)}, expected [B,3,S,S]")
        else:
            if not _dynamic(dims[0]):
                problems.append(f"{label}: input batch axis is fixed to {dims[0]}, the contract needs it dynamic")
            if dims[1] != 3:
                problems.append(f"{label}: input has {dims[1]} channels, expected 3")
            for axis in (2, 3):
                if isinstance(dims[axis], int) and dims[axis] != size:
                    problems.append(f"{label}: input axis {axis} is {dims[axis]}, the JSON says size {size}")
    out = _find(sig["outputs"], section.get("output"))
    if out is None:
        problems.append(f"{label}: no graph output {section.get('output')!r}; outputs are {[o[0] for o in sig['outputs']]}")
        return None
    _, dtype, dims = out
    if dtype != "FLOAT":
        problems.append(f"{label}: output {out[0]!r} is {dtype}, expected FLOAT")
    if len(dims) != 2:
        problems.append(f"{label}: output {out[0]!r} has rank {len(dims)}, expected [B,D]")
        return None
    if not _dynamic(dims[0]):
        problems.append(f"{label}: output batch axis is fixed to {dims[0]}")
    return dims[1] if isinstance(dims[1], int) else None


def _check_preprocessing(section: dict, label: str, problems: list) -> None:
    fields = {k: section[k] for k in _PREPROCESSING_ORDER if k in section}
    try:
        preprocess.validate_preprocessing(fields)
    except ValueError as error:
        problems.append(f"{label}: {error}")


def _check_text_graph(path: Path, section: dict, problems: list) -> int | None:
    if not path.is_file():
        problems.append(f"text: {path} does not exist")
        return None
    sig = _signature(path)
    found = _find(sig["inputs"], section.get("input"))
    if found is None:
        problems.append(f"text: no graph input {section.get('input')!r}; inputs are {[i[0] for i in sig['inputs']]}")
    else:
        _, dtype, dims = found
        if dtype not in ("INT32", "INT64"):
            problems.append(f"text: input {found[0]!r} is {dtype}, expected INT32 or INT64")
        if len(dims) != 2 or (isinstance(dims[1], int) and dims[1] != TEXT_LENGTH):
            problems.append(f"text: input {found[0]!r} has shape {dims}, expected [B,{TEXT_LENGTH}]")
        elif not _dynamic(dims[0]):
            problems.append(f"text: input batch axis is fixed to {dims[0]}")
    if len(sig["inputs"]) != 1:
        problems.append(f"text: the graph takes {len(sig['inputs'])} inputs {[i[0] for i in sig['inputs']]}, "
                        "seedgrid feeds only input_ids")
    out = _find(sig["outputs"], section.get("output"))
    if out is None:
        problems.append(f"text: no graph output {section.get('output')!r}; outputs are {[o[0] for o in sig['outputs']]}")
        return None
    if out[1] != "FLOAT" or len(out[2]) != 2:
        problems.append(f"text: output {out[0]!r} is {out[1]} {out[2]}, expected FLOAT [B,D]")
        return None
    return out[2][1] if isinstance(out[2][1], int) else None


def _check_lpips(directory: Path, contract: dict, problems: list) -> None:
    path = directory / "model.onnx"
    if not path.is_file():
        problems.append(f"lpips: {path} does not exist")
        return
    layers, weights = contract.get("layers"), contract.get("weights")
    if not isinstance(layers, list) or not isinstance(weights, list) or len(layers) != len(weights):
        problems.append("lpips: `layers` and `weights` must be lists of the same length")
        return
    sig = _signature(path)
    found = _find(sig["inputs"], contract.get("input"))
    if found is None:
        problems.append(f"lpips: no graph input {contract.get('input')!r}")
    elif found[1] != "FLOAT" or len(found[2]) != 4 or found[2][1] != 3 or not _dynamic(found[2][0]):
        problems.append(f"lpips: input {found[0]!r} is {found[1]} {found[2]}, expected FLOAT [B,3,H,W]")
    for layer, layer_weights in zip(layers, weights):
        out = _find(sig["outputs"], layer)
        if out is None:
            problems.append(f"lpips: no graph output {layer!r}")
            continue
        if out[1] != "FLOAT" or len(out[2]) != 4:
            problems.append(f"lpips: output {layer!r} is {out[1]} {out[2]}, expected FLOAT [B,C,H,W]")
            continue
        if not all(isinstance(w, (int, float)) and w >= 0 for w in layer_weights):
            problems.append(f"lpips: weights of {layer!r} must be non-negative numbers")
        if isinstance(out[2][1], int) and out[2][1] != len(layer_weights):
            problems.append(f"lpips: {layer!r} has {out[2][1]} channels but {len(layer_weights)} weights")


def check_directory(directory: str | os.PathLike) -> list:
    """Problems found in a metric model directory (empty when it fits the contract)."""
    directory = Path(directory)
    problems: list = []
    if not (directory / CONTRACT_FILE).is_file():
        return [f"{directory / CONTRACT_FILE} does not exist"]
    try:
        contract = read(directory)
    except json.JSONDecodeError as error:
        return [f"{CONTRACT_FILE} is not valid JSON: {error}"]
    kind = contract.get("type")
    if kind == "image_embedding":
        _check_preprocessing(contract, "image_embedding", problems)
        _check_image_graph(directory / "model.onnx", contract, "image_embedding", problems)
    elif kind == "clip":
        image, text = contract.get("image") or {}, contract.get("text") or {}
        _check_preprocessing(image, "image", problems)
        width_image = _check_image_graph(directory / image.get("model", ""), image, "image", problems)
        width_text = _check_text_graph(directory / text.get("model", ""), text, problems)
        if width_image and width_text and width_image != width_text:
            problems.append(f"image embeddings have {width_image} dims, text embeddings {width_text}")
        tokenizer = directory / text.get("tokenizer", "")
        missing = [f for f in TOKENIZER_FILES if not (tokenizer / f).is_file()]
        if missing:
            problems.append(f"tokenizer folder {tokenizer} lacks {missing}")
    elif kind == "lpips":
        _check_lpips(directory, contract, problems)
    else:
        problems.append(f"unknown type {kind!r} (expected image_embedding, clip or lpips)")
    if not contract.get("name") and kind != "lpips":
        problems.append("`name` is missing")
    return problems
