"""seedgrid's SDXL pipeline in PyTorch, as /work/notes/PIPELINE_SEMANTICS.md specifies it (= diffusers'
StableDiffusionXLPipeline with EulerDiscreteScheduler / LCMScheduler), for the toy family:
prompt -> both tokenizers -> both text encoders -> concat of penultimate states + pooled text_embeds ->
sampler -> vae decoder -> uint8 images. Each image owns a torch CPU generator seeded with its seed:
initial latents first, then every step noise (as diffusers with a list of generators).
"""
import torch

import schedule

LATENT_SHAPE = (1, 4, 8, 8)


def time_ids(b, size=64):
    return torch.tensor([[size, size, 0, 0, size, size]], dtype=torch.float32).repeat(b, 1)


class Conditioner:
    """Tokenizers + text encoders -> (token states [B,77,D], pooled [B,P]); "" -> zeros (CFG negative)."""

    def __init__(self, tok1, tok2, te1, te2):
        self.tok1, self.tok2, self.te1, self.te2 = tok1, tok2, te1, te2

    @torch.no_grad()
    def __call__(self, prompts):
        ids1 = torch.from_numpy(self.tok1.encode_batch(prompts))
        ids2 = torch.from_numpy(self.tok2.encode_batch(prompts))
        hs1, _, _ = self.te1(ids1)
        hs2, _, pooled = self.te2(ids2)
        return torch.cat([hs1[-2], hs2[-2]], dim=-1), pooled

    def zeros(self, ctx, pooled):
        return torch.zeros_like(ctx), torch.zeros_like(pooled)


def generators(seeds):
    return [torch.Generator("cpu").manual_seed(int(s)) for s in seeds]


def randn(gens):
    return torch.cat([torch.randn(LATENT_SHAPE, generator=g) for g in gens])


def guided_eps(unet, x_in, t, ctx, pooled, cfg):
    """One UNet call; with cfg > 1 the batch is [negative (all zeros); positive] and u + g (c - u)."""
    b = x_in.shape[0]
    ts = torch.full((b,), int(t), dtype=torch.int64)
    if cfg > 1:
        zc, zp = torch.zeros_like(ctx), torch.zeros_like(pooled)
        out = unet(torch.cat([x_in, x_in]), torch.cat([ts, ts]), torch.cat([zc, ctx]),
                   torch.cat([zp, pooled]), time_ids(2 * b))
        u, c = out.chunk(2)
        return u + cfg * (c - u)
    return unet(x_in, ts, ctx, pooled, time_ids(b))


@torch.no_grad()
def euler(unet, ctx, pooled, gens, steps=20, cfg=5.0, timesteps=None, stop_after=None):
    """Euler (leading spacing) from fresh latents. With stop_after=k returns after k steps:
    (x in sigma space, index of the next timestep, timesteps)."""
    ts = schedule.leading_timesteps(steps) if timesteps is None else list(timesteps)
    sig = schedule.euler_sigmas(ts)
    x = randn(gens) * schedule.init_noise_sigma(sig)
    n = len(ts) if stop_after is None else stop_after
    for i in range(n):
        s = sig[i]
        eps = guided_eps(unet, x / (s ** 2 + 1) ** 0.5, ts[i], ctx, pooled, cfg)
        x0 = x - s * eps
        x = x + (x - x0) / s * (sig[i + 1] - s)
    return x if stop_after is None else (x, sig[n])


@torch.no_grad()
def lcm(unet, ctx, pooled, gens, timesteps=tuple(schedule.DMD2_TIMESTEPS), x=None, cfg=1.0):
    """LCM multistep sampling (VP space, init_noise_sigma 1) at explicit timesteps; fresh noise from each
    image's generator between steps. x: start latents at timesteps[0] (else drawn from the generators)."""
    x = randn(gens) if x is None else x
    for i, t in enumerate(timesteps):
        eps = guided_eps(unet, x, t, ctx, pooled, cfg)
        denoised = schedule.lcm_denoise(x, eps, t)
        if i + 1 < len(timesteps):
            a = schedule.ALPHAS_CUMPROD[timesteps[i + 1]]
            x = a.sqrt() * denoised + (1 - a).sqrt() * randn(gens)
        else:
            x = denoised
    return x


@torch.no_grad()
def hybrid(teacher, student, ctx, pooled, gens, k=1, cfg=5.0, timesteps=tuple(schedule.DMD2_TIMESTEPS)):
    """Teacher Euler (CFG) for the first k steps of the timeline, then the student's LCM for the rest;
    the hand-off converts sigma space to VP space: x / sqrt(sigma^2 + 1)."""
    x, s = euler(teacher, ctx, pooled, gens, timesteps=timesteps, cfg=cfg, stop_after=k)
    return lcm(student, ctx, pooled, gens, timesteps=timesteps[k:], x=x / (s ** 2 + 1) ** 0.5)


@torch.no_grad()
def decode(decoder, latents, scaling_factor):
    """vae_decoder(latent_sample = latents / scaling_factor) -> sample in about [-1, 1]."""
    return decoder(latents / scaling_factor)


def blend(base_state, student_state, alpha):
    """W = W_base + alpha (W_student - W_base), per tensor."""
    return {k: base_state[k] + alpha * (student_state[k] - base_state[k]) for k in base_state}
