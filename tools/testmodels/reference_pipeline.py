#!/usr/bin/python3
"""Reference values for seedgrid's SDXL pipeline on the tiny test models, computed with the torch
modules of tiny_sdxl.py (not with ONNX) in float32, following /work/notes/PIPELINE_SEMANTICS.md
(= diffusers StableDiffusionXLPipeline + EulerDiscreteScheduler with SDXL's scheduler config).

Rerun from the repository root (Debian's python, CPU, deterministic, a few seconds):
    /usr/bin/python3 tools/testmodels/reference_pipeline.py
Writes udf/src/test/resources/golden/pipeline/:
    euler_timelines.json   timesteps / sigmas / init_noise_sigma for 4, 20, 30 steps (+ the anchor)
    text_encodings.json    input_ids of both tokenizers and the encoder outputs for each prompt
    case_<name>.json       one generation each (a batch of seeds [0, 1, 42]); see CASES: noise,
                           initial latents, latents after every step, decoded float image of
                           seed 0, summaries of every decoded image, uint8 NHWC images of all seeds
    unet_blend.json        single UNet evaluations: base, dmd2 stand-in, weight blends

Array encoding: small arrays are JSON lists; big ones are objects
    {"shape": [...], "dtype": "float32"|"uint8", "base64": "..."} (little-endian, C order).

Pipeline, per case (PIPELINE_SEMANTICS.md, steps 1-7):
  ids = bos + lookup(words) + eos, padded to 77 (tokenizer: eos id, tokenizer_2: "!" = id 0);
  token states = concat(text_encoder.hidden_states.3, text_encoder_2.hidden_states.5) [1,77,80];
  pooled = text_encoder_2.text_embeds [1,24]; time_ids = [H, W, 0, 0, H, W];
  CFG when guidance > 1: negative "" -> zero token states and pooled, else encoded like the prompt;
  UNet batch [negative x B; positive x B], eps = u + g (c - u);
  latents_i = randn([1,4,H/8,W/8], Generator("cpu").manual_seed(seed_i)) * init_noise_sigma;
  per step: unet(x / sqrt(sigma^2 + 1), t) ; Euler step (tiny_sdxl.euler_step);
  image = vae_decoder(x / 0.13025); uint8 = round(clamp(image / 2 + 0.5, 0, 1) * 255) (numpy
  round-half-even, NHWC) as diffusers' VaeImageProcessor.postprocess + numpy_to_pil.
NOTE on diffusers: StableDiffusionXLPipeline zeroes the negative only when negative_prompt is None;
an explicit "" is encoded. seedgrid (PIPELINE_SEMANTICS.md) treats "" as "no negative" -> zeros.

fp16 cases ("model": "tiny-sdxl/fp16"): the same computation with every weight rounded to float16
and every sub-model input and output rounded to float16 at the model boundary (sampler math in
float32), a model of what the Java pipeline does with the fp16 export. ONNX Runtime computes
inside the graph in float16, so expect differences of the order of float16 resolution.
"""
import base64
import copy
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_sdxl as T  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(REPO, "udf", "src", "test", "resources", "golden", "pipeline")
PROMPT = "a red cube on a blue floor"
NEGATIVE = "blurry low quality"
SEEDS = [0, 1, 42]

# name -> (height, width, steps, guidance, negative prompt or None when CFG is off, model)
CASES = {
    "h64w64_euler4_cfg1":                (64, 64, 4, 1.0, None, "fp32"),
    "h64w64_euler4_cfg5_zero-negative":  (64, 64, 4, 5.0, "", "fp32"),
    "h64w64_euler4_cfg5_negative":       (64, 64, 4, 5.0, NEGATIVE, "fp32"),
    "h64w64_euler20_cfg1":               (64, 64, 20, 1.0, None, "fp32"),
    "h64w64_euler20_cfg5_negative":      (64, 64, 20, 5.0, NEGATIVE, "fp32"),
    "h48w80_euler4_cfg1":                (48, 80, 4, 1.0, None, "fp32"),
    "h48w80_euler4_cfg5_zero-negative":  (48, 80, 4, 5.0, "", "fp32"),
    "h48w80_euler20_cfg5_negative":      (48, 80, 20, 5.0, NEGATIVE, "fp32"),
    "fp16_h64w64_euler4_cfg5_zero-negative": (64, 64, 4, 5.0, "", "fp16"),
    "fp16_h48w80_euler20_cfg5_negative":     (48, 80, 20, 5.0, NEGATIVE, "fp16"),
    "blend0.5_h64w64_euler4_cfg1":       (64, 64, 4, 1.0, None, "blend0.5"),
}
MODEL_NOTES = {
    "fp32": "tiny-sdxl/fp32 (identical results expected for tiny-sdxl/float-timestep and tiny-sdxl/external-data)",
    "fp16": "tiny-sdxl/fp16 (float16 model; reference = fp16-rounded weights and model I/O, float32 math)",
    "blend0.5": "tiny-sdxl/fp32 with UNet weights W = W_fp32 + 0.5 * (W_dmd2 - W_fp32) "
                "(tiny-sdxl/dmd2-unet-only/unet), blended initializer by initializer",
}


# ----------------------------------------------------------------------------------------------
def packed(arr, dtype):
    arr = np.ascontiguousarray(np.asarray(arr).astype(dtype))
    return {"shape": list(arr.shape), "dtype": np.dtype(dtype).name,
            "base64": base64.b64encode(arr.astype(np.dtype(dtype).newbyteorder("<")).tobytes()).decode("ascii")}


def floats(arr):
    return [float(v) for v in np.asarray(arr, dtype=np.float32).ravel()]


def summary(arr):
    a = np.asarray(arr, dtype=np.float32)
    flat = a.ravel().astype(np.float64)
    return {"shape": list(a.shape), "first": floats(a.ravel()[:4]), "last": floats(a.ravel()[-4:]),
            "sum": float(flat.sum()), "sum_abs": float(np.abs(flat).sum()), "min": float(flat.min()),
            "max": float(flat.max())}


def write_json(name, obj):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


# ----------------------------------------------------------------------------------------------
class Models:
    """The torch modules of one model variant, with the optional float16 boundary rounding."""

    def __init__(self, kind):
        self.vocab, self.merges = T.build_tokenizer()
        v = len(self.vocab)
        self.te1, self.te2 = T.make_text_encoder_1(v), T.make_text_encoder_2(v)
        self.unet, self.vae = T.make_unet(), T.make_vae_decoder()
        self.fp16 = kind == "fp16"
        if self.fp16:
            self.te1, self.te2, self.unet, self.vae = (T.round_weights_to_fp16(m) for m in
                                                       (self.te1, self.te2, self.unet, self.vae))
        if kind.startswith("blend"):
            self.unet = blend(self.unet, T.make_unet(seed=T.SEED_UNET_DMD2), float(kind[len("blend"):]))

    def io(self, x):
        """Model-boundary rounding: float16 for the fp16 variant, identity otherwise."""
        return x.half().float() if self.fp16 else x

    def ids(self, text):
        pad1, pad2 = "<|endoftext|>", "!"
        ids1 = T.tokenize_simple(text, self.vocab, pad1)
        ids2 = T.tokenize_simple(text, self.vocab, pad2)
        assert ids1 == T.tokenize_bpe(text, self.vocab, self.merges, pad1)
        assert ids2 == T.tokenize_bpe(text, self.vocab, self.merges, pad2)
        return ids1, ids2

    def encode(self, text):
        ids1, ids2 = self.ids(text)
        o1 = [self.io(o) for o in self.te1(torch.tensor([ids1]))]
        o2 = [self.io(o) for o in self.te2(torch.tensor([ids2]))]
        h1 = o1[2 + T.TE1_LAYERS - 1]          # hidden_states.3 = penultimate of 4 layers
        h2 = o2[2 + T.TE2_LAYERS - 1]          # hidden_states.5 = penultimate of 6 layers
        return {"ids1": ids1, "ids2": ids2, "te1": dict(zip(self.te1.output_names(), o1)),
                "te2": dict(zip(self.te2.output_names(), o2)),
                "token_states": torch.cat([h1, h2], dim=-1), "pooled": o2[0]}

    def eps(self, x_in, t, ctx, pooled, time_ids):
        out = self.unet(self.io(x_in), self.io(torch.tensor(float(t))), ctx, pooled, self.io(time_ids))
        return self.io(out)

    def decode(self, latents):
        return self.io(self.vae(self.io(latents / T.VAE_SCALING_FACTOR)))


def blend(base, other, alpha):
    """W = W_base + alpha * (W_other - W_base) for every parameter (float32)."""
    out = copy.deepcopy(base)
    other_params = dict(other.named_parameters())
    with torch.no_grad():
        for name, p in out.named_parameters():
            p.copy_(p + alpha * (other_params[name] - p))
    return out


def to_uint8(image):
    """diffusers VaeImageProcessor: (x * 0.5 + 0.5).clamp(0, 1), NCHW -> NHWC float32 numpy,
    (x * 255).round().astype(uint8) (numpy rounds half to even)."""
    x = (image * 0.5 + 0.5).clamp(0, 1)
    x = x.permute(0, 2, 3, 1).float().numpy()
    return (x * 255).round().astype("uint8")


def run_case(models, height, width, steps, guidance, negative):
    b = len(SEEDS)
    timesteps, sigmas, init_sigma = T.euler_timeline(steps)
    pos = models.encode(PROMPT)
    cfg = guidance > 1
    ctx, pooled = pos["token_states"].expand(b, -1, -1), pos["pooled"].expand(b, -1)
    if cfg:
        if negative == "":
            neg_ctx, neg_pooled = torch.zeros_like(ctx), torch.zeros_like(pooled)
        else:
            neg = models.encode(negative)
            neg_ctx, neg_pooled = neg["token_states"].expand(b, -1, -1), neg["pooled"].expand(b, -1)
        ctx, pooled = torch.cat([neg_ctx, ctx]), torch.cat([neg_pooled, pooled])
    time_ids = torch.tensor([[height, width, 0, 0, height, width]] * (2 * b if cfg else b), dtype=torch.float32)
    noise = torch.cat([torch.randn([1, 4, height // 8, width // 8], generator=torch.Generator("cpu").manual_seed(s))
                       for s in SEEDS])
    x = noise * init_sigma
    initial = x.clone()
    after = []
    for i in range(steps):
        x_in = x / ((sigmas[i] ** 2 + 1) ** 0.5)
        if cfg:
            out = models.eps(torch.cat([x_in, x_in]), timesteps[i], ctx, pooled, time_ids)
            uncond, cond = out[:b], out[b:]
            eps = uncond + guidance * (cond - uncond)
        else:
            eps = models.eps(x_in, timesteps[i], ctx, pooled, time_ids)
        x = T.euler_step(x, eps, sigmas[i], sigmas[i + 1])
        after.append(x.clone())
    image = models.decode(x)
    return dict(timesteps=timesteps, sigmas=sigmas, init_sigma=init_sigma, noise=noise, initial=initial,
                after=torch.stack(after), image=image, uint8=to_uint8(image), time_ids=time_ids[0])


# ----------------------------------------------------------------------------------------------
def main():
    torch.set_grad_enabled(False)
    models = {k: Models(k) for k in ("fp32", "fp16", "blend0.5")}

    timelines = {}
    for steps in (4, 20, 30):
        ts, sig, init = T.euler_timeline(steps)
        timelines[str(steps)] = {"timesteps": floats(ts), "sigmas": floats(sig), "init_noise_sigma": float(init)}
    anchor = timelines["30"]
    assert anchor["timesteps"][0] == 958.0 and abs(anchor["sigmas"][0] - 11.4768) < 1e-4 \
        and abs(anchor["init_noise_sigma"] - 11.5203) < 1e-4, "Euler anchor (958, 11.4768, 11.5203) not met"
    write_json("euler_timelines.json", {
        "source": "tools/testmodels/tiny_sdxl.py euler_timeline (diffusers EulerDiscreteScheduler, SDXL config: "
                  "scaled_linear 0.00085..0.012, 1000 train steps, leading, steps_offset 1); sigmas end with 0",
        "anchor_30_steps": {"first_timestep": 958, "first_sigma": 11.4768, "init_noise_sigma": 11.5203},
        "steps": timelines})

    m = models["fp32"]
    encodings = {"source": "tools/testmodels/reference_pipeline.py", "model": "tiny-sdxl/fp32 (float32 torch)",
                 "vocab_size": len(m.vocab), "bos_id": m.vocab["<|startoftext|>"], "eos_id": m.vocab["<|endoftext|>"],
                 "pad_id_tokenizer": m.vocab["<|endoftext|>"], "pad_id_tokenizer_2": m.vocab["!"],
                 "word_ids": {w: m.vocab[w + "</w>"] for w in T.WORDS}, "prompts": {}}
    for text in (PROMPT, NEGATIVE, "", "A  Red cube"):
        e = m.encode(text)
        encodings["prompts"][text] = {
            "input_ids_tokenizer": e["ids1"], "input_ids_tokenizer_2": e["ids2"],
            "text_encoder": {k: summary(v) for k, v in e["te1"].items()},
            "text_encoder_2": {k: summary(v) for k, v in e["te2"].items()},
            "token_states_summary": summary(e["token_states"]),
            "token_states": packed(e["token_states"], np.float32),
            "pooled": floats(e["pooled"]),
        }
    write_json("text_encodings.json", encodings)

    for name, (h, w, steps, g, negative, kind) in CASES.items():
        r = run_case(models[kind], h, w, steps, g, negative)
        write_json(f"case_{name}.json", {
            "source": "tools/testmodels/reference_pipeline.py", "model": MODEL_NOTES[kind],
            "prompt": PROMPT, "negative_prompt": negative, "guidance_scale": g, "cfg": g > 1,
            "height": h, "width": w, "sampler": "euler", "steps": steps, "seeds": SEEDS,
            "timesteps": floats(r["timesteps"]), "sigmas": floats(r["sigmas"]),
            "init_noise_sigma": float(r["init_sigma"]), "time_ids": floats(r["time_ids"]),
            "noise": packed(r["noise"], np.float32),
            "initial_latents": packed(r["initial"], np.float32),
            "latents_after_step": packed(r["after"], np.float32),
            "final_latents_summary": [summary(x) for x in r["after"][-1]],
            # float output of the first image (seed 0) in full, of every image as a summary
            # (full float arrays for all seeds tripled the golden size; the uint8 images are all there)
            "decoded_first_image": packed(r["image"][0], np.float32),
            "decoded_summary": [summary(x) for x in r["image"]],
            "image_uint8_nhwc": packed(r["uint8"], np.uint8),
        })
        print(f"case {name}: final latent |max| {float(r['after'][-1].abs().max()):.3f}, "
              f"image mean {float(r['image'].mean()):+.3f}, clamped {float(((r['image'] < -1) | (r['image'] > 1)).float().mean()):.3f}")

    # Single UNet evaluations for weight blending (W = W_base + a (W_dmd2 - W_base)).
    base, dmd2 = models["fp32"].unet, T.make_unet(seed=T.SEED_UNET_DMD2)
    pos = m.encode(PROMPT)
    sample = torch.randn([2, 4, 8, 8], generator=torch.Generator("cpu").manual_seed(7))
    ctx, pooled = pos["token_states"].expand(2, -1, -1), pos["pooled"].expand(2, -1)
    time_ids = torch.tensor([[64, 64, 0, 0, 64, 64]] * 2, dtype=torch.float32)
    outs = {}
    for alpha in (0.0, 0.25, 0.5, 1.0):
        unet = blend(base, dmd2, alpha)
        outs[str(alpha)] = packed(unet(sample, torch.tensor([751.0]), ctx, pooled, time_ids), np.float32)
    write_json("unet_blend.json", {
        "source": "tools/testmodels/reference_pipeline.py",
        "base": "tiny-sdxl/fp32/unet", "other": "tiny-sdxl/dmd2-unet-only/unet",
        "formula": "W = W_base + alpha * (W_other - W_base), every initializer",
        "inputs": {"sample": packed(sample, np.float32), "timestep": 751,
                   "encoder_hidden_states": f"token states of '{PROMPT}' (text_encodings.json), batch 2",
                   "text_embeds": f"pooled of '{PROMPT}', batch 2", "time_ids": [64, 64, 0, 0, 64, 64]},
        "out_sample_by_alpha": outs})
    print("wrote", OUT)


if __name__ == "__main__":
    main()
