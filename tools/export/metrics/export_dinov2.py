#!/usr/bin/env python3
"""Exports DINOv2 (facebook/dinov2-small|base|large|giant) as a seedgrid "image_embedding" metric model:

    OUT/model.onnx (+ model.onnx_data for giant)   pixel_values float32 [B,3,224,224] -> image_embeds [B,D]
    OUT/seedgrid-metric.json                        {"type": "image_embedding", ...}
    OUT/seedgrid-export.json                        source, versions, check results

The embedding is the CLS token after the final layer norm (Dinov2Model's pooler_output =
layernorm(last_hidden_state)[:, 0], the `x_norm_clstoken` of the original DINOv2 code); D = 384, 768,
1024, 1536 for small, base, large, giant.

Preprocessing is read from the model's BitImageProcessor. For facebook/dinov2-* its
preprocessor_config.json says: size {"shortest_edge": 256}, crop_size 224x224, resample 3 (PIL
bicubic), rescale 1/255, image_mean [0.485, 0.456, 0.406], image_std [0.229, 0.224, 0.225] (ImageNet).
Because the processor resizes the short side to 256 and then center-crops 224, seedgrid-metric.json
carries "size": 224 AND "resize_size": 256 (the contract's `size` alone would mean resize to 224).

Checks: the JSON's preprocessing reproduces the processor on test images; ONNX Runtime equals PyTorch;
the directory fits the contract.

Requirements: pip install -r tools/export/metrics/requirements-metrics.txt
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exportlib import deps, metric_export, outdir, preprocess, provenance  # noqa: E402

REQUIREMENTS = "metrics/requirements-metrics.txt"
DEFAULT_MODEL = "facebook/dinov2-small"
NAMES = {"dinov2-small": "dinov2-vits14", "dinov2-base": "dinov2-vitb14", "dinov2-large": "dinov2-vitl14",
         "dinov2-giant": "dinov2-vitg14"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Export a DINOv2 model's CLS embedding as a seedgrid "
                                                 "image_embedding metric model.")
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help=f"hub id or local folder, e.g. facebook/dinov2-base (default {DEFAULT_MODEL})")
    parser.add_argument("--revision", help="hub revision of --model")
    parser.add_argument("--out", required=True, help="output directory (must be new or empty)")
    parser.add_argument("--name", help="metric name (default dinov2-vits14 / -vitb14 / -vitl14 / -vitg14)")
    parser.add_argument("--opset", type=int, default=metric_export.DEFAULT_OPSET,
                        help=f"ONNX opset (default {metric_export.DEFAULT_OPSET})")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    return parser.parse_args(argv)


def default_name(model: str) -> str:
    base = os.path.basename(model.rstrip("/")).lower()
    return NAMES.get(base, base)


def run(args) -> int:
    modules = deps.require(["torch", "transformers", "onnx", "numpy", "PIL"], REQUIREMENTS)
    torch, np = modules["torch"], modules["numpy"]
    from transformers import AutoImageProcessor, Dinov2Model

    deps.warn_version_drift(REQUIREMENTS)
    out = outdir.prepare(args.out, args.force)
    name = args.name or default_name(args.model)
    processor = AutoImageProcessor.from_pretrained(args.model, revision=args.revision, use_fast=False)
    model = Dinov2Model.from_pretrained(args.model, revision=args.revision,
                                        attn_implementation="eager").float().eval()
    preprocessing = preprocess.from_hf_image_processor(processor)
    print(f"preprocessing from {type(processor).__name__}: {preprocessing}", flush=True)

    images = metric_export.synthetic_images()
    ours = np.stack([preprocess.reference_preprocess(img, preprocessing) for img in images])
    theirs = processor(images=images, return_tensors="np")["pixel_values"]
    preprocessing_diff = float(np.max(np.abs(ours - theirs)))
    if not preprocessing_diff <= 1e-5:
        raise SystemExit(f"error: the declared preprocessing differs from {type(processor).__name__} by "
                         f"{preprocessing_diff}; the contract cannot express this processor")

    class ClsEmbedding(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, pixel_values):
            return self.model(pixel_values=pixel_values).pooler_output

    report = metric_export.export_image_embedding(ClsEmbedding().eval(), out, name, preprocessing,
                                                  example=torch.from_numpy(theirs).float(), opset=args.opset)
    record = provenance.make(
        kind="metric-image-embedding", source={"model": args.model, "revision": args.revision},
        settings={"opset": args.opset, "embedding": "pooler_output (CLS after final layernorm)",
                  "attn_implementation": "eager", "dtype": "fp32"},
        requirements=REQUIREMENTS,
        extra={"checks": {"preprocessing_max_abs_diff": preprocessing_diff, "onnxruntime": report["onnxruntime"]}})
    provenance.write(out, record)
    print(f"checks: preprocessing max |diff| {preprocessing_diff:.2e}; onnxruntime {report['onnxruntime']}")
    print("\nfiles:\n" + outdir.tree(out))
    print(f"\nnext: seedgrid inspect model {out}")
    return 0


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
