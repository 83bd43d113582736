"""Tiny torch modules and ONNX graphs for the self-test (Debian python3-torch / python3-onnx)."""
from __future__ import annotations

import os
import sys

EXPORT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if EXPORT_DIR not in sys.path:
    sys.path.insert(0, EXPORT_DIR)

import torch  # noqa: E402


class TinyUNetLike(torch.nn.Module):
    """Conv + GroupNorm + SiLU + Linear, like a UNet block; `extra` changes the graph (one more op)."""

    def __init__(self, extra: bool = False):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.norm = torch.nn.GroupNorm(2, 8)
        self.proj = torch.nn.Linear(8, 4)
        self.extra = extra

    def forward(self, x):
        h = torch.nn.functional.silu(self.norm(self.conv(x)))
        if self.extra:
            h = h * 2.0
        return self.proj(h.mean((2, 3)))


class TwinBiases(torch.nn.Module):
    """Two linear layers; torch.onnx (eval mode) deduplicates initializers with equal values."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(4, 4)
        self.b = torch.nn.Linear(4, 4)

    def forward(self, x):
        return self.b(self.a(x))


class TinyImageTower(torch.nn.Module):
    def __init__(self, dim: int = 6):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, dim, 4, stride=4)

    def forward(self, pixel_values):
        return self.conv(pixel_values).mean((2, 3))


class TinyTextTower(torch.nn.Module):
    """Token embedding + position embedding, pooled at the first EOS (argmax of the ids, as CLIP)."""

    def __init__(self, dim: int = 6, vocab: int = 49408, length: int = 77):
        super().__init__()
        self.tokens = torch.nn.Embedding(vocab, 8)
        self.positions = torch.nn.Parameter(torch.randn(length, 8) * 0.02)
        self.proj = torch.nn.Linear(8, dim, bias=False)

    def forward(self, input_ids):
        h = self.tokens(input_ids) + self.positions
        pooled = h[torch.arange(h.shape[0]), input_ids.argmax(dim=-1)]
        return self.proj(pooled)


class TinyLpipsBackbone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.c2 = torch.nn.Conv2d(4, 5, 3, stride=2, padding=1)

    def forward(self, image):
        r1 = torch.relu(self.c1(image))
        return r1, torch.relu(self.c2(r1))


def export(module, path: str, example, input_names=("x",), output_names=("y",), dynamic=True, opset=17):
    module = module.eval()
    axes = {n: {0: "batch"} for n in list(input_names) + list(output_names)} if dynamic else None
    with torch.no_grad():
        torch.onnx.export(module, (example,), path, input_names=list(input_names),
                          output_names=list(output_names), dynamic_axes=axes, opset_version=opset)
    return path


def seeded(factory, seed: int):
    torch.manual_seed(seed)
    return factory()
