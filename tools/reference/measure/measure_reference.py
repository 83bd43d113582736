#!/usr/bin/env python3
"""What `seedgrid measure` must write for MeasureJobTest's run, computed outside seedgrid.

    bash tools/reference/measure/render_cells.sh                 # the 12 images (seedgrid render)
    python tools/reference/measure/measure_reference.py          # -> jobs/src/test/resources/measure/reference.json

Needs numpy, scipy, scikit-image, Pillow, onnxruntime and transformers (the venv of tools/reference/diffusers/
plus scikit-image). Reads jobs/src/test/resources/measure/images/<prompt_id>-<recipe>-<seed>.png (2 prompts x
3 seeds x 2 recipes, 64x48) and the udf module's tiny metric models (udf/src/test/resources/metrics/
lpips-tiny, embed-tiny, clip-tiny), and writes, per group (prompt, recipe; images in seed order) every pair's
distances (as pairs/ holds them) and the group's metrics (as groups/ holds them). Nothing here calls seedgrid:
  lpips            onnxruntime runs lpips-tiny's backbone on x / 127.5 - 1; LPIPS v0.1 (Zhang et al. 2018,
                   eq. 1) in NumPy: f / (||f||_channels + 1e-10), sum_l sum_c w_lc mean_hw (f0 - f1)^2, the
                   w_lc from its seedgrid-metric.json
  embed_tiny,      transformers' CLIPImageProcessor with each model's declared preprocessing (embed-tiny:
  clip_tiny        shortest edge 72, center crop 64, bicubic; clip-tiny: 40 x 40 bilinear, no crop; CLIP
                   mean/std), onnxruntime, L2-normalised; distance 1 - cos
  vendi            eigenvalues of K / n, K the cosine kernel (scipy.linalg.eigvalsh; vendi_reference.py):
                   q = 1, 2 and infinity
  clip_score_mean  transformers' CLIPTokenizer on clip-tiny/tokenizer (77 ids, padded), onnxruntime text
                   tower; mean over the group of 100 max(cos(image, text), 0)
  ssim_distance    1 - skimage.metrics.structural_similarity(gaussian_weights, sigma 1.5, population
                   covariance, data_range 255, channel_axis 2) (ssim_reference.py)
  ms_ssim_distance 1 - MS-SSIM (Wang et al. 2003; ssim_reference.py's NumPy port) of both images resized with
                   PIL bicubic to a shorter side of 161 (64x48 -> 214x161): "ms-ssim-upsampled"
  pixel_vendi      Vendi-Score's pixel_vendi_score: PIL resize to 32 x 32 (bicubic), uint8 values, cosine kernel
Group means and population standard deviations (ddof 0) of the pair metrics are numpy's.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tools/reference/metrics"))

from ssim_reference import ms_ssim, skimage_ssim, upsample  # noqa: E402
from vendi_reference import cosine_kernel, vendi_from_kernel  # noqa: E402

IMAGES = REPO / "jobs/src/test/resources/measure/images"
OUT = REPO / "jobs/src/test/resources/measure/reference.json"
METRICS = REPO / "udf/src/test/resources/metrics"
PROMPTS = {"cube": "a red cube on a blue floor", "sphere": "a green sphere"}
RECIPES = ["base", "dmd2"]
SEEDS = [0, 1, 18446744073709551615]
EPS = 1e-10  # LPIPS' normalize_tensor


def session(path):
    import onnxruntime

    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


class LpipsTiny:
    def __init__(self):
        spec = json.loads((METRICS / "lpips-tiny/seedgrid-metric.json").read_text())
        self.layers = spec["layers"]
        self.weights = [np.asarray(w, dtype=np.float64) for w in spec["weights"]]
        self.session = session(METRICS / "lpips-tiny/model.onnx")

    def features(self, pixels):
        x = (pixels.astype(np.float32) / np.float32(127.5) - np.float32(1.0)).transpose(2, 0, 1)[None]
        outs = self.session.run(self.layers, {"image": np.ascontiguousarray(x)})
        normalised = []
        for f in outs:
            f = f[0].astype(np.float64)
            normalised.append(f / (np.sqrt((f * f).sum(axis=0, keepdims=True)) + EPS))
        return normalised

    def distance(self, fa, fb):
        return float(sum((w[:, None, None] * (a - b) ** 2).sum(axis=0).mean()
                         for a, b, w in zip(fa, fb, self.weights)))


def embedder(folder, image_spec):
    """An image -> L2-normalised embedding function for a declared image model, on transformers' processor."""
    from transformers import CLIPImageProcessor

    spec = image_spec
    resample = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}[spec["interpolation"]]
    if spec["resize"] == "shortest_edge":
        processor = CLIPImageProcessor(size={"shortest_edge": spec.get("resize_size", spec["size"])},
                                       crop_size={"height": spec["size"], "width": spec["size"]},
                                       do_center_crop=True, resample=resample, rescale_factor=spec["rescale"],
                                       image_mean=spec["mean"], image_std=spec["std"])
    else:
        processor = CLIPImageProcessor(size={"height": spec["size"], "width": spec["size"]}, do_center_crop=False,
                                       resample=resample, rescale_factor=spec["rescale"], image_mean=spec["mean"],
                                       image_std=spec["std"])
    model = session(folder / spec.get("model", "model.onnx"))

    def embed(image):
        pixels = processor(images=[image], return_tensors="np")["pixel_values"].astype(np.float32)
        v = model.run([spec["output"]], {spec["input"]: pixels})[0][0].astype(np.float64)
        return v / np.linalg.norm(v)

    return embed


def prompt_embedding(prompt):
    from transformers import CLIPTokenizer

    spec = json.loads((METRICS / "clip-tiny/seedgrid-metric.json").read_text())["text"]
    tokenizer = CLIPTokenizer.from_pretrained(METRICS / "clip-tiny" / spec["tokenizer"])
    ids = tokenizer([prompt], padding="max_length", max_length=77, truncation=True, return_tensors="np")["input_ids"]
    v = session(METRICS / "clip-tiny" / spec["model"]).run([spec["output"]], {spec["input"]: ids.astype(np.int64)})[0][0]
    v = v.astype(np.float64)
    return v / np.linalg.norm(v), ids[0].tolist()


def vendi(vectors):
    k = cosine_kernel(np.asarray(vectors, dtype=np.float64))
    return {"1": vendi_from_kernel(k, 1), "2": vendi_from_kernel(k, 2), "inf": vendi_from_kernel(k, "inf")}


def main():
    lpips = LpipsTiny()
    embed_tiny = embedder(METRICS / "embed-tiny", json.loads((METRICS / "embed-tiny/seedgrid-metric.json").read_text()))
    clip_image = json.loads((METRICS / "clip-tiny/seedgrid-metric.json").read_text())["image"]
    clip_tiny = embedder(METRICS / "clip-tiny", clip_image)
    groups = []
    for prompt_id, prompt in PROMPTS.items():
        text, ids = prompt_embedding(prompt)
        for recipe in RECIPES:
            files = [IMAGES / f"{prompt_id}-{recipe}-{seed}.png" for seed in SEEDS]
            images = [Image.open(f).convert("RGB") for f in files]
            pixels = [np.asarray(im) for im in images]
            feats = [lpips.features(p) for p in pixels]
            encoders = {"embed_tiny": [embed_tiny(im) for im in images], "clip_tiny": [clip_tiny(im) for im in images]}
            pairs = []
            for i in range(len(images)):
                for j in range(i + 1, len(images)):
                    pair = {"seed_a": str(SEEDS[i]), "seed_b": str(SEEDS[j]),
                            "lpips": lpips.distance(feats[i], feats[j]),
                            "ssim_distance": 1.0 - skimage_ssim(pixels[i], pixels[j]),
                            "ms_ssim_distance": 1.0 - ms_ssim(upsample(pixels[i]), upsample(pixels[j]))}
                    for name, vectors in encoders.items():
                        pair[name + "_distance"] = float(1.0 - vectors[i] @ vectors[j])
                    pairs.append(pair)
            group = {"prompt_id": prompt_id, "recipe": recipe, "prompt": prompt, "n": len(images),
                     "seeds": [str(s) for s in SEEDS], "files": [f.name for f in files], "prompt_ids": ids,
                     "ms_ssim_method": "ms-ssim-upsampled", "upsampled_size": list(upsample(pixels[0]).shape[1::-1])}
            for metric in pairs[0]:
                if metric.startswith("seed_"):
                    continue
                values = np.asarray([p[metric] for p in pairs])
                group[metric + "_mean"] = float(values.mean())
                group[metric + "_std"] = float(values.std())
            for name, vectors in encoders.items():
                scores = vendi(vectors)
                group[name + "_vendi"], group[name + "_vendi_q2"], group[name + "_vendi_qinf"] = (
                    scores["1"], scores["2"], scores["inf"])
                group[name + "_embeddings"] = [v.tolist() for v in vectors]
            thumbs = np.stack([np.asarray(im.resize((32, 32))).reshape(-1) for im in images]).astype(np.float64)
            scores = {q: vendi_from_kernel(cosine_kernel(thumbs), q) for q in (1, 2, "inf")}
            group["pixel_vendi"], group["pixel_vendi_q2"], group["pixel_vendi_qinf"] = scores[1], scores[2], scores["inf"]
            group["clip_score_mean"] = float(np.mean([100 * max(float(v @ text), 0.0) for v in encoders["clip_tiny"]]))
            group["pairs"] = pairs
            groups.append(group)
            print(prompt_id, recipe, {k: round(v, 6) for k, v in group.items() if isinstance(v, float)})
    import onnxruntime
    import scipy
    import skimage
    import transformers
    import PIL

    out = {"script": "tools/reference/measure/measure_reference.py",
           "images_by": "tools/reference/measure/render_cells.sh (seedgrid render)",
           "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-image": skimage.__version__,
                        "onnxruntime": onnxruntime.__version__, "transformers": transformers.__version__,
                        "pillow": PIL.__version__},
           "groups": groups}
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
