#!/usr/bin/env python3
"""Metric networks of the real architectures with seeded random weights (no hub), exported by
tools/export/metrics/, and the original package's own forward on the test images as goldens.

    PYTHONPATH=DREAMSIM:LPIPS python tools/reference/metrics/make_real_metric_fixtures.py [NETWORK ...]

NETWORK: clip, dinov2, lpips, dreamsim (default all; the others' goldens are kept). Needs torch,
transformers (4.57), onnx and onnxruntime (the venv of tools/reference/diffusers/), and for lpips and
dreamsim torchvision, peft, open_clip_torch and timm, and the two packages' own code: DREAMSIM a checkout
of github ssundaram21/dreamsim (v0.2.1, the `dreamsim` package), LPIPS one of github
richzhang/PerceptualSimilarity (the `lpips` package); `pip install dreamsim==0.2.1 lpips` instead works too.
Nothing is downloaded and no released weight file is read. Writes
udf/src/test/resources/metrics/real/{clip,dinov2,lpips,dreamsim}/ (export_clip.py, export_dinov2.py,
lpips_export.py, export_dreamsim.py) and udf/src/test/resources/golden/metrics/real_networks.json:
  clip    transformers CLIPModel from a small CLIPConfig (vision ViT 32 px, patch 8; text over seedgrid's
          tiny test vocabulary), CLIPImageProcessor shortest edge 32 / crop 32; goldens:
          CLIPModel.get_image_features / get_text_features on the processor's and tokenizer's output,
          L2-normalised, their 1 - cosine distances, and 100 max(cos, 0) CLIP scores
  dinov2  transformers Dinov2Model from a small Dinov2Config (patch 14), BitImageProcessor shortest edge 64,
          crop 56 (resize and crop sizes differ, as DINOv2's 256/224); goldens: pooler_output, normalised,
          and the distances
  lpips   lpips.LPIPS(net='alex', pretrained=False, pnet_rand=True): the package's ScalingLayer, its
          torchvision AlexNet slices at the real width (64/192/384/256/256 channels: 2.47M weights, so the
          ONNX file is 9.4 MiB whatever the input size) and its lin layers; the backbone and the lin
          weights are written as a torchvision alexnet() state dict and a v0.1 lin-layer .pth and exported
          by lpips_export.py's real-weights path; goldens: LPIPS.forward on lpips.im2tensor of the images
          (all pairs of a-e, and small_0/small_1)
  dreamsim dreamsim(pretrained=True) on a cache folder of seeded random checkpoints in dreamsim's layout:
          the ensemble (DINO ViT-B/16 CLS, CLIP and OpenCLIP ViT-B/16 embeddings, a random LoRA on every
          qkv), built by dreamsim's own code at embed_dim 24 instead of 768 (export_dreamsim.py
          --test-width: three 768-wide backbones are about 1 GB); 224 px input as DreamSim's preprocess;
          goldens: PerceptualModel.embed on dreamsim's preprocess, and PerceptualModel(a, b) distances
Every weight comes from torch.randn on one seeded generator (tools/reference/diffusers/components.py
randomise), so the embeddings of different images differ enough to test distances. LPIPS' lin weights
are seeded random non-negative values, not the trained v0.1 file of the lpips repository: that file is
another project's data, and random weights test the same arithmetic.
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
LPIPS_PAIRS = [(i, j) for i in range(5) for j in range(i + 1, 5)] + [("small_0", "small_1")]
DREAMSIM_WIDTH = 24  # embed_dim of the fixture's ViT-B backbones (12 heads of 2); dreamsim's are 768
DREAMSIM_PROJECTION = 16  # the CLIP/OpenCLIP projection width (512 in ViT-B/16)
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
    run_exporter(script, ["--model", str(model), "--out", str(out), "--name", name, "--force"])


def run_exporter(script, args):
    cmd = [sys.executable, str(REPO / "tools/export/metrics" / script)] + args
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


def lpips_network(work):
    import lpips
    import numpy as np
    import torch
    import torchvision
    from PIL import Image

    torch.manual_seed(23)  # torchvision's default init of alexnet()'s classifier: not exported, but in the hashed file
    model = lpips.LPIPS(net="alex", pretrained=False, pnet_rand=True, verbose=False).eval()
    generator = torch.Generator().manual_seed(23)
    randomise(model.net, generator)
    with torch.no_grad():
        for lin in model.lins:  # v0.1's lin weights are non-negative (clamped in training); 10% exact zeros
            w = lin.model[-1].weight
            w.copy_(torch.rand(w.shape, generator=generator) * 0.2)
            w[torch.rand(w.shape, generator=generator) < 0.1] = 0.0
    # the files lpips_export.py reads for real weights: torchvision's alexnet() state dict (features from the
    # LPIPS trunk, whose slices hold alexnet().features' modules at the same indices) and LPIPS' lin layers
    alexnet = torchvision.models.alexnet(weights=None)
    trunk = {}
    for k in range(1, 6):
        for name, value in getattr(model.net, f"slice{k}").state_dict().items():
            trunk["features." + name] = value
    missing, unexpected = alexnet.load_state_dict(trunk, strict=False)
    assert not unexpected and all(m.startswith("classifier.") for m in missing), (missing, unexpected)
    torch.save(alexnet.state_dict(), work / "alexnet.pth")
    torch.save({k: v for k, v in model.state_dict().items() if k.startswith("lin")}, work / "alex.pth")
    run_exporter("lpips_export.py",
                 ["export", "--net", "alex", "--lpips-weights", str(work / "alex.pth"), "--backbone-weights",
                  str(work / "alexnet.pth"), "--out", str(OUT / "lpips")])
    # the export records the temporary files' names and hashes; say where they came from instead
    spec_path = OUT / "lpips" / "seedgrid-metric.json"
    spec = json.loads(spec_path.read_text())
    spec["provenance"]["made_by"] = "tools/reference/metrics/make_real_metric_fixtures.py (seeded random weights)"
    spec_path.write_text(json.dumps(spec))

    def tensor(name):  # lpips.im2tensor: HWC uint8 -> [1,3,H,W] in [-1,1] (x / 127.5 - 1)
        return lpips.im2tensor(np.asarray(Image.open(REPO / f"udf/src/test/resources/metrics/images/{name}.png")
                                          .convert("RGB")))

    names = ["a", "b", "c", "d", "e"]
    pairs = []
    with torch.no_grad():
        for p, q in LPIPS_PAIRS:
            a, b = (names[p], names[q]) if isinstance(p, int) else (p, q)
            pairs.append({"a": a, "b": b, "distance": float(model(tensor(a), tensor(b)).reshape(()))})
    return {"pairs": pairs, "channels": list(model.chns),
            "how": "lpips.LPIPS(net='alex', pretrained=False, pnet_rand=True).forward(im2tensor(a), im2tensor(b))"}


def dreamsim_network(work):
    import torch
    from peft import LoraConfig, get_peft_model
    from PIL import Image

    sys.path.insert(0, str(REPO / "tools/export/metrics"))
    import export_dreamsim
    from dreamsim import PerceptualModel, dreamsim
    from dreamsim.config import dreamsim_args
    from dreamsim.feature_extraction import load_clip_as_dino
    from dreamsim.feature_extraction.vision_transformer import DINOHead

    export_dreamsim.use_test_width(DREAMSIM_WIDTH)
    vit_base = load_clip_as_dino.vit_base
    cache = work / "dreamsim-cache"
    (cache / "checkpoints").mkdir(parents=True)
    generator = torch.Generator().manual_seed(24)
    # CLIP and OpenCLIP ViT-B/16 as DINO ViTs, the layout of dreamsim's {open_,}clip_vitb16_pretrain.pth.tar:
    # the ViT state dict with a LayerNorm as pos_drop (ln_pre) and the projection under "proj"
    for name in ("clip_vitb16_pretrain.pth.tar", "open_clip_vitb16_pretrain.pth.tar"):
        vit = vit_base(patch_size=16)
        vit.pos_drop = torch.nn.LayerNorm(vit.embed_dim)
        randomise(vit, generator)
        state = vit.state_dict()
        state["proj"] = torch.randn(DREAMSIM_WIDTH, DREAMSIM_PROJECTION, generator=generator) / DREAMSIM_WIDTH ** 0.5
        torch.save({"state_dict": state}, cache / name)
    dino = vit_base(patch_size=16, num_classes=0)
    randomise(dino, generator)
    torch.save(dino.state_dict(), cache / "checkpoints" / "dino_vitbase16_pretrain.pth")
    # DINO's projection head: dreamsim loads it for the "embedding" feature; the ensemble takes DINO's CLS token
    head = DINOHead(DREAMSIM_WIDTH, 32, hidden_dim=32, bottleneck_dim=16)
    randomise(head, generator)
    student = {f"module.head.{k}": v for k, v in head.state_dict().items() if not k.startswith("last_layer")}
    student["module.head.last_layer.weight"] = torch.randn(32, 16, generator=generator) / 4
    torch.save({"student": student}, cache / "dino_vitb16_pretrain.pth")
    # a random LoRA on every qkv, saved by peft as dreamsim's ensemble_lora/ (its training: target qkv, bias none;
    # r 16 and alpha 8 there, r 4 and alpha 2 here for the narrow width: the same alpha / r)
    base = PerceptualModel(**dreamsim_args["model_config"]["ensemble"], device="cpu", load_dir=str(cache),
                           normalize_embeds=True)
    lora = get_peft_model(base, LoraConfig(r=4, lora_alpha=2, lora_dropout=0.3, bias="none", target_modules=["qkv"]))
    with torch.no_grad():
        for name, p in lora.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn(p.shape, generator=generator) / p[0].numel() ** 0.5)
    lora.save_pretrained(str(cache / "ensemble_lora"))

    model, preprocess = dreamsim(pretrained=True, device="cpu", cache_dir=str(cache), normalize_embeds=True,
                                 dreamsim_type="ensemble")
    with torch.no_grad():
        x = torch.cat([preprocess(img) for img in images()])
        emb = model.embed(x)
        d = [[float(model(x[i:i + 1], x[j:j + 1]).reshape(())) for j in range(len(x))] for i in range(len(x))]
    run_exporter("export_dreamsim.py",
                 ["--cache-dir", str(cache), "--test-width", str(DREAMSIM_WIDTH), "--out", str(OUT / "dreamsim"),
                  "--name", "dreamsim-ensemble-tiny", "--force"])
    return {"embeddings": emb.tolist(), "distances": d, "width": DREAMSIM_WIDTH,
            "how": "dreamsim(pretrained=True) on seeded random checkpoints: PerceptualModel.embed(preprocess(image)) "
                   "and PerceptualModel(a, b)"}


NETWORKS = {"clip": clip, "dinov2": dinov2, "lpips": lpips_network, "dreamsim": dreamsim_network}


def main():
    import torch
    import transformers

    chosen = sys.argv[1:] or list(NETWORKS)
    unknown = [n for n in chosen if n not in NETWORKS]
    if unknown:
        raise SystemExit(f"unknown network {unknown}; choose from {list(NETWORKS)}")
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    work = Path(tempfile.mkdtemp(prefix="seedgrid-metrics-"))
    try:
        golden.update({"script": "tools/reference/metrics/make_real_metric_fixtures.py",
                       "images": [f"{n}.png" for n in IMAGES], "prompts": PROMPTS})
        for network in chosen:
            golden[network] = NETWORKS[network](work)
            versions = {"torch": torch.__version__, "transformers": transformers.__version__}
            for package in ("torchvision", "peft", "open_clip", "timm"):
                if package in sys.modules:
                    versions[package] = sys.modules[package].__version__
            golden[network]["versions"] = versions
        GOLDEN.write_text(json.dumps(golden) + "\n")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
