#!/usr/bin/env python3
"""Metric networks of the real architectures with seeded random weights (no hub), exported by
tools/export/metrics/, and the original package's own forward on the test images as goldens.

    python tools/reference/metrics/make_real_metric_fixtures.py

Needs torch, transformers (4.57), onnx and onnxruntime (the venv of tools/reference/diffusers/). Writes
udf/src/test/resources/metrics/real/{clip,dinov2}/ (export_clip.py, export_dinov2.py) and
udf/src/test/resources/golden/metrics/real_networks.json:
  clip    transformers CLIPModel from a small CLIPConfig (vision ViT 32 px, patch 8; text over seedgrid's
          tiny test vocabulary), CLIPImageProcessor shortest edge 32 / crop 32; goldens:
          CLIPModel.get_image_features / get_text_features on the processor's and tokenizer's output,
          L2-normalised, their 1 - cosine distances, and 100 max(cos, 0) CLIP scores
  dinov2  transformers Dinov2Model from a small Dinov2Config (patch 14), BitImageProcessor shortest edge 64,
          crop 56 (resize and crop sizes differ, as DINOv2's 256/224); goldens: pooler_output, normalised,
          and the distances
Every weight comes from torch.randn on one seeded generator (tools/reference/diffusers/components.py
randomise), so the embeddings of different images differ enough to test distances.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tools/reference/diffusers"))

from components import randomise  # noqa: E402

IMAGES = ["a", "b", "c", "d", "e", "small_0"]
PROMPTS = ["a red circle", "a blue square on a green floor"]
OUT = REPO / "udf/src/test/resources/metrics/real"
GOLDEN = REPO / "udf/src/test/resources/golden/metrics/real_networks.json"


def normalised(t):
    return t / t.norm(dim=-1, keepdim=True)


def distances(e):
    return [[float(1 - (e[i] * e[j]).sum()) for j in range(len(e))] for i in range(len(e))]


def images():
    from PIL import Image

    return [Image.open(REPO / f"udf/src/test/resources/metrics/images/{n}.png").convert("RGB") for n in IMAGES]


def export(script, model, out, name):
    cmd = [sys.executable, str(REPO / "tools/export/metrics" / script), "--model", str(model), "--out", str(out),
           "--name", name, "--force"]
    print("+", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])


def clip(work):
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(REPO / "udf/src/test/resources/tiny-sdxl/fp32/tokenizer")
    config = CLIPConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=77, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, projection_dim=24),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8, projection_dim=24),
        projection_dim=24)
    model = CLIPModel(config).eval()
    randomise(model, torch.Generator().manual_seed(21))
    processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    folder = work / "clip"
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    with torch.no_grad():
        pixels = processor(images=images(), return_tensors="pt")["pixel_values"]
        image = normalised(model.get_image_features(pixel_values=pixels))
        ids = tokenizer(PROMPTS, padding="max_length", max_length=77, truncation=True, return_tensors="pt")["input_ids"]
        text = normalised(model.get_text_features(input_ids=ids))
    scores = [[100 * max(float((i * t).sum()), 0.0) for t in text] for i in image]
    export("export_clip.py", folder, OUT / "clip", "clip-vit-tiny")
    return {"image_embeddings": image.tolist(), "distances": distances(image), "input_ids": ids.tolist(),
            "text_embeddings": text.tolist(), "clip_scores": scores,
            "how": "transformers CLIPModel.get_image_features / get_text_features, L2-normalised"}


def dinov2(work):
    import torch
    from transformers import BitImageProcessor, Dinov2Config, Dinov2Model

    model = Dinov2Model(Dinov2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_ratio=2,
                                     patch_size=14, image_size=56)).eval()
    randomise(model, torch.Generator().manual_seed(22))
    processor = BitImageProcessor(size={"shortest_edge": 64}, crop_size={"height": 56, "width": 56}, resample=3,
                                  image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225], do_convert_rgb=True)
    folder = work / "dinov2"
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    with torch.no_grad():
        pixels = processor(images=images(), return_tensors="pt")["pixel_values"]
        emb = normalised(model(pixel_values=pixels).pooler_output)
    export("export_dinov2.py", folder, OUT / "dinov2", "dinov2-tiny")
    return {"embeddings": emb.tolist(), "distances": distances(emb),
            "how": "transformers Dinov2Model(...).pooler_output, L2-normalised"}


def main():
    import torch
    import transformers

    work = Path(tempfile.mkdtemp(prefix="seedgrid-metrics-"))
    try:
        golden = {"script": "tools/reference/metrics/make_real_metric_fixtures.py",
                  "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
                  "images": [f"{n}.png" for n in IMAGES], "prompts": PROMPTS,
                  "clip": clip(work), "dinov2": dinov2(work)}
        GOLDEN.write_text(json.dumps(golden) + "\n")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
