"""Export + contract for metric models: the part of export_clip.py / export_dinov2.py /
export_dreamsim.py that does not depend on where the torch modules come from, so that the self-test
can run it on tiny random modules with Debian's torch.

Each function exports the module(s) with torch_onnx.export_module (fp32, dynamic batch), writes
seedgrid-metric.json, checks the directory against the contract and, when onnxruntime is installed,
compares ONNX Runtime's outputs with PyTorch's on the example inputs.
"""
from __future__ import annotations

import os
from pathlib import Path

from . import metric_contract, torch_onnx

DEFAULT_OPSET = 17
ATOL = 1e-4  # fp32 ONNX Runtime vs PyTorch, embeddings of unit-scale inputs


class ContractViolation(RuntimeError):
    pass


def _ensure_contract(directory: Path) -> None:
    problems = metric_contract.check_directory(directory)
    if problems:
        raise ContractViolation(f"{directory} does not fit seedgrid's metric contract:\n  " + "\n  ".join(problems))


def _compare_with_torch(module, path: Path, inputs: dict, label: str) -> dict:
    """{'max_abs_diff': float} or {'skipped': reason}. Raises when ONNX Runtime disagrees."""
    import torch

    feeds = {name: value.detach().cpu().numpy() for name, value in inputs.items()}
    onnx_out = torch_onnx.run_onnxruntime(path, feeds)
    if onnx_out is None:
        return {"skipped": "onnxruntime is not installed"}
    with torch.no_grad():
        expected = module(*inputs.values()).detach().cpu().numpy()
    difference = torch_onnx.max_abs_difference(onnx_out[0], expected)
    if not difference <= ATOL:  # also catches NaN
        raise ContractViolation(f"{label}: ONNX Runtime and PyTorch differ by {difference} (> {ATOL})")
    return {"max_abs_diff": difference}


def example_images(size: int, batch: int = 2, seed: int = 0):
    import torch

    generator = torch.Generator().manual_seed(seed)
    return torch.rand(batch, 3, size, size, generator=generator)


def example_token_ids(batch: int = 2, length: int = metric_contract.TEXT_LENGTH, vocab: int = 49408,
                      bos: int = 49406, eos: int = 49407, seed: int = 0):
    """[bos, random tokens, eos, eos padding...]: the layout of a padded CLIP prompt."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    ids = torch.full((batch, length), eos, dtype=torch.int64)
    for row in range(batch):
        n = 3 + 5 * row
        ids[row, 0] = bos
        ids[row, 1:1 + n] = torch.randint(0, min(vocab, bos), (n,), generator=generator)
    return ids


def export_image_embedding(module, out_dir: str | os.PathLike, name: str, preprocessing: dict,
                           example=None, opset: int = DEFAULT_OPSET) -> dict:
    """Writes out_dir/model.onnx (`pixel_values` [B,3,S,S] -> `image_embeds` [B,D]) and
    out_dir/seedgrid-metric.json (type image_embedding). Returns a report."""
    out_dir = Path(out_dir)
    contract = metric_contract.image_embedding_contract(name, preprocessing)
    example = example_images(preprocessing["size"]) if example is None else example
    path = torch_onnx.export_module(module, (example,), out_dir / "model.onnx", [contract["input"]],
                                    [contract["output"]], opset)
    metric_contract.write(out_dir, contract)
    _ensure_contract(out_dir)
    return {"contract": contract, "onnxruntime": _compare_with_torch(module, path, {contract["input"]: example},
                                                                      "image")}


def export_clip_pair(image_module, text_module, save_tokenizer, out_dir: str | os.PathLike, name: str,
                     preprocessing: dict, image_example=None, text_example=None,
                     opset: int = DEFAULT_OPSET) -> dict:
    """Writes image/model.onnx, text/model.onnx (`input_ids` [B,77] -> `text_embeds` [B,D]),
    tokenizer/ (through save_tokenizer(directory)) and seedgrid-metric.json (type clip)."""
    out_dir = Path(out_dir)
    contract = metric_contract.clip_contract(name, preprocessing)
    image, text = contract["image"], contract["text"]
    image_example = example_images(preprocessing["size"]) if image_example is None else image_example
    text_example = example_token_ids() if text_example is None else text_example
    image_path = torch_onnx.export_module(image_module, (image_example,), out_dir / image["model"],
                                          [image["input"]], [image["output"]], opset)
    text_path = torch_onnx.export_module(text_module, (text_example,), out_dir / text["model"],
                                         [text["input"]], [text["output"]], opset)
    save_tokenizer(out_dir / text["tokenizer"])
    metric_contract.write(out_dir, contract)
    _ensure_contract(out_dir)
    return {
        "contract": contract,
        "onnxruntime": {
            "image": _compare_with_torch(image_module, image_path, {image["input"]: image_example}, "image"),
            "text": _compare_with_torch(text_module, text_path, {text["input"]: text_example}, "text"),
        },
    }


def synthetic_images():
    """Deterministic RGB test images of the sizes seedgrid renders (square and portrait/landscape),
    with smooth gradients and sharp edges so that resize filters and crop offsets matter."""
    import numpy as np
    from PIL import Image

    images = []
    for width, height in ((1024, 1024), (832, 1216), (1216, 832), (641, 479)):
        y, x = np.mgrid[0:height, 0:width].astype(np.float64)
        r = 127.5 + 127.5 * np.sin(x / 37.0) * np.cos(y / 23.0)
        g = 255.0 * ((x // 64 + y // 64) % 2)
        b = 255.0 * x / max(width - 1, 1)
        pixels = np.stack([r, g, b], axis=-1).clip(0, 255).round().astype(np.uint8)
        images.append(Image.fromarray(pixels, "RGB"))
    return images
