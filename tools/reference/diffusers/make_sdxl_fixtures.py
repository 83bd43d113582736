#!/usr/bin/env python3
"""Real-architecture SDXL fixtures: diffusers' own classes at a tiny size, exported by seedgrid's
exporters, and diffusers' renders of the same weights as golden images.

    python tools/reference/diffusers/make_sdxl_fixtures.py [--out jobs/src/test/resources/diffusers]

Needs a venv with the exporter stack (tools/export/requirements-sdxl.txt: torch, diffusers,
transformers, optimum + optimum-onnx, onnx, onnxruntime, peft). diffusers, optimum, optimum-onnx and
huggingface_hub may be installed from their source repositories at the pinned tags (the values committed
were made with diffusers 0.35.2, optimum 2.1.0, optimum-onnx 0.1.0, huggingface_hub 0.35.3 installed
that way, torch 2.13.0+cpu, transformers 4.57.6, peft 0.21.0; provenance.json records it).

What it writes under --out (a few MB):
  base-fp32/       components.py's pipeline through tools/export/export_sdxl.py (fp32)
  base-fp16/       the same through export_sdxl.py --fp16 (text encoders and UNet fp16, the VAE fp32;
                   traced on the CPU)
  dmd2-fp32/       a second UNet of the same architecture (other seed) as "DMD2", through
                   export_dmd2_unet.py --unet-weights (route A: full UNet weights), unet/ only
  dmd2lora-fp32/   a random LoRA on the base UNet, fused at 1.0 through export_dmd2_unet.py --lora
                   (route B), unet/ only
  images/*.png     diffusers' images (PyTorch, float32 unless the case says fp16)
  manifest.json    per image: the `seedgrid render` arguments of the same case, and how diffusers made it
  provenance.json  package versions, the LoRA's settings

Every diffusers case is StableDiffusionXLPipeline.__call__ (output_type="pil": diffusers' own rounding)
except `hybrid`, which no diffusers pipeline offers: reference_hybrid below is a loop over diffusers'
schedulers, UNets and VAE (the recipe of Gandikota & Bau 2025: base Euler with CFG for the first step
of DMD2's timeline, then LCM with the DMD2 UNet on the rest, the latent handed over from sigma space to
the VP space at the step it enters). Schedules that a diffusers scheduler does not offer by a config
switch come from tools/reference/sampler/make_sampler_golden.py's Golden.scheduler (the same mapping as
seedgrid's schedule goldens), installed on the pipeline's scheduler; the manifest says which.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools/reference/sampler"))

import components  # noqa: E402

PROMPT = "a red circle on a blue square"
NEGATIVE = "green triangle"
SEED = 42
DMD2_TIMESTEPS = [999, 749, 499, 249]
STUDENT_SEED = 7
LORA = {"r": 4, "lora_alpha": 4, "target_modules": ["to_q", "to_k", "to_v", "to_out.0"], "seed": 11}


def run(cmd):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed: {cmd}")
    return done


def export_all(work: Path, out: Path):
    """The pipeline, the student UNet and the LoRA as files, then seedgrid's exporters on them."""
    import torch
    from diffusers import StableDiffusionXLPipeline
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict
    from safetensors.torch import save_file

    pipe = components.make_pipeline(0)
    pipe.save_pretrained(work / "pipe")
    student = components.make_unet(STUDENT_SEED)
    save_file({k: v.contiguous() for k, v in student.state_dict().items()}, str(work / "student.safetensors"))

    unet = components.make_unet(1)  # the base's UNet (make_components seeds it with seed + 1)
    torch.manual_seed(LORA["seed"])  # peft draws A and B from torch's global generator
    unet.add_adapter(LoraConfig(r=LORA["r"], lora_alpha=LORA["lora_alpha"], target_modules=LORA["target_modules"],
                                init_lora_weights=False))
    StableDiffusionXLPipeline.save_lora_weights(work / "lora", unet_lora_layers=get_peft_model_state_dict(unet),
                                                weight_name="lora.safetensors")

    export = REPO / "tools/export"
    py = sys.executable
    run([py, export / "export_sdxl.py", "--model", work / "pipe", "--out", out / "base-fp32", "--force"])
    run([py, export / "export_sdxl.py", "--model", work / "pipe", "--out", out / "base-fp16", "--fp16", "--force"])
    run([py, export / "export_dmd2_unet.py", "--base-export", out / "base-fp32", "--unet-weights",
         work / "student.safetensors", "--out", out / "dmd2-fp32", "--force"])
    run([py, export / "export_dmd2_unet.py", "--base-export", out / "base-fp32", "--lora",
         work / "lora/lora.safetensors", "--out", out / "dmd2lora-fp32", "--force"])


def generator():
    import torch

    return torch.Generator("cpu").manual_seed(SEED)


class Cases:
    def __init__(self, work: Path, out: Path):
        import diffusers
        import torch
        from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel
        from make_sampler_golden import Golden

        self.torch = torch
        self.d = diffusers
        self.out = out
        self.work = work
        self.pipe = StableDiffusionXLPipeline.from_pretrained(work / "pipe", torch_dtype=torch.float32)
        self.pipe.set_progress_bar_config(disable=True)
        self.student = UNet2DConditionModel.from_pretrained(work / "pipe/unet")
        from safetensors.torch import load_file

        self.student.load_state_dict(load_file(str(work / "student.safetensors")), strict=True)
        self.student.eval()
        self.config = dict(self.pipe.scheduler.config)
        self.golden = Golden(diffusers, self.config)
        self.entries = []
        (out / "images").mkdir(parents=True, exist_ok=True)

    def save(self, name, image, args, how, size=(64, 64)):
        path = self.out / "images" / f"{name}.png"
        image.save(path)
        self.entries.append({"png": f"{name}.png", "args": [str(a) for a in args], "diffusers": how,
                             "width": size[0], "height": size[1]})
        print(f"  {name}: {how}", flush=True)

    # ---- base model: every sampler x schedule, StableDiffusionXLPipeline ----
    def scheduler(self, sampler, schedule, steps, explicit=None):
        """A fresh scheduler for one pipeline call, and where its timesteps come from. Config switches
        (leading/trailing/karras) are left to the pipeline's own set_timesteps; other schedules are
        prepared by Golden.scheduler and the pipeline's set_timesteps call is made a no-op."""
        native = explicit is None and (schedule == "normal" or (schedule == "trailing" and sampler != "lcm")
                                       or (schedule == "karras" and sampler in ("euler", "dpmpp_2m")))
        if native:
            overrides = {"trailing": {"timestep_spacing": "trailing"},
                         "karras": {"use_karras_sigmas": True}}.get(schedule, {})
            s = self.golden.make(sampler, **overrides)
            return s, f"{type(s).__name__} {overrides or 'config'}", True
        s, source = self.golden.scheduler(sampler, schedule, steps, explicit)
        s.set_timesteps = lambda *a, **k: None  # keep the prepared timesteps; the pipeline only reads them
        return s, source, False

    def base_case(self, name, sampler, schedule, steps, cfg, negative, explicit=None, size=(64, 64), fp16=False):
        pipe = self.fp16_pipe() if fp16 else self.pipe
        s, source, _ = self.scheduler(sampler, schedule, steps, explicit)
        pipe.scheduler = s
        call = dict(negative_prompt=negative or None, num_inference_steps=steps, guidance_scale=cfg,
                    width=size[0], height=size[1], generator=generator())
        if fp16:  # the pipeline's decode would cast the fp16 latents for an fp16 VAE only: decode as it does, in fp32
            latents = pipe(PROMPT, output_type="latent", **call).images
            with self.torch.no_grad():
                decoded = pipe.vae.decode(latents.float() / pipe.vae.config.scaling_factor).sample
            image = pipe.image_processor.postprocess(decoded, output_type="pil")[0]
        else:
            image = pipe(PROMPT, output_type="pil", **call).images[0]
        model = self.out / ("base-fp16" if fp16 else "base-fp32")
        args = ["--model", model, "--prompt", PROMPT, "--negative", negative, "--seed", SEED, "--cfg", cfg,
                "--sampler", sampler, "--width", size[0], "--height", size[1]]
        args += ["--timesteps", ",".join(str(t) for t in explicit)] if explicit else \
            ["--steps", steps, "--scheduler", schedule]
        how = (f"StableDiffusionXLPipeline{' (fp16 UNet and text encoders, fp32 VAE)' if fp16 else ''}, "
               f"{source}, guidance_scale={cfg}, negative_prompt={negative!r}")
        self.save(name, image, args, how, size)

    def fp16_pipe(self):
        if not hasattr(self, "_fp16"):
            from diffusers import StableDiffusionXLPipeline

            pipe = StableDiffusionXLPipeline.from_pretrained(self.work / "pipe", torch_dtype=self.torch.float16)
            pipe.vae.to(self.torch.float32)  # the export keeps the VAE in fp32 (--fp16-vae fp32)
            pipe.set_progress_bar_config(disable=True)
            self._fp16 = pipe
        return self._fp16

    # ---- DMD2 and friends ----
    def lcm_pipe(self, unet):
        from diffusers import LCMScheduler, StableDiffusionXLPipeline

        parts = {k: v for k, v in self.pipe.components.items()}
        parts["unet"] = unet
        parts["scheduler"] = LCMScheduler.from_config(self.config)
        pipe = StableDiffusionXLPipeline(**parts)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def lora_pipe(self, weight):
        from diffusers import UNet2DConditionModel

        pipe = self.lcm_pipe(UNet2DConditionModel.from_pretrained(self.work / "pipe/unet").eval())  # a fresh copy
        pipe.load_lora_weights(str(self.work / "lora"), weight_name="lora.safetensors", adapter_name="dmd2")
        pipe.set_adapters(["dmd2"], adapter_weights=[weight])
        return pipe

    def lcm_image(self, pipe, timesteps, cfg=0.0):
        image = pipe(PROMPT, num_inference_steps=len(timesteps), timesteps=list(timesteps), guidance_scale=cfg,
                     width=64, height=64, generator=generator(), output_type="pil").images[0]
        return image

    def dmd2_cases(self):
        o = self.out
        self.save("dmd2_unet", self.lcm_image(self.lcm_pipe(self.student), DMD2_TIMESTEPS),
                  ["--recipe", "dmd2", "--model", o / "dmd2-fp32", "--prompt", PROMPT, "--seed", SEED],
                  f"StableDiffusionXLPipeline, student UNet, LCMScheduler timesteps={DMD2_TIMESTEPS}, guidance_scale=0")
        self.save("skip-first_unet", self.lcm_image(self.lcm_pipe(self.student), DMD2_TIMESTEPS[1:]),
                  ["--recipe", "skip-first", "--model", o / "dmd2-fp32", "--prompt", PROMPT, "--seed", SEED],
                  f"StableDiffusionXLPipeline, student UNet, LCMScheduler timesteps={DMD2_TIMESTEPS[1:]}, guidance_scale=0")
        self.save("dmd2_lora", self.lcm_image(self.lora_pipe(1.0), DMD2_TIMESTEPS),
                  ["--recipe", "dmd2", "--model", o / "dmd2lora-fp32", "--prompt", PROMPT, "--seed", SEED],
                  "StableDiffusionXLPipeline + load_lora_weights (unfused, adapter weight 1.0), LCMScheduler "
                  f"timesteps={DMD2_TIMESTEPS}, guidance_scale=0")
        for alpha in (0.3, 0.7):
            self.save(f"blend{alpha}_lora", self.lcm_image(self.lora_pipe(alpha), DMD2_TIMESTEPS),
                      ["--recipe", "blend", "--model", o / "base-fp32", "--student", o / "dmd2lora-fp32",
                       "--alpha", alpha, "--prompt", PROMPT, "--seed", SEED],
                      f"StableDiffusionXLPipeline + load_lora_weights, set_adapters weight {alpha} (LoRA strength), "
                      f"LCMScheduler timesteps={DMD2_TIMESTEPS}, guidance_scale=0")
        blended = components.make_unet(STUDENT_SEED)
        with self.torch.no_grad():
            base = dict(self.pipe.unet.named_parameters())
            for n, p in blended.named_parameters():
                p.copy_(base[n] + 0.5 * (dict(self.student.named_parameters())[n] - base[n]))
        self.save("blend0.5_unet", self.lcm_image(self.lcm_pipe(blended), DMD2_TIMESTEPS),
                  ["--recipe", "blend", "--model", o / "base-fp32", "--student", o / "dmd2-fp32", "--alpha", 0.5,
                   "--prompt", PROMPT, "--seed", SEED],
                  "StableDiffusionXLPipeline, UNet weights base + 0.5 (student - base) in torch float32, LCMScheduler "
                  f"timesteps={DMD2_TIMESTEPS}, guidance_scale=0")
        for k in (1, 2):
            self.save(f"hybrid{k}_unet", self.reference_hybrid(k, 5.0, NEGATIVE),
                      ["--recipe", "hybrid", "--model", o / "base-fp32", "--student", o / "dmd2-fp32",
                       "--base-steps", k, "--cfg", 5, "--negative", NEGATIVE, "--prompt", PROMPT, "--seed", SEED],
                      f"reference_hybrid: base EulerDiscreteScheduler (timesteps={DMD2_TIMESTEPS}) with CFG 5 and the "
                      f"negative prompt for {k} step(s), then LCMScheduler with the student UNet (guidance 0)")

    def reference_hybrid(self, base_steps, cfg, negative):
        """Base model for the first base_steps of DMD2's timeline (Euler, CFG), student for the rest (LCM)."""
        torch = self.torch
        pipe = self.pipe
        gen = generator()
        with torch.no_grad():
            embeds, neg_embeds, pooled, neg_pooled = pipe.encode_prompt(
                PROMPT, device="cpu", num_images_per_prompt=1, do_classifier_free_guidance=True,
                negative_prompt=negative)
            time_ids = torch.tensor([[64.0, 64.0, 0.0, 0.0, 64.0, 64.0]])
            euler = self.d.EulerDiscreteScheduler.from_config(self.config)
            euler.set_timesteps(timesteps=DMD2_TIMESTEPS)
            latents = self.d.utils.torch_utils.randn_tensor((1, 4, 8, 8), generator=gen, dtype=torch.float32)
            latents = latents * euler.init_noise_sigma
            cond = {"text_embeds": torch.cat([neg_pooled, pooled]), "time_ids": torch.cat([time_ids, time_ids])}
            for t in euler.timesteps[:base_steps]:
                x = euler.scale_model_input(torch.cat([latents, latents]), t)
                eps = pipe.unet(x, t, encoder_hidden_states=torch.cat([neg_embeds, embeds]),
                                added_cond_kwargs=cond).sample
                u, c = eps.chunk(2)
                latents = euler.step(u + cfg * (c - u), t, latents).prev_sample
            # hand-off: x_sigma = x0 + sigma eps  ->  x_vp = sqrt(abar) x0 + sqrt(1 - abar) eps = x_sigma / sqrt(sigma^2 + 1)
            sigma = euler.sigmas[base_steps]
            latents = latents / (sigma ** 2 + 1) ** 0.5
            lcm = self.d.LCMScheduler.from_config(self.config)
            lcm.set_timesteps(timesteps=DMD2_TIMESTEPS)
            lcm.set_begin_index(base_steps)
            cond = {"text_embeds": pooled, "time_ids": time_ids}
            for t in lcm.timesteps[base_steps:]:
                eps = self.student(latents, t, encoder_hidden_states=embeds, added_cond_kwargs=cond).sample
                latents = lcm.step(eps, t, latents, generator=gen).prev_sample
            image = pipe.vae.decode(latents / pipe.vae.config.scaling_factor).sample
        return pipe.image_processor.postprocess(image, output_type="pil")[0]

    def all(self):
        for sampler in ("euler", "euler_ancestral", "dpmpp_2m", "ddim", "lcm"):
            steps, cfg, negative = (4, 1.0, "") if sampler == "lcm" else (8, 5.0, NEGATIVE)
            for schedule in ("normal", "karras", "trailing", "sgm_uniform"):
                if sampler == "ddim" and schedule in ("karras", "sgm_uniform"):
                    continue  # no diffusers equivalent: DDIMScheduler steps to t - T // N, not the list's next timestep
                self.base_case(f"{sampler}_{schedule}", sampler, schedule, steps, cfg, negative)
            self.base_case(f"{sampler}_explicit", sampler, "normal", 4, cfg, negative, explicit=DMD2_TIMESTEPS)
        self.base_case("euler_normal_cfg1", "euler", "normal", 8, 1.0, "")
        self.base_case("euler_normal_zero-negative", "euler", "normal", 8, 5.0, "")
        self.base_case("dpmpp_2m_karras_h48w80", "dpmpp_2m", "karras", 8, 5.0, NEGATIVE, size=(80, 48))
        self.base_case("lcm_normal_cfg2_negative", "lcm", "normal", 4, 2.0, NEGATIVE)
        self.base_case("fp16_euler_normal", "euler", "normal", 8, 5.0, NEGATIVE, fp16=True)
        self.base_case("fp16_dpmpp_2m_karras_zero-negative", "dpmpp_2m", "karras", 8, 5.0, "", fp16=True)
        self.dmd2_cases()


def relative_args(entries, out: Path):
    """Model folders as paths relative to the fixture folder (the test resolves them)."""
    for entry in entries:
        entry["args"] = [os.path.relpath(a, out) if a.startswith(str(out)) else a for a in entry["args"]]
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(REPO / "jobs/src/test/resources/diffusers"))
    parser.add_argument("--keep-work", action="store_true", help="keep the diffusers folder, student and LoRA")
    args = parser.parse_args()

    import diffusers
    import optimum.version
    import peft
    import torch
    import transformers

    diffusers.utils.logging.set_verbosity_error()
    out = Path(args.out).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="seedgrid-diffusers-"))
    try:
        export_all(work, out)
        cases = Cases(work, out)
        cases.all()
        manifest = {"prompt": PROMPT, "seed": SEED, "images": relative_args(cases.entries, out)}
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        (out / "provenance.json").write_text(json.dumps({
            "script": "tools/reference/diffusers/make_sdxl_fixtures.py",
            "versions": {"torch": torch.__version__, "diffusers": diffusers.__version__,
                         "transformers": transformers.__version__, "peft": peft.__version__,
                         "optimum": optimum.version.__version__},
            "lora": LORA, "student_seed": STUDENT_SEED}, indent=1) + "\n")
    finally:
        if args.keep_work:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
