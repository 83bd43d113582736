#!/usr/bin/env python3
"""Exports DreamSim (Fu, Tamir et al. 2023; pip package `dreamsim`, github ssundaram21/dreamsim) as a
seedgrid "image_embedding" metric model whose cosine distance IS DreamSim's distance:

    OUT/model.onnx              pixel_values float32 [B,3,224,224] in [0,1] -> image_embeds [B,D]
    OUT/seedgrid-metric.json    {"type": "image_embedding", "resize": "squash", "crop": "none",
                                 "mean": [0,0,0], "std": [1,1,1], ...}
    OUT/seedgrid-export.json    source, versions, check results

What DreamSim does (dreamsim/model.py, v0.2.1):
  preprocess: PIL image -> RGB -> torchvision Resize((224, 224), BICUBIC) -> ToTensor ([0,1]); no crop;
  embed:      for each backbone of the type (ensemble = DINO ViT-B/16 CLS + CLIP ViT-B/16 embedding +
              OpenCLIP ViT-B/16 embedding), normalise the [0,1] image with THAT backbone's mean/std
              (ImageNet for DINO, OpenAI-CLIP constants for the CLIP models), extract its feature,
              concatenate (ensemble D = 768 + 512 + 512 = 1792), apply the head (identity for the LoRA
              models), and with normalize_embeds (the default) subtract the vector's mean and divide by its
              norm;
  distance:   1 - cos(embed(a), embed(b)).

How it fits the contract exactly: the contract has ONE mean/std, but the ensemble needs three, so the
per-backbone normalisation stays INSIDE the ONNX graph and the JSON declares mean 0 / std 1 on
[0,1] pixels (rescale 1/255), squash resize 224 bicubic, no crop - which is DreamSim's own
preprocessing. The graph ends with DreamSim's mean-centring and normalisation, so seedgrid's
1 - cos of the L2-normalised output equals DreamSim's distance. The LoRA weights are merged into the
backbones (peft merge_and_unload) before export.

Not covered: the `*_patch` variants (their distance pools per-patch embeddings; use the CLS types).
Weights: dreamsim() downloads its checkpoints (GitHub releases) and the DINO code/weights (torch.hub)
into --cache-dir on first use; this is the only network access and it happens on your machine.

Checks: our wrapper equals model.embed and model(a, b) of the dreamsim package; the JSON's
preprocessing equals dreamsim's preprocess on test images; ONNX Runtime equals PyTorch.

Test fixtures (--test-width W): seedgrid's tests cannot hold three ViT-B/16 backbones (about 1 GB), so
tools/reference/metrics/make_real_metric_fixtures.py writes seeded random checkpoints of width W into a
--cache-dir in the layout dreamsim reads (clip_vitb16_pretrain.pth.tar, open_clip_vitb16_pretrain.pth.tar,
dino_vitb16_pretrain.pth, ensemble_lora/, and torch hub's checkpoints/dino_vitbase16_pretrain.pth) and
exports them with this flag. It changes one number: dreamsim's ViT-B builder (vit_base: 12 blocks, 12
heads, MLP ratio 4, qkv bias, LayerNorm eps 1e-6) makes embed_dim W instead of 768; and DINO's torch hub
entry point, which would download DINO's code, is built locally the way DINO's hubconf builds it
(vit_base(patch_size=16, num_classes=0) from dreamsim's copy of DINO's vision_transformer.py, then its
state dict from the hub cache). Everything else, LoRA loading and merging included, is dreamsim's own code.

Requirements: pip install -r tools/export/metrics/requirements-dreamsim.txt
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exportlib import deps, metric_export, outdir, preprocess, provenance  # noqa: E402

REQUIREMENTS = "metrics/requirements-dreamsim.txt"
TYPES = ("ensemble", "dino_vitb16", "dinov2_vitb14", "clip_vitb32", "open_clip_vitb32", "synclr_vitb16")
IMAGE_SIZE = 224  # dreamsim.config.dreamsim_args["img_size"]
# dreamsim's preprocess: Resize((224, 224), BICUBIC) + ToTensor, no normalisation outside the model
PREPROCESSING = {"size": IMAGE_SIZE, "resize": "squash", "interpolation": "bicubic", "crop": "none",
                 "rescale": preprocess.RESCALE_1_255, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]}
TORCH_ATOL = 1e-4  # merged LoRA vs adapters, unit-norm embeddings


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Export DreamSim as a seedgrid image_embedding metric model "
                                                 "whose cosine distance equals DreamSim's distance.")
    parser.add_argument("--dreamsim-type", choices=TYPES, default="ensemble",
                        help="DreamSim model (default ensemble, the paper's main model)")
    parser.add_argument("--cache-dir", default=os.path.join("models", "dreamsim-cache"),
                        help="where dreamsim keeps its downloaded checkpoints (default models/dreamsim-cache)")
    parser.add_argument("--out", required=True, help="output directory (must be new or empty)")
    parser.add_argument("--name", help="metric name (default dreamsim-<type>)")
    parser.add_argument("--opset", type=int, default=metric_export.DEFAULT_OPSET,
                        help=f"ONNX opset (default {metric_export.DEFAULT_OPSET})")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    parser.add_argument("--test-width", type=int, metavar="W",
                        help="tests only: --cache-dir holds random checkpoints of ViT-B backbones with embed_dim W "
                             "(a multiple of 12) instead of 768, and DINO's hub entry is built offline")
    return parser.parse_args(argv)


def use_test_width(width: int) -> None:
    """Makes dreamsim build its ViT-B/16 backbones with embed_dim `width` (see the module docstring), and
    answers torch.hub.load('facebookresearch/dino:main', 'dino_vitb16') as DINO's hubconf does, from the
    hub cache, without a download. Everything but the width is dreamsim's and DINO's own code."""
    import functools

    import torch
    from dreamsim.feature_extraction import load_clip_as_dino, load_open_clip_as_dino
    from dreamsim.feature_extraction import vision_transformer as vits

    if width <= 0 or width % 12:
        raise SystemExit(f"error: --test-width {width}: ViT-B has 12 heads, the width must be a positive multiple of 12")

    def vit_base(patch_size=16, **kwargs):  # dreamsim/feature_extraction/vision_transformer.py vit_base, narrower
        return vits.VisionTransformer(patch_size=patch_size, embed_dim=width, depth=12, num_heads=12, mlp_ratio=4,
                                      qkv_bias=True, norm_layer=functools.partial(torch.nn.LayerNorm, eps=1e-6),
                                      **kwargs)

    def hub_load(repo, model, *args, **kwargs):
        if (repo, model) != ("facebookresearch/dino:main", "dino_vitb16"):
            raise SystemExit(f"error: --test-width builds DINO ViT-B/16 only, dreamsim asked torch hub for {repo} {model}")
        # DINO's hubconf.py dino_vitb16: vits.vit_base(patch_size=16, num_classes=0), then the state dict of
        # dino_vitbase16_pretrain.pth through torch.hub.load_state_dict_from_url (which reads the hub cache)
        vit = vit_base(patch_size=16, num_classes=0)
        weights = os.path.join(torch.hub.get_dir(), "checkpoints", "dino_vitbase16_pretrain.pth")
        vit.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True), strict=True)
        return vit

    load_clip_as_dino.vit_base = vit_base
    load_open_clip_as_dino.vit_base = vit_base
    torch.hub.load = hub_load


def merged_perceptual_model(peft_model):
    """The PerceptualModel with its LoRA merged into the backbone weights (plain modules in the graph)."""
    try:
        return peft_model.merge_and_unload(), True
    except (AttributeError, ValueError, RuntimeError) as error:
        print(f"warning: could not merge the LoRA ({error}); exporting the unmerged adapters", file=sys.stderr)
        return peft_model.base_model.model, False


def build_embedding(torch, perceptual):
    """DreamSim's embed() with explicit batch handling: its .squeeze() would also drop a batch of 1."""

    class DreamSimEmbedding(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.perceptual = perceptual

        def forward(self, pixel_values):
            p = self.perceptual
            # each extract function normalises with its backbone's mean/std, then extracts
            # (dreamsim/model.py PerceptualModel._get_extract_fn)
            features = [extract(pixel_values, extractor_index=i).flatten(1)
                        for i, extract in enumerate(p.extract_feats_list)]
            embedding = p.mlp(torch.cat(features, dim=1))
            if p.normalize_embeds:  # dreamsim/model.py normalize_embedding: centre, then unit norm
                embedding = embedding - embedding.mean(dim=1, keepdim=True)
                embedding = embedding / embedding.norm(dim=1, keepdim=True)
            return embedding

    return DreamSimEmbedding().eval()


def run(args) -> int:
    modules = deps.require(["torch", "torchvision", "dreamsim", "peft", "onnx", "numpy", "PIL"], REQUIREMENTS)
    torch, np = modules["torch"], modules["numpy"]
    from dreamsim import dreamsim

    if getattr(modules["dreamsim"], "PerceptualModel", None) is None:
        raise SystemExit("error: the installed dreamsim package has no PerceptualModel; install the pinned version")
    deps.warn_version_drift(REQUIREMENTS)
    out = outdir.prepare(args.out, args.force)
    name = args.name or f"dreamsim-{args.dreamsim_type.replace('_', '-')}"
    os.makedirs(args.cache_dir, exist_ok=True)
    if args.test_width is not None:
        use_test_width(args.test_width)
    peft_model, dreamsim_preprocess = dreamsim(pretrained=True, device="cpu", cache_dir=args.cache_dir,
                                               normalize_embeds=True, dreamsim_type=args.dreamsim_type)
    peft_model.eval()

    # 1. our preprocessing == dreamsim's preprocess
    images = metric_export.synthetic_images()
    ours = np.stack([preprocess.reference_preprocess(img, PREPROCESSING) for img in images])
    theirs = torch.cat([dreamsim_preprocess(img) for img in images]).numpy()
    preprocessing_diff = float(np.max(np.abs(ours - theirs)))
    if not preprocessing_diff <= 1e-5:
        raise SystemExit(f"error: the declared preprocessing differs from dreamsim's by {preprocessing_diff}")

    # 2. references from the package itself (LoRA still as adapters), then merge and wrap
    x = torch.from_numpy(theirs).float()
    with torch.no_grad():
        reference_embed = peft_model.embed(x)
        reference_distance = peft_model(x[0:1], x[1:2])
    perceptual, merged = merged_perceptual_model(peft_model)
    perceptual.eval()
    if getattr(perceptual, "is_patch", False):
        raise SystemExit("error: patch models are not supported")
    embedding = build_embedding(torch, perceptual)
    with torch.no_grad():
        ours_embed = embedding(x)
        embed_diff = float((ours_embed - reference_embed).abs().max())
        cos = torch.nn.functional.cosine_similarity
        ours_distance = 1 - cos(ours_embed[0:1], ours_embed[1:2], dim=-1)
        distance_diff = float((ours_distance - reference_distance).abs().max())
    if not (embed_diff <= TORCH_ATOL and distance_diff <= TORCH_ATOL):
        raise SystemExit(f"error: the export wrapper disagrees with dreamsim (embedding {embed_diff}, "
                         f"distance {distance_diff})")
    print(f"wrapper vs dreamsim: embedding max |diff| {embed_diff:.2e}, distance |diff| {distance_diff:.2e} "
          f"(distance of two test images {float(reference_distance):.4f})", flush=True)

    # 3. export + contract (+ ONNX Runtime vs PyTorch)
    report = metric_export.export_image_embedding(embedding, out, name, PREPROCESSING, example=x, opset=args.opset)
    record = provenance.make(
        kind="metric-image-embedding",
        source={"package": "dreamsim", "dreamsim_type": args.dreamsim_type, "cache_dir": os.path.abspath(args.cache_dir)},
        settings={"opset": args.opset, "lora_merged": merged, "test_width": args.test_width,
                  "normalize_embeds": True, "dtype": "fp32",
                  "embedding": "DreamSim embed(): per-backbone normalisation inside the graph, centred, unit norm"},
        requirements=REQUIREMENTS,
        extra={"checks": {"preprocessing_max_abs_diff": preprocessing_diff, "embed_max_abs_diff": embed_diff,
                          "distance_abs_diff": distance_diff, "onnxruntime": report["onnxruntime"]}})
    provenance.write(out, record)
    print(f"checks: preprocessing max |diff| {preprocessing_diff:.2e}; onnxruntime {report['onnxruntime']}")
    print("\nfiles:\n" + outdir.tree(out))
    print(f"\nnext: seedgrid inspect model {out}")
    return 0


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
