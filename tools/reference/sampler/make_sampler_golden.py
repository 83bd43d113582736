#!/usr/bin/python3
"""Golden values for io.seedgrid.udf.sampler, computed by running diffusers' own scheduler classes.

Rerun (Debian's torch 1.13.1 and NumPy 1.24; diffusers is NOT vendored, pass a checkout of it):
    git clone https://github.com/huggingface/diffusers /tmp/diffusers
    /usr/bin/python3 tools/reference/sampler/make_sampler_golden.py --diffusers-src /tmp/diffusers/src \
        --out udf/src/test/resources/golden/sampler

Debian has no huggingface_hub, safetensors, filelock, regex or importlib_metadata, and torch 1.13 has no
torch.xpu/torch.mps.empty_cache, which diffusers imports at module level but the schedulers never use.
install_import_stubs() answers those imports with inert placeholders at run time (nothing is written to
disk) and skips diffusers' installed-package version check. The scheduler arithmetic is diffusers' own.

Writes:
  schedules.json     the float32 alphas_cumprod and sigma tables (scaled_linear, linear, squaredcos_cap_v2), and
                     timesteps, sigmas, init_noise_sigma (and the alpha_cumprod pairs DDIM/LCM step with)
                     for every sampler x schedule x step count, explicit [999, 749, 499, 249], denoise 0.6,
                     and a linspace-spacing config
  trajectories.json  the latent after every step of full runs on a stand-in model, two images with one
                     generator each (float32 little-endian, base64)

seedgrid's schedules that a diffusers class does not offer are fed to diffusers as explicit input, and
the file says so in "source" for each case:
  - EulerAncestral karras/sgm_uniform/explicit: EulerDiscreteScheduler's sigmas and timesteps, assigned;
  - DPM-Solver, LCM sgm_uniform: the rounded timesteps passed as timesteps=;
  - LCM trailing: DDIMScheduler's trailing timesteps passed as timesteps= (LCM ignores timestep_spacing);
  - DDIM/LCM karras: DPMSolverMultistepScheduler's rounded Karras timesteps; where rounding repeats a
    timestep (50 steps) the case records the error seedgrid must raise;
  - DDIM karras/sgm_uniform/explicit: no diffusers equivalent; ᾱ pairs by seedgrid's rule (next timestep
    of the list), with the diffusers DDIM step checked on the explicit list whose gaps are T // N.
The denoise cases apply ComfyUI's rule (schedule for int(steps / denoise) steps, keep the last steps) to
diffusers' schedule.
"""
import argparse
import base64
import importlib.abc
import importlib.machinery
import json
import math
import os
import sys
import types

import numpy as np
import torch

STUBBED_PACKAGES = ("huggingface_hub", "safetensors", "filelock", "regex", "importlib_metadata")
STEP_COUNTS = [1, 2, 4, 8, 20, 30, 50]
SCHEDULES = ["normal", "karras", "trailing", "sgm_uniform"]
SAMPLERS = ["euler", "euler_ancestral", "dpmpp_2m", "ddim", "lcm"]
EXPLICIT = [999, 749, 499, 249]
SEEDS = [42, 2**63 + 5]
LATENT_SHAPE = (2, 4, 8, 8)


def install_import_stubs():
    class Anything:
        def __init__(self, *args, **kwargs):
            pass

        def __call__(self, *args, **kwargs):
            return Anything()

        def __getattr__(self, name):
            return Anything()

    class StubModule(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            value = "/nonexistent/" + name.lower() if name.isupper() else type(name, (Exception,), {})
            setattr(self, name, value)
            return value

    class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, fullname, path, target=None):
            if fullname.split(".")[0] in STUBBED_PACKAGES:
                return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
            return None

        def create_module(self, spec):
            module = StubModule(spec.name)
            module.__path__ = []
            module.__version__ = "0.0.0"
            return module

        def exec_module(self, module):
            pass

    sys.meta_path.insert(0, StubFinder())
    for name in ("xpu", "mps"):
        if not hasattr(getattr(torch, name, None), "empty_cache"):
            setattr(torch, name, Anything())
    check = types.ModuleType("diffusers.dependency_versions_check")
    check.dep_version_check = lambda pkg, hint=None: None
    sys.modules["diffusers.dependency_versions_check"] = check


class RepeatedTimesteps(ValueError):
    """DDIM and LCM step between distinct integer timesteps; seedgrid rejects schedules that repeat one."""


def f32(values):
    return [float(v) for v in np.asarray(values, dtype=np.float32).reshape(-1)]


def b64(tensor):
    return base64.b64encode(tensor.detach().numpy().astype("<f4").tobytes()).decode("ascii")


class Golden:
    def __init__(self, diffusers, config):
        self.d = diffusers
        self.config = config
        self.T = config["num_train_timesteps"]

    def cls(self, sampler):
        return {
            "euler": self.d.EulerDiscreteScheduler,
            "euler_ancestral": self.d.EulerAncestralDiscreteScheduler,
            "dpmpp_2m": self.d.DPMSolverMultistepScheduler,
            "ddim": self.d.DDIMScheduler,
            "lcm": self.d.LCMScheduler,
        }[sampler]

    def make(self, sampler, **overrides):
        return self.cls(sampler).from_config(self.config, **overrides)

    def sgm_uniform(self, n):
        return np.linspace(self.T - 1, 0, n + 1)[:-1]

    def dpm_karras_timesteps(self, n):
        s = self.make("dpmpp_2m", use_karras_sigmas=True)
        s.set_timesteps(n)
        return [int(t) for t in s.timesteps]

    def scheduler(self, sampler, schedule, n, explicit=None):
        """A diffusers scheduler with set_timesteps done, and where its schedule came from."""
        if explicit is not None:
            return self._explicit(sampler, explicit)
        if schedule == "trailing":
            if sampler == "lcm":  # LCMScheduler ignores timestep_spacing
                ddim = self.make("ddim", timestep_spacing="trailing")
                ddim.set_timesteps(n)
                s, _ = self._explicit(sampler, [int(t) for t in ddim.timesteps])
                return s, "DDIMScheduler trailing timesteps as explicit input"
            s = self.make(sampler, timestep_spacing="trailing")
            s.set_timesteps(n)
            return s, "diffusers timestep_spacing=trailing"
        if schedule == "normal":
            s = self.make(sampler)
            s.set_timesteps(n)
            return s, "diffusers config spacing" if sampler != "lcm" else "diffusers LCM default grid"
        if schedule == "karras":
            if sampler in ("euler", "dpmpp_2m"):
                s = self.make(sampler, use_karras_sigmas=True)
                s.set_timesteps(n)
                return s, "diffusers use_karras_sigmas=True"
            if sampler == "euler_ancestral":
                return self._ancestral_from_euler(use_karras_sigmas=True, num_inference_steps=n)
            t = self.dpm_karras_timesteps(n)
            if any(b >= a for a, b in zip(t, t[1:])):
                raise RepeatedTimesteps(t)
            s, _ = self._explicit(sampler, t)
            return s, "DPMSolverMultistep karras timesteps (rounded) as explicit input"
        if schedule == "sgm_uniform":
            t = self.sgm_uniform(n)
            if sampler == "euler":
                s = self.make(sampler)
                s.set_timesteps(timesteps=list(t))
                return s, "diffusers timesteps= (sgm_uniform grid)"
            if sampler == "euler_ancestral":
                return self._ancestral_from_euler(timesteps=list(t))
            s, _ = self._explicit(sampler, [int(v) for v in np.round(t)])
            return s, "sgm_uniform grid rounded, as explicit input"
        raise ValueError(schedule)

    def _ancestral_from_euler(self, **kwargs):
        overrides = {"use_karras_sigmas": True} if kwargs.pop("use_karras_sigmas", False) else {}
        euler = self.make("euler", **overrides)
        euler.set_timesteps(**kwargs)
        s = self.make("euler_ancestral")
        s.set_timesteps(len(euler.timesteps))
        s.sigmas = euler.sigmas.clone()
        s.timesteps = euler.timesteps.clone()
        return s, "EulerDiscreteScheduler sigmas/timesteps assigned to EulerAncestralDiscreteScheduler"

    def _explicit(self, sampler, timesteps):
        if sampler == "euler":
            s = self.make(sampler)
            s.set_timesteps(timesteps=list(timesteps))
            return s, "diffusers timesteps="
        if sampler == "euler_ancestral":
            return self._ancestral_from_euler(timesteps=list(timesteps))
        if sampler in ("dpmpp_2m", "lcm"):
            s = self.make(sampler)
            s.set_timesteps(timesteps=[int(t) for t in timesteps])
            return s, "diffusers timesteps="
        # DDIM: set the step count for its stride T // N, then use the list as its timesteps
        s = self.make(sampler)
        s.set_timesteps(len(timesteps))
        s.timesteps = torch.tensor([int(t) for t in timesteps], dtype=torch.int64)
        return s, "DDIMScheduler with assigned timesteps (seedgrid rule: next timestep of the list)"

    def alpha_pairs(self, sampler, s, custom):
        """The (alpha_prod_t, alpha_prod_t_prev) each step of DDIM or LCM uses."""
        ac = s.alphas_cumprod
        final = float(s.final_alpha_cumprod)
        ts = [int(t) for t in s.timesteps]
        at, prev = [], []
        for i, t in enumerate(ts):
            at.append(float(ac[t]))
            if sampler == "ddim" and not custom:
                p = t - self.T // s.num_inference_steps
            else:
                p = ts[i + 1] if i + 1 < len(ts) else -1
            if sampler == "lcm" and i + 1 == len(ts):
                continue  # LCM's last step returns the denoised latent
            prev.append(float(ac[p]) if p >= 0 else final)
        return at, prev

    def schedule_case(self, sampler, schedule, n, explicit=None, denoise=1.0):
        full = n if denoise > 0.9999 else int(n / denoise)
        case = {"sampler": sampler, "schedule": schedule if explicit is None else "explicit", "steps": n,
                "denoise": denoise}
        try:
            s, source = self.scheduler(sampler, schedule, full, explicit)
        except RepeatedTimesteps as e:
            case["error"] = f"rounded timesteps repeat: {e.args[0]}"
            return case
        ts = [float(t) for t in s.timesteps]
        case["source"] = source
        if explicit is not None:
            case["explicit"] = list(explicit)
        case["timesteps"] = ts[len(ts) - n:]
        if sampler in ("euler", "euler_ancestral", "dpmpp_2m"):
            sig = s.sigmas.to(torch.float32)
            case["sigmas"] = f32(sig[len(sig) - n - 1:])
        init = s.init_noise_sigma
        if denoise <= 0.9999 and sampler in ("euler", "euler_ancestral"):
            start = s.sigmas[len(s.sigmas) - n - 1].reshape(())
            init = start if s.config.timestep_spacing in ("linspace", "trailing") else (start**2 + 1) ** 0.5
        case["initNoiseSigma"] = float(init)
        if sampler in ("ddim", "lcm"):
            custom = explicit is not None or schedule in ("karras", "sgm_uniform")
            at, prev = self.alpha_pairs(sampler, s, custom)
            case["alphaProd"] = f32(at[len(at) - n:])
            case["alphaProdPrev"] = f32(prev[len(prev) - (n if sampler == "ddim" else n - 1):]) if prev else []
        return case

    def trajectory(self, sampler, schedule, n, explicit=None, eta=0.0):
        s, source = self.scheduler(sampler, schedule, n, explicit)
        gens = [torch.Generator("cpu").manual_seed(seed) for seed in SEEDS]
        randn_tensor = self.d.utils.torch_utils.randn_tensor
        latents = randn_tensor(LATENT_SHAPE, generator=gens, dtype=torch.float32)
        latents = latents * s.init_noise_sigma
        steps = []
        for t in s.timesteps:
            model_in = s.scale_model_input(latents, t)
            out = stand_in_model(model_in, t)
            kwargs = {"eta": eta} if sampler == "ddim" else {}
            if sampler in ("euler_ancestral", "lcm") or (sampler == "ddim" and eta > 0):
                kwargs["generator"] = gens
            latents = s.step(out, t, latents, **kwargs).prev_sample
            steps.append(b64(latents))
        return {"sampler": sampler, "schedule": schedule if explicit is None else "explicit", "steps": n,
                "explicit": list(explicit) if explicit is not None else None, "eta": eta,
                "prediction": self.config["prediction_type"], "source": source,
                "seeds": [str(seed) for seed in SEEDS], "shape": list(LATENT_SHAPE),
                "initNoiseSigma": float(s.init_noise_sigma),
                "timesteps": [float(t) for t in s.timesteps], "latents": steps}


def stand_in_model(x, t):
    """eps = 0.5 tanh(0.3 x + t / 1000) + 0.1 x, elementwise in float64, rounded to float32."""
    xd = x.double()
    return (0.5 * torch.tanh(0.3 * xd + float(t) / 1000.0) + 0.1 * xd).to(torch.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--diffusers-src", required=True, help="the src/ folder of a diffusers checkout")
    parser.add_argument("--out", default="udf/src/test/resources/golden/sampler")
    parser.add_argument("--revision", default=None, help="diffusers commit, recorded in the output")
    args = parser.parse_args()

    install_import_stubs()
    sys.path.insert(0, os.path.abspath(args.diffusers_src))
    import diffusers
    import diffusers.utils.torch_utils  # noqa: F401 (randn_tensor)

    diffusers.utils.logging.set_verbosity_error()  # LCM warns about every custom timestep list

    with open(os.path.join(args.out, "sdxl_scheduler_config.json")) as f:
        sdxl = json.load(f)
    provenance = {"diffusers": diffusers.__version__, "diffusersRevision": args.revision,
                  "torch": torch.__version__, "numpy": np.__version__}

    g = Golden(diffusers, sdxl)
    cases = []
    for sampler in SAMPLERS:
        for schedule in SCHEDULES:
            for n in STEP_COUNTS:
                cases.append(g.schedule_case(sampler, schedule, n))
        cases.append(g.schedule_case(sampler, "normal", 4, explicit=EXPLICIT))
        for schedule in ("normal", "karras"):
            for n in (4, 8, 20):
                cases.append(g.schedule_case(sampler, schedule, n, denoise=0.6))
    linspace_cases = []
    gl = Golden(diffusers, dict(sdxl, timestep_spacing="linspace"))
    for sampler in ("euler", "euler_ancestral", "dpmpp_2m", "ddim"):
        for n in STEP_COUNTS:
            linspace_cases.append(gl.schedule_case(sampler, "normal", n))

    tables = {}
    for beta_schedule in ("scaled_linear", "linear", "squaredcos_cap_v2"):
        e = diffusers.EulerDiscreteScheduler.from_config(dict(sdxl, beta_schedule=beta_schedule))
        tables[beta_schedule] = {"alphasCumprod": b64(e.alphas_cumprod),
                                 "sigmas": b64(((1 - e.alphas_cumprod) / e.alphas_cumprod) ** 0.5)}

    with open(os.path.join(args.out, "schedules.json"), "w") as f:
        head = dict(provenance, config="sdxl_scheduler_config.json", tables=tables)
        f.write(json.dumps(head)[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c) for c in cases))
        f.write('\n], "linspaceCases": [\n')
        f.write(",\n".join(json.dumps(c) for c in linspace_cases))
        f.write("\n]}\n")

    runs = []
    for schedule in SCHEDULES:
        runs.append(g.trajectory("euler", schedule, 8))
        runs.append(g.trajectory("dpmpp_2m", schedule, 8))
    runs.append(g.trajectory("euler", "normal", 4, explicit=EXPLICIT))
    runs.append(g.trajectory("euler_ancestral", "normal", 8))
    runs.append(g.trajectory("euler_ancestral", "trailing", 6))
    runs.append(g.trajectory("euler_ancestral", "karras", 8))
    runs.append(g.trajectory("dpmpp_2m", "normal", 20))
    runs.append(g.trajectory("ddim", "normal", 8))
    runs.append(g.trajectory("ddim", "trailing", 6))
    runs.append(g.trajectory("ddim", "normal", 8, eta=0.5))
    runs.append(g.trajectory("ddim", "normal", 4, explicit=EXPLICIT))
    runs.append(g.trajectory("lcm", "normal", 4))
    runs.append(g.trajectory("lcm", "normal", 4, explicit=EXPLICIT))
    runs.append(g.trajectory("lcm", "karras", 6))
    gv = Golden(diffusers, dict(sdxl, prediction_type="v_prediction"))
    for sampler in SAMPLERS:
        runs.append(gv.trajectory(sampler, "normal", 4, explicit=EXPLICIT if sampler == "lcm" else None))

    with open(os.path.join(args.out, "trajectories.json"), "w") as f:
        head = dict(provenance, config="sdxl_scheduler_config.json",
                    model="eps = float32(0.5 * tanh(0.3 * x + t / 1000) + 0.1 * x), x = scale_model_input(latent), float64",
                    pipeline="latents = randn_tensor(shape, generator=[one per seed]) * init_noise_sigma; per step: "
                             "out = model(scale_model_input(latents, t), t); latents = step(out, t, latents).prev_sample")
        f.write(json.dumps(head)[:-1] + ', "runs": [\n')
        f.write(",\n".join(json.dumps(r) for r in runs))
        f.write("\n]}\n")
    print(f"{len(cases) + len(linspace_cases)} schedule cases, {len(runs)} trajectories", file=sys.stderr)


if __name__ == "__main__":
    main()
