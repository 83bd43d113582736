#!/usr/bin/env python3
"""Exports CLIP (default openai/clip-vit-large-patch14, ViT-L/14) as a seedgrid "clip" metric model:

    OUT/image/model.onnx        pixel_values float32 [B,3,224,224] -> image_embeds [B,768]
                                (CLIPVisionModelWithProjection: projected pooled output, not normalised)
    OUT/text/model.onnx         input_ids int64 [B,77] -> text_embeds [B,768]
                                (CLIPTextModelWithProjection: projected EOS-token state)
    OUT/tokenizer/              vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json
    OUT/seedgrid-metric.json    {"type": "clip", ...} with the image processor's own preprocessing
    OUT/seedgrid-export.json    source, versions, check results

Preprocessing is read from the model's CLIPImageProcessor, not typed in. For openai/clip-vit-large-patch14
its preprocessor_config.json says: size 224 (shortest edge), crop_size 224, resample 3 (PIL bicubic),
rescale 1/255 (transformers' default), image_mean [0.48145466, 0.4578275, 0.40821073], image_std
[0.26862954, 0.26130258, 0.27577711] (the OpenAI CLIP constants, also in timm OPENAI_CLIP_MEAN/STD).

Checks before it reports success: the JSON's preprocessing, executed by exportlib.preprocess, equals the
processor's output on test images; ONNX Runtime equals PyTorch on images and real prompts; the directory
fits the contract. CLIP score (seedgrid) = 100 * max(cos(image_embeds, text_embeds), 0).

Requirements: pip install -r tools/export/metrics/requirements-metrics.txt
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exportlib import deps, metric_export, outdir, preprocess, provenance  # noqa: E402

REQUIREMENTS = "metrics/requirements-metrics.txt"
DEFAULT_MODEL = "openai/clip-vit-large-patch14"
PROMPTS = ("a photo of a cat", "an astronaut riding a horse on the moon, highly detailed, 8k", "")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Export a Hugging Face CLIP model as seedgrid's clip metric model.")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"hub id or local folder (default {DEFAULT_MODEL})")
    parser.add_argument("--revision", help="hub revision of --model")
    parser.add_argument("--out", required=True, help="output directory (must be new or empty)")
    parser.add_argument("--name", default=None,
                        help="metric name in seedgrid-metric.json (default clip-vit-l14 for the default model, "
                             "else derived from the model id)")
    parser.add_argument("--opset", type=int, default=metric_export.DEFAULT_OPSET,
                        help=f"ONNX opset (default {metric_export.DEFAULT_OPSET})")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    return parser.parse_args(argv)


def default_name(model: str) -> str:
    if model.rstrip("/").endswith("clip-vit-large-patch14"):
        return "clip-vit-l14"
    return os.path.basename(model.rstrip("/")).lower()


def build_towers(torch, vision, text):
    class ImageTower(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = vision

        def forward(self, pixel_values):
            return self.model(pixel_values=pixel_values).image_embeds

    class TextTower(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = text

        def forward(self, input_ids):
            return self.model(input_ids=input_ids).text_embeds

    return ImageTower().eval(), TextTower().eval()


def run(args) -> int:
    modules = deps.require(["torch", "transformers", "onnx", "numpy", "PIL"], REQUIREMENTS)
    torch, np = modules["torch"], modules["numpy"]
    from transformers import (CLIPImageProcessor, CLIPTextModelWithProjection, CLIPTokenizer,
                              CLIPVisionModelWithProjection)

    deps.warn_version_drift(REQUIREMENTS)
    out = outdir.prepare(args.out, args.force)
    name = args.name or default_name(args.model)
    load = {"revision": args.revision}
    # the slow (PIL) processor class: its behaviour is what the contract describes
    processor = CLIPImageProcessor.from_pretrained(args.model, **load)
    tokenizer = CLIPTokenizer.from_pretrained(args.model, **load)
    eager = {"attn_implementation": "eager", **load}  # plain MatMul/Softmax attention in the graph
    vision = CLIPVisionModelWithProjection.from_pretrained(args.model, **eager).float().eval()
    text = CLIPTextModelWithProjection.from_pretrained(args.model, **eager).float().eval()
    preprocessing = preprocess.from_hf_image_processor(processor)
    print(f"preprocessing from the processor: {preprocessing}", flush=True)

    # 1. the JSON's preprocessing must reproduce the processor exactly
    images = metric_export.synthetic_images()
    ours = np.stack([preprocess.reference_preprocess(img, preprocessing) for img in images])
    theirs = processor(images=images, return_tensors="np")["pixel_values"]
    preprocessing_diff = float(np.max(np.abs(ours - theirs)))
    if not preprocessing_diff <= 1e-5:
        raise SystemExit(f"error: the declared preprocessing differs from {type(processor).__name__} by "
                         f"{preprocessing_diff}; the contract cannot express this processor")

    # 2. export with real inputs as examples (checked against ONNX Runtime when it is installed)
    image_tower, text_tower = build_towers(torch, vision, text)
    token_ids = tokenizer(list(PROMPTS), padding="max_length", max_length=77, truncation=True,
                          return_tensors="pt")["input_ids"].to(torch.int64)
    report = metric_export.export_clip_pair(
        image_tower, text_tower, tokenizer.save_pretrained, out, name, preprocessing,
        image_example=torch.from_numpy(theirs).float(), text_example=token_ids, opset=args.opset)

    record = provenance.make(
        kind="metric-clip", source={"model": args.model, "revision": args.revision},
        settings={"opset": args.opset, "attn_implementation": "eager", "dtype": "fp32"},
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
