"""The proof: seedgrid's recipes on the EXPORTED toy family, run by our own PyTorch pipeline
(pipeline.py = PIPELINE_SEMANTICS.md), with the torch modules' weights read back from the ONNX
initializers in models/ (so what is measured is what ships), and the tokenizers read from the exported
tokenizer folders.

Recipes (8 prompts x 8 seeds each):
    base        teacher, Euler (leading) 20 steps, CFG 5, empty negative prompt (zeros)
    dmd2        student, LCM at [999, 749, 499, 249], CFG off
    hybrid      teacher Euler for the first step of [999, 749, 499, 249] at CFG 5, then student LCM
    hybrid2     the same with the teacher's first two steps
    blend0.5    UNet W_base + 0.5 (W_student - W_base), LCM at [999, 749, 499, 249], CFG off
    skip-first  student LCM at [749, 499, 249] from pure noise (ablation of Gandikota & Bau)
Metrics per (prompt, recipe): mean pairwise 1 - SSIM (Gaussian 11-tap sigma 1.5, K1 .01, K2 .03, on the
64x64 RGB uint8 images), mean pairwise CLIP-image distance 1 - cos, Vendi score of the CLIP image
embeddings (cosine kernel), mean CLIP score 100 max(cos(image, prompt), 0). Per recipe: mean over
prompts with a 95% bootstrap interval over prompts (2000 resamples, seed 0).
Writes out/eval.json and one contact sheet per recipe (rows = prompts, columns = seeds).

Rerun: /usr/bin/python3 tools/toymodel/evaluate.py [--models models] [--seeds 8]
"""
import argparse
import itertools
import json
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from skimage.metrics import structural_similarity

import clip_bpe
import common
import data
import nets
import pipeline

PROMPTS = ["a red circle", "a blue star", "a yellow square", "a green triangle", "a pink diamond",
           "a white cross", "a striped orange ring", "a large purple star"]


def from_onnx(path, module, prefix=""):
    """Load a torch module's parameters and buffers from an ONNX file's initializers, by name."""
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(path).graph.initializer}
    state = module.state_dict()
    missing = [k for k in state if prefix + k not in inits]
    if missing:
        raise KeyError(f"{path}: no initializer for {missing[:5]}")
    module.load_state_dict({k: inits[prefix + k] for k in state})
    return module.eval()


def load(models):
    base = os.path.join(models, "base")
    with open(os.path.join(base, "vae_decoder/config.json")) as f:
        sf = json.load(f)["scaling_factor"]
    fam = {
        "te1": from_onnx(f"{base}/text_encoder/model.onnx", nets.TextEncoder1(), "te."),
        "te2": from_onnx(f"{base}/text_encoder_2/model.onnx", nets.TextEncoder2(), "te."),
        "unet": from_onnx(f"{base}/unet/model.onnx", nets.UNet()),
        "student": from_onnx(f"{models}/dmd2/unet/model.onnx", nets.UNet()),
        "decoder": from_onnx(f"{base}/vae_decoder/model.onnx", nets.ScaledDecoder(nets.Decoder(), 1.0)),
        "tok1": clip_bpe.Tokenizer.load(f"{base}/tokenizer"),
        "tok2": clip_bpe.Tokenizer.load(f"{base}/tokenizer_2"),
        "sf": sf,
        "clip_image": from_onnx(f"{models}/clip/image/model.onnx", nets.ImageTower()),
        "clip_text": from_onnx(f"{models}/clip/text/model.onnx", nets.TextTower()),
        "clip_tok": clip_bpe.Tokenizer.load(f"{models}/clip/tokenizer"),
    }
    blend = nets.UNet()
    blend.load_state_dict(pipeline.blend(fam["unet"].state_dict(), fam["student"].state_dict(), 0.5))
    fam["blend0.5"] = blend.eval()
    return fam


def run_recipe(fam, recipe, prompt, seeds):
    cond = pipeline.Conditioner(fam["tok1"], fam["tok2"], fam["te1"], fam["te2"])
    ctx, pooled = cond([prompt] * len(seeds))
    gens = pipeline.generators(seeds)
    if recipe == "base":
        x = pipeline.euler(fam["unet"], ctx, pooled, gens, steps=20, cfg=5.0)
    elif recipe == "dmd2":
        x = pipeline.lcm(fam["student"], ctx, pooled, gens)
    elif recipe == "hybrid":
        x = pipeline.hybrid(fam["unet"], fam["student"], ctx, pooled, gens, k=1, cfg=5.0)
    elif recipe == "hybrid2":
        x = pipeline.hybrid(fam["unet"], fam["student"], ctx, pooled, gens, k=2, cfg=5.0)
    elif recipe == "blend0.5":
        x = pipeline.lcm(fam["blend0.5"], ctx, pooled, gens)
    elif recipe == "skip-first":
        x = pipeline.lcm(fam["student"], ctx, pooled, gens, timesteps=(749, 499, 249))
    else:
        raise ValueError(recipe)
    return common.to_images(pipeline.decode(fam["decoder"], x, fam["sf"]))


@torch.no_grad()
def clip_embed_images(fam, imgs):
    """seedgrid-metric.json preprocessing at size 64 (resize/crop are identities): x/255, (x-.5)/.5."""
    x = torch.from_numpy(imgs).permute(0, 3, 1, 2).float() * (1 / 255.0)
    return F.normalize(fam["clip_image"]((x - 0.5) / 0.5), dim=-1)


@torch.no_grad()
def clip_embed_text(fam, prompts):
    return F.normalize(fam["clip_text"](torch.from_numpy(fam["clip_tok"].encode_batch(prompts))), dim=-1)


def vendi(emb):
    k = (emb @ emb.t()).double().numpy()
    lam = np.linalg.eigvalsh(k / len(k))
    lam = lam[lam > 1e-12]
    return float(np.exp(-(lam * np.log(lam)).sum()))


def ssim(a, b):
    return structural_similarity(a, b, channel_axis=2, data_range=255, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, K1=0.01, K2=0.03)


def metrics(fam, imgs, prompt):
    pairs = list(itertools.combinations(range(len(imgs)), 2))
    e = clip_embed_images(fam, imgs)
    t = clip_embed_text(fam, [prompt])[0]
    cos = e @ e.t()
    return {
        "n_seeds": len(imgs),
        "one_minus_ssim": float(np.mean([1 - ssim(imgs[i], imgs[j]) for i, j in pairs])),
        "clip_distance": float(np.mean([1 - cos[i, j].item() for i, j in pairs])),
        "vendi": vendi(e),
        "clip_score": float((100 * torch.clamp(e @ t, min=0)).mean()),
    }


def bootstrap(values, n=2000, seed=0):
    rng = np.random.default_rng(seed)
    v = np.asarray(values)
    means = v[rng.integers(len(v), size=(n, len(v)))].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=common.MODELS)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--prompts", nargs="*", default=PROMPTS)
    ap.add_argument("--recipes", nargs="*", default=["base", "dmd2", "hybrid", "blend0.5", "skip-first"])
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    common.setup(0)
    fam = load(args.models)
    seeds = list(range(args.seeds))
    per, summary = {}, {}
    for recipe in args.recipes:
        sheet = []
        per[recipe] = {}
        for prompt in args.prompts:
            imgs = run_recipe(fam, recipe, prompt, seeds)
            sheet.append(imgs)
            per[recipe][prompt] = metrics(fam, imgs, prompt)
        data.contact_sheet(np.concatenate(sheet), len(seeds), f"{common.OUT}/sheet{args.tag}_{recipe}.png")
        keys = ["one_minus_ssim", "clip_distance", "vendi", "clip_score"]
        summary[recipe] = {k: {"mean": float(np.mean([per[recipe][p][k] for p in args.prompts])),
                               "ci95": bootstrap([per[recipe][p][k] for p in args.prompts])} for k in keys}
    with open(f"{common.OUT}/eval{args.tag}.json", "w") as f:
        json.dump({"prompts": args.prompts, "seeds": seeds, "per_prompt": per, "summary": summary}, f, indent=1)
    print(f"{'recipe':12s} {'1-SSIM':>22s} {'CLIP dist':>22s} {'Vendi':>22s} {'CLIP score':>22s}")
    for r, s in summary.items():
        cells = [f"{s[k]['mean']:.3f} [{s[k]['ci95'][0]:.3f},{s[k]['ci95'][1]:.3f}]"
                 for k in ["one_minus_ssim", "clip_distance", "vendi", "clip_score"]]
        print(f"{r:12s} " + " ".join(f"{c:>22s}" for c in cells))


if __name__ == "__main__":
    main()
