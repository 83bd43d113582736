"""Stage 2: the teacher ("base"): UNet + both text encoders trained jointly, epsilon prediction on SDXL's
schedule (1000 steps, scaled_linear 0.00085..0.012), on unit-variance AE latents of procedural shapes.

- Data: N_IMAGES images (seed 2) encoded once with the AE encoder mean (cached in work/latents.pt);
  a fresh random caption per image and step (data.caption), so captions fix some attributes only.
- Caption dropout P_DROP: the unconditional input is ALL-ZERO token states and pooled embedding, exactly
  what the pipeline feeds for an empty negative prompt with CFG (force_zeros_for_empty_prompt).
- Loss: MSE on epsilon with min-SNR-5 weights (Hang et al. 2023), Adam, two cosine phases (below), grad clip 1,
  EMA 0.999 of all three networks (the EMA is what is exported).

Rerun: /usr/bin/python3 tools/toymodel/train_teacher.py   (resumes from work/teacher.pt; seed 3)
"""
import copy
import math
import time

import numpy as np
import torch

import clip_bpe
import common
import data
import nets
import pipeline
import schedule

SEED, DATA_SEED = 3, 2
N_IMAGES, BATCH, LR, WARMUP, P_DROP, EMA = 40000, 32, 5e-4, 200, 0.12, 0.999
# Phase 1: PHASE1 steps, warmup + cosine LR -> 0.1 LR. Phase 2 (added after phase-1 samples still showed
# coloured blobs instead of shapes): PHASE2 more steps, cosine from LR2 to 0.1 LR2.
PHASE1, PHASE2, LR2 = 3000, 2000, 3e-4
STEPS = PHASE1 + PHASE2


def learning_rate(step):
    if step < PHASE1:
        return LR * min(1.0, (step + 1) / WARMUP) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / PHASE1)))
    return LR2 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - PHASE1) / PHASE2)))


def build_latents(path):
    ck = common.load_ckpt(path)
    if ck:
        return ck["latents"], ck["attrs"]
    ae = torch.load(common.WORK + "/ae.pt")
    enc = nets.Encoder()
    enc.load_state_dict(ae["enc"])
    rng = np.random.default_rng(DATA_SEED)
    lat, attrs = [], []
    with torch.no_grad():
        for i in range(N_IMAGES // 200):
            a, imgs = data.batch(rng, 200)
            lat.append(enc(common.to_tensor(imgs))[0] / ae["latent_std"])
            attrs.extend(a)
    lat = torch.cat(lat)
    common.save_ckpt(path, latents=lat, attrs=attrs)
    return lat, attrs


def preview(nets_, cond, decoder, sf, path, prompts):
    te1, te2, unet = nets_
    ctx, pooled = cond(prompts)
    with torch.no_grad():
        x = pipeline.euler(unet, ctx, pooled, pipeline.generators(range(len(prompts))), steps=20, cfg=5.0)
        data.contact_sheet(common.to_images(pipeline.decode(decoder, x, sf)), 8, path)


def main():
    rng = common.setup(SEED)
    latents, attrs = build_latents(common.WORK + "/latents.pt")
    tok1, tok2 = clip_bpe.build(clip_bpe.EOS), clip_bpe.build("!")
    te1, te2, unet = nets.TextEncoder1(), nets.TextEncoder2(), nets.UNet()
    params = list(te1.parameters()) + list(te2.parameters()) + list(unet.parameters())
    opt = torch.optim.Adam(params, lr=LR)
    ema = [copy.deepcopy(m).requires_grad_(False) for m in (te1, te2, unet)]
    path = common.WORK + "/teacher.pt"
    ck = common.load_ckpt(path)
    step = 0
    if ck:
        for m, s in zip((te1, te2, unet), ck["model"]):
            m.load_state_dict(s)
        for m, s in zip(ema, ck["ema"]):
            m.load_state_dict(s)
        opt.load_state_dict(ck["opt"])
        step, rng = ck["step"], ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
    ae = torch.load(common.WORK + "/ae.pt")
    dec = nets.Decoder()
    dec.load_state_dict(ae["dec"])
    decoder = nets.ScaledDecoder(dec, 0.13025 * ae["latent_std"]).eval()
    log = common.Log("teacher")
    tid = pipeline.time_ids(BATCH)
    t0, acc = time.time(), []
    while step < STEPS:
        lr = learning_rate(step)
        for g in opt.param_groups:
            g["lr"] = lr
        idx = rng.integers(len(latents), size=BATCH)
        x0 = latents[idx]
        caps = [data.caption(attrs[i], rng)[0] for i in idx]
        ids1 = torch.from_numpy(tok1.encode_batch(caps))
        ids2 = torch.from_numpy(tok2.encode_batch(caps))
        ctx, pooled = nets.encode_prompt(te1, te2, ids1, ids2)
        keep = torch.from_numpy((rng.random(BATCH) >= P_DROP).astype(np.float32))
        ctx = ctx * keep[:, None, None]
        pooled = pooled * keep[:, None]
        t = torch.from_numpy(rng.integers(0, schedule.T, size=BATCH))
        noise = torch.randn_like(x0)
        xt = schedule.q_sample(x0, t, noise)
        eps = unet(xt, t, ctx, pooled, tid)
        a = schedule.ALPHAS_CUMPROD[t]
        snr = a / (1 - a)
        w = torch.clamp(snr, max=5.0) / snr
        loss = (w * (eps - noise).pow(2).mean(dim=(1, 2, 3))).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        for e, m in zip(ema, (te1, te2, unet)):
            common.ema_update(e, m, min(EMA, (1 + step) / (10 + step)))
        acc.append(((eps - noise).pow(2).mean().item(), loss.item()))
        if step % 50 == 0:
            m = np.mean(acc, axis=0)
            log(step=step, eps_mse=round(float(m[0]), 5), loss=round(float(m[1]), 5), lr=lr,
                step_s=round((time.time() - t0) / 50, 3))
            t0, acc = time.time(), []
        if step % 200 == 0 or step == STEPS:
            common.save_ckpt(path, model=[m.state_dict() for m in (te1, te2, unet)],
                             ema=[m.state_dict() for m in ema], opt=opt.state_dict(), step=step, rng=rng,
                             torch_rng=torch.get_rng_state())
        if step % 600 == 0 or step == STEPS:
            cond = pipeline.Conditioner(tok1, tok2, ema[0], ema[1])
            preview(ema, cond, decoder, 0.13025, f"{common.OUT}/teacher_{step:05d}.png",
                    ["a red circle"] * 8 + ["a blue star"] * 8 + ["a large striped yellow square"] * 8
                    + ["a green triangle in the top left on a white background"] * 8)


if __name__ == "__main__":
    main()
