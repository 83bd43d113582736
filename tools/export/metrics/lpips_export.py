#!/usr/bin/env python3
"""Export an LPIPS v0.1 backbone (AlexNet or VGG16) as a seedgrid metric model, or compute reference
LPIPS distances for images in PyTorch.

seedgrid metric model contract (type "lpips"): <out>/model.onnx maps `image` float32 [B,3,H,W] in
[-1,1] to the backbone activations relu1..relu5, with LPIPS' ScalingLayer (shift [-.030,-.088,-.188],
scale [.458,.448,.450]) applied inside the graph; <out>/seedgrid-metric.json carries the per-channel
linear weights of LPIPS v0.1 (the 1x1 `lin` convolutions, non-negative). seedgrid then computes
    d(x0, x1) = sum_l sum_c w_lc * mean_hw (f0_hat - f1_hat)^2,   f_hat = f / (||f||_channels + 1e-10)
(Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric", eq. 1).

The backbone is torchvision's architecture (alexnet().features / vgg16().features), cut after each
ReLU where LPIPS takes its activations:
    alex: features[0:2], [2:5], [5:8], [8:10], [10:12]    channels 64, 192, 384, 256, 256
    vgg:  features[0:4], [4:9], [9:16], [16:23], [23:30]  channels 64, 128, 256, 512, 512

Real weights (nothing is downloaded by this script; fetch them yourself):
  --lpips-weights     LPIPS v0.1 linear layers: lpips/weights/v0.1/alex.pth (or vgg.pth) from
                      https://github.com/richzhang/PerceptualSimilarity (also inside `pip install lpips`)
  --backbone-weights  torchvision's ImageNet weights for the full classifier:
                      alexnet-owt-7be5be79.pth (AlexNet_Weights.IMAGENET1K_V1) or
                      vgg16-397923af.pth (VGG16_Weights.IMAGENET1K_V1), e.g. from
                      https://download.pytorch.org/models/
  Example:
    python lpips_export.py export --net alex --lpips-weights alex.pth \
        --backbone-weights alexnet-owt-7be5be79.pth --out models/metrics/lpips-alex

Seeded random weights (for tests; the result measures nothing perceptual):
    python lpips_export.py export --net alex --random-seed 7 --width-scale 0.25 --out DIR
  --width-scale keeps the topology but multiplies every hidden channel count (rounded, >= 1), so a
  test fixture stays small (AlexNet at 0.25: 16/48/96/64/64 channels, about 0.6 MB instead of 10 MB).
  A part without a weights file (the linear layers, the backbone or both) is drawn from the seed.

Reference distances (our own PyTorch implementation of the formula above, independent of seedgrid's
Java code), for a model built from the same arguments:
    python lpips_export.py reference --net alex --random-seed 7 --width-scale 0.25 \
        --images a.png b.png c.png --out lpips.json
  Images are read with PIL as RGB uint8 and mapped to [-1,1] as x / 127.5 - 1; all pairs (i < j)
  of the listed images, in order (0,1), (0,2), ..., are written; pairs must have equal sizes.

Requirements: requirements-lpips.txt (torch, torchvision, numpy, Pillow). Tested with torch 1.13.1,
torchvision 0.14.1 (Debian bookworm python3-torch / python3-torchvision).
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exportlib.torch_onnx import exporter_kwargs  # noqa: E402

LAYERS = ["relu1", "relu2", "relu3", "relu4", "relu5"]
SLICES = {"alex": [(0, 2), (2, 5), (5, 8), (8, 10), (10, 12)],
          "vgg": [(0, 4), (4, 9), (9, 16), (16, 23), (23, 30)]}
SHIFT = [-.030, -.088, -.188]
SCALE = [.458, .448, .450]
EPS = 1e-10


class LpipsBackbone(torch.nn.Module):
    """ScalingLayer followed by the backbone slices; returns the five ReLU activations."""

    def __init__(self, features, slices):
        super().__init__()
        self.register_buffer("shift", torch.tensor(SHIFT, dtype=torch.float32)[None, :, None, None])
        self.register_buffer("scale", torch.tensor(SCALE, dtype=torch.float32)[None, :, None, None])
        self.slices = torch.nn.ModuleList(
            torch.nn.Sequential(*[features[i] for i in range(lo, hi)]) for lo, hi in slices)

    def forward(self, image):
        h = (image - self.shift) / self.scale
        outs = []
        for s in self.slices:
            h = s(h)
            outs.append(h)
        return tuple(outs)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def torchvision_features(net):
    model = torchvision.models.alexnet(weights=None) if net == "alex" else torchvision.models.vgg16(weights=None)
    return model


def scaled_features(features, width_scale):
    """Same layers as torchvision's `features`, every hidden channel count times width_scale."""
    layers, channels = [], 3
    for module in features:
        if isinstance(module, torch.nn.Conv2d):
            out = max(1, int(round(module.out_channels * width_scale)))
            layers.append(torch.nn.Conv2d(channels, out, module.kernel_size, module.stride, module.padding))
            channels = out
        elif isinstance(module, torch.nn.ReLU):
            layers.append(torch.nn.ReLU(inplace=False))
        else:
            layers.append(module)
    return torch.nn.Sequential(*layers)


def build(args):
    """Returns (backbone module in eval mode, per-layer weights as lists, provenance dict)."""
    random_parts = [p for p, w in (("lin", args.lpips_weights), ("backbone", args.backbone_weights)) if not w]
    if random_parts and args.random_seed is None:
        raise SystemExit("no weights file for %s: pass --lpips-weights/--backbone-weights, or --random-seed N "
                         "for seeded random test weights" % " and ".join(random_parts))
    if args.width_scale != 1.0 and args.backbone_weights:
        raise SystemExit("--width-scale changes the channel counts; it only works with random backbone weights")
    generator_seed = args.random_seed if args.random_seed is not None else 0
    torch.manual_seed(generator_seed)
    model = torchvision_features(args.net)
    provenance = {"net": args.net}
    if args.backbone_weights:
        state = torch.load(args.backbone_weights, map_location="cpu")
        model.load_state_dict(state)
        provenance["backbone"] = {"file": os.path.basename(args.backbone_weights),
                                  "sha256": sha256(args.backbone_weights)}
    else:
        provenance["backbone"] = {"random_seed": args.random_seed, "width_scale": args.width_scale}
    features = model.features
    if args.width_scale != 1.0:
        features = scaled_features(features, args.width_scale)
    else:
        features = torch.nn.Sequential(*[torch.nn.ReLU(inplace=False) if isinstance(m, torch.nn.ReLU) else m
                                         for m in features])
    backbone = LpipsBackbone(features, SLICES[args.net]).eval()
    channels = [[m for m in s if isinstance(m, torch.nn.Conv2d)][-1].out_channels for s in backbone.slices]

    if args.lpips_weights:
        state = torch.load(args.lpips_weights, map_location="cpu")
        weights = []
        for l, c in enumerate(channels):
            key = "lin%d.model.1.weight" % l
            if key not in state:
                raise SystemExit("%s has no %s: is it an LPIPS v0.1 weights file?" % (args.lpips_weights, key))
            w = state[key].reshape(-1)
            if w.numel() != c:
                raise SystemExit("%s: %s has %d channels, the %s backbone has %d"
                                 % (args.lpips_weights, key, w.numel(), args.net, c))
            weights.append(w.float())
        provenance["lin"] = {"file": os.path.basename(args.lpips_weights), "sha256": sha256(args.lpips_weights)}
    else:
        gen = torch.Generator().manual_seed(generator_seed + 1)
        weights = []
        for c in channels:
            w = torch.rand(c, generator=gen) * 0.2
            w[torch.rand(c, generator=gen) < 0.1] = 0.0  # LPIPS' trained weights hold exact zeros too
            weights.append(w)
        provenance["lin"] = {"random_seed": args.random_seed}
    return backbone, weights, provenance


def export(args):
    backbone, weights, provenance = build(args)
    os.makedirs(args.out, exist_ok=True)
    dummy = torch.zeros(1, 3, 64, 64)
    dynamic = {"image": {0: "batch", 2: "height", 3: "width"}}
    for name in LAYERS:
        dynamic[name] = {0: "batch", 2: name + "_height", 3: name + "_width"}
    torch.onnx.export(backbone, (dummy,), os.path.join(args.out, "model.onnx"), input_names=["image"],
                      output_names=LAYERS, dynamic_axes=dynamic, opset_version=args.opset,
                      do_constant_folding=True, **exporter_kwargs(torch))  # TorchScript exporter: one file
    spec = {"type": "lpips", "version": "0.1", "net": args.net, "input": "image", "layers": LAYERS,
            "weights": [[float(v) for v in w.tolist()] for w in weights],
            "provenance": provenance}
    with open(os.path.join(args.out, "seedgrid-metric.json"), "w") as f:
        json.dump(spec, f)
    print("wrote", args.out, "channels", [len(w) for w in weights])


def load_image(path):
    arr = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    return torch.from_numpy(arr / 127.5 - 1.0).permute(2, 0, 1).unsqueeze(0).contiguous()


def lpips_distance(feats0, feats1, weights):
    """Zhang et al. 2018 eq. 1 with v0.1 normalisation; float32 like the original implementation."""
    total = torch.zeros(())
    for f0, f1, w in zip(feats0, feats1, weights):
        n0 = f0 / (torch.sqrt(torch.sum(f0 * f0, dim=1, keepdim=True)) + EPS)
        n1 = f1 / (torch.sqrt(torch.sum(f1 * f1, dim=1, keepdim=True)) + EPS)
        diff = (n0 - n1) ** 2
        weighted = torch.sum(diff * w.view(1, -1, 1, 1), dim=1)
        total = total + weighted.mean()
    return float(total)


def reference(args):
    backbone, weights, provenance = build(args)
    feats = []
    with torch.no_grad():
        for path in args.images:
            feats.append(backbone(load_image(path)))
        pairs = []
        for i in range(len(args.images)):
            for j in range(i + 1, len(args.images)):
                pairs.append({"a": os.path.basename(args.images[i]), "b": os.path.basename(args.images[j]),
                              "distance": lpips_distance(feats[i], feats[j], weights)})
    result = {"source": "tools/export/metrics/lpips_export.py reference", "provenance": provenance,
              "images": [os.path.basename(p) for p in args.images], "pairs": pairs}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    for p in pairs:
        print(p)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("export", "reference"):
        p = sub.add_parser(name)
        p.add_argument("--net", choices=sorted(SLICES), default="alex")
        p.add_argument("--lpips-weights", help="LPIPS v0.1 linear weights (.pth)")
        p.add_argument("--backbone-weights", help="torchvision ImageNet weights of the backbone (.pth)")
        p.add_argument("--random-seed", type=int, help="seed for the parts without a weights file")
        p.add_argument("--width-scale", type=float, default=1.0,
                       help="channel multiplier for random test backbones (default 1.0)")
        p.add_argument("--out", required=True, help="export: output directory; reference: output JSON file")
        if name == "export":
            p.add_argument("--opset", type=int, default=14)
        else:
            p.add_argument("--images", nargs="+", required=True, help="PNG/JPEG images, all pairs are compared")
    args = parser.parse_args()
    export(args) if args.command == "export" else reference(args)


if __name__ == "__main__":
    main()
