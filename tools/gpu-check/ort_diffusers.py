#!/usr/bin/env python3
"""The same SDXL export rendered by ONNX Runtime's Python API with diffusers' schedulers: the reference
that `seedgrid bench throughput` is compared with (tools/gpu-check/gpu-check.sh).

It follows diffusers' StableDiffusionXLPipeline step for step, as seedgrid does (README, "Numerics and
reproducibility"): both CLIP tokenizers, each text encoder's penultimate hidden states concatenated, the
pooled text_embeds of encoder 2, time_ids [H, W, 0, 0, H, W], CFG as [negative; positive] with all-zero
negative inputs for an empty negative prompt, one torch CPU generator per image, the scheduler's own
step, the VAE on latents / scaling_factor one image at a time, round(clamp(x/2 + 0.5) * 255).

Needs: onnxruntime-gpu 1.28 (or onnxruntime for --device cpu), diffusers, transformers, torch (CPU is
enough: only the generator and the schedulers use it), numpy, pillow.

    python3 ort_diffusers.py --model models/sdxl-base --recipe base --steps 30 --batch 8 --images 8 \
        --size 1024 --out-dir out/python-sdxl-b8
"""
import argparse
import json
import pathlib
import sys
import time

RECIPES = ("base", "dmd2")
DMD2_TIMESTEPS = [999, 749, 499, 249]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, type=pathlib.Path, help="SDXL export (Optimum layout), or a UNet-only DMD2 folder with --base")
    p.add_argument("--base", type=pathlib.Path, help="the base export a UNet-only --model borrows from")
    p.add_argument("--recipe", choices=RECIPES, default="base", help="base: Euler, CFG; dmd2: LCM at 999/749/499/249, no CFG")
    p.add_argument("--prompt", default="a photo of a red fox in the snow")
    p.add_argument("--steps", type=int, default=20, help="Euler steps for base (default 20)")
    p.add_argument("--cfg", type=float, default=5.0, help="guidance scale for base (default 5)")
    p.add_argument("--size", type=int, default=1024, help="image width and height (default 1024)")
    p.add_argument("--images", type=int, default=8, help="images timed (default 8)")
    p.add_argument("--batch", type=int, default=1, help="seeds per UNet call (default 1)")
    p.add_argument("--device", default="cuda:0", help="cuda:N or cpu (default cuda:0)")
    p.add_argument("--conv-algo-search", default="HEURISTIC", choices=["HEURISTIC", "EXHAUSTIVE", "DEFAULT"])
    p.add_argument("--no-tf32", action="store_true")
    p.add_argument("--out-dir", required=True, type=pathlib.Path)
    a = p.parse_args(argv)
    if a.size <= 0 or a.size % 8:
        p.error(f"--size must be a positive multiple of 8, got {a.size}")
    if a.images < 1 or a.batch < 1 or a.steps < 1:
        p.error("--images, --batch and --steps are at least 1")
    if a.device != "cpu" and not a.device.startswith("cuda"):
        p.error(f"--device is cuda:N or cpu, got {a.device}")
    return a


def providers(args):
    """The execution providers with seedgrid's defaults (GpuOptions.DEFAULTS), so both sides run alike."""
    if args.device == "cpu":
        return ["CPUExecutionProvider"]
    index = int(args.device.split(":")[1]) if ":" in args.device else 0
    cuda = {"device_id": index, "cudnn_conv_algo_search": args.conv_algo_search,
            "arena_extend_strategy": "kSameAsRequested", "do_copy_in_default_stream": 1,
            "use_tf32": 0 if args.no_tf32 else 1}
    return [("CUDAExecutionProvider", cuda), "CPUExecutionProvider"]


class Part:
    """One sub-model: its session and its inputs' element types."""

    def __init__(self, ort, path, provider_list):
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=provider_list)
        self.types = {i.name: i.type for i in self.session.get_inputs()}
        self.ranks = {i.name: len(i.shape) for i in self.session.get_inputs()}
        self.outputs = [o.name for o in self.session.get_outputs()]

    def run(self, np, outputs, feeds):
        cast = {}
        for name, value in feeds.items():
            t = self.types[name]
            dtype = {"tensor(float16)": np.float16, "tensor(float)": np.float32, "tensor(int64)": np.int64,
                     "tensor(int32)": np.int32}[t]
            cast[name] = np.asarray(value).astype(dtype)
        return [o.astype(np.float32) for o in self.session.run(outputs, cast)]


def penultimate(part):
    layers = sorted(int(n.split(".")[1]) for n in part.outputs if n.startswith("hidden_states."))
    return f"hidden_states.{layers[-1] - 1}"


def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    import onnxruntime as ort
    import torch
    from diffusers import EulerDiscreteScheduler, LCMScheduler
    from PIL import Image
    from transformers import CLIPTokenizer

    base = args.base or args.model
    prov = providers(args)
    te1 = Part(ort, base / "text_encoder/model.onnx", prov)
    te2 = Part(ort, base / "text_encoder_2/model.onnx", prov)
    unet = Part(ort, args.model / "unet/model.onnx", prov)
    vae = Part(ort, base / "vae_decoder/model.onnx", prov)
    tok1 = CLIPTokenizer.from_pretrained(base / "tokenizer")
    tok2 = CLIPTokenizer.from_pretrained(base / "tokenizer_2")
    vae_config = base / "vae_decoder/config.json"
    scaling = json.loads(vae_config.read_text()).get("scaling_factor", 0.13025) if vae_config.exists() else 0.13025
    if args.recipe == "base":
        scheduler = EulerDiscreteScheduler.from_pretrained(base / "scheduler")
        scheduler.set_timesteps(args.steps)
        cfg = args.cfg
    else:
        scheduler = LCMScheduler.from_pretrained(base / "scheduler")
        scheduler.set_timesteps(timesteps=DMD2_TIMESTEPS)
        cfg = 1.0
    guided = cfg > 1
    h = w = args.size

    def encode(text):
        ids1 = tok1(text, padding="max_length", max_length=77, truncation=True, return_tensors="np").input_ids
        ids2 = tok2(text, padding="max_length", max_length=77, truncation=True, return_tensors="np").input_ids
        (s1,) = te1.run(np, [penultimate(te1)], {"input_ids": ids1})
        s2, pooled = te2.run(np, [penultimate(te2), "text_embeds"], {"input_ids": ids2})
        return np.concatenate([s1, s2], axis=-1), pooled

    states, pooled = encode(args.prompt)
    negative = (np.zeros_like(states), np.zeros_like(pooled))  # force_zeros_for_empty_prompt
    time_ids = np.array([[h, w, 0, 0, h, w]], dtype=np.float32)

    def render(seeds):
        generators = [torch.Generator("cpu").manual_seed(int(s)) for s in seeds]
        scheduler.set_timesteps(args.steps) if args.recipe == "base" else scheduler.set_timesteps(timesteps=DMD2_TIMESTEPS)
        latents = torch.cat([torch.randn((1, 4, h // 8, w // 8), generator=g) for g in generators])
        latents = latents * scheduler.init_noise_sigma
        n = len(seeds)
        for t in scheduler.timesteps:
            model_input = torch.cat([latents] * 2) if guided else latents
            model_input = scheduler.scale_model_input(model_input, t)
            rows = model_input.shape[0]
            enc = np.concatenate([negative[0]] * n + [states] * n) if guided else np.concatenate([states] * n)
            emb = np.concatenate([negative[1]] * n + [pooled] * n) if guided else np.concatenate([pooled] * n)
            ts = np.full((rows,), float(t)) if unet.ranks["timestep"] == 1 else np.array(float(t))
            (eps,) = unet.run(np, [unet.outputs[0]], {"sample": model_input.numpy(), "timestep": ts,
                                                     "encoder_hidden_states": enc, "text_embeds": emb,
                                                     "time_ids": np.repeat(time_ids, rows, axis=0)})
            eps = torch.from_numpy(eps)
            if guided:
                uncond, cond = eps.chunk(2)
                eps = uncond + cfg * (cond - uncond)
            latents = scheduler.step(eps, t, latents, generator=generators, return_dict=False)[0]
        images = []
        for b in range(n):
            (x,) = vae.run(np, ["sample"], {"latent_sample": (latents[b:b + 1] / scaling).numpy()})
            pixels = np.round(np.clip(x[0] / 2 + 0.5, 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)
            images.append(pixels)
        return images

    args.out_dir.mkdir(parents=True, exist_ok=True)
    render(list(range(min(args.batch, args.images))))  # warm-up: sessions, cuDNN's algorithm choice
    seconds = 0.0
    for start in range(0, args.images, args.batch):
        seeds = list(range(start, min(start + args.batch, args.images)))
        t0 = time.perf_counter()
        images = render(seeds)
        seconds += time.perf_counter() - t0
        for seed, pixels in zip(seeds, images):
            Image.fromarray(pixels).save(args.out_dir / f"{seed}.png")
    print(json.dumps({"renderer": "onnxruntime-python", "images": args.images, "batch": args.batch,
                      "seconds": round(seconds, 4), "images_per_second": round(args.images / seconds, 4),
                      "device": args.device}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
