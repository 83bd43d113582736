"""SDXL's noise schedule and the samplers seedgrid's pipeline runs, written from diffusers' formulas
(schedulers/scheduling_euler_discrete.py, scheduling_lcm.py) in their dtypes: betas and alphas_cumprod
in float32, sigma interpolation in numpy, sampler state float32."""
import numpy as np
import torch

T = 1000
BETAS = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=torch.float32) ** 2   # scaled_linear
ALPHAS_CUMPROD = torch.cumprod(1.0 - BETAS, dim=0)
SIGMAS_ALL = ((1 - ALPHAS_CUMPROD.numpy()) / ALPHAS_CUMPROD.numpy()) ** 0.5          # float32
DMD2_TIMESTEPS = [999, 749, 499, 249]


def leading_timesteps(steps, offset=1):
    """timestep_spacing "leading" with steps_offset 1: e.g. 20 steps -> 951, 901, ..., 1."""
    ratio = T // steps
    return (np.arange(0, steps) * ratio).round()[::-1].astype(np.int64) + offset


def euler_sigmas(timesteps):
    """sigma(t) by np.interp over the train sigmas, a final 0, as float32 (EulerDiscreteScheduler)."""
    s = np.interp(np.asarray(timesteps, dtype=np.float64), np.arange(T), SIGMAS_ALL)
    return torch.from_numpy(np.concatenate([s, [0.0]]).astype(np.float32))


def init_noise_sigma(sigmas):
    """Leading spacing: sqrt(sigma_max^2 + 1)."""
    return float((sigmas.max() ** 2 + 1) ** 0.5)


def lcm_scalings(t, timestep_scaling=10.0, sigma_data=0.5):
    """LCMScheduler.get_scalings_for_boundary_condition_discrete."""
    s = t * timestep_scaling
    return sigma_data ** 2 / (s ** 2 + sigma_data ** 2), s / (s ** 2 + sigma_data ** 2) ** 0.5


def lcm_denoise(x_t, eps, t):
    """LCM's boundary-condition x0 estimate from an epsilon prediction at integer timestep t (VP space)."""
    a = ALPHAS_CUMPROD[t]
    x0 = (x_t - (1 - a).sqrt() * eps) / a.sqrt()
    c_skip, c_out = lcm_scalings(float(t))
    return c_out * x0 + c_skip * x_t


def q_sample(x0, t, noise):
    """Forward process at integer timesteps t [B]: sqrt(a) x0 + sqrt(1-a) noise."""
    a = ALPHAS_CUMPROD[t].view(-1, 1, 1, 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise
