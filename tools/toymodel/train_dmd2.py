"""Stage 3: the 4-step student, distilled from the teacher in the DMD2 manner (Yin et al. 2024,
"Improved Distribution Matching Distillation for Fast Image Synthesis"):

- generator G and fake-score network f both initialised from the teacher UNet (EMA weights), so the
  student shares the teacher's topology and initializer names (the pipeline blends by name);
- multi-step generator on the timeline [999, 749, 499, 249] with backward simulation: the input at
  timestep t_k is produced by G itself (no grad) from pure noise at 999, re-noised with fresh noise,
  exactly as the LCM sampler runs it; G's x0 = LCM boundary-condition estimate (c_skip/c_out, scaling 10);
- distribution-matching gradient: x0 noised to t ~ U[T_MIN, T_MAX]; grad = (x0_fake - x0_real) /
  mean|x0 - x0_real| with x0_real from the frozen teacher with CFG REAL_CFG (--real-cfg; zero negative), x0_fake from
  f (conditional); loss 0.5 * ||x0 - stopgrad(x0 - grad)||^2 (DMD eq. 7 and its normalisation);
- f trained with the teacher's denoising loss on G's outputs; two-time-scale: TTUR f-updates per G
  update; no regression loss, no GAN term;
- text encoders frozen (the teacher's EMA); prompts = random captions of random attributes.

Rerun: /usr/bin/python3 tools/toymodel/train_dmd2.py [--name dmd2] [--real-cfg 5] [--iters 2500]
(resumes from work/<name>.pt; seed 4)
"""
import argparse
import copy
import time

import numpy as np
import torch

import clip_bpe
import common
import data
import nets
import pipeline
import schedule

SEED = 4
ITERS, TTUR, BATCH = 2500, 5, 32
LR_G, LR_F, REAL_CFG, T_MIN, T_MAX = 5e-5, 1e-4, 5.0, 20, 980
TIMESTEPS = schedule.DMD2_TIMESTEPS
PREVIEW = ["a red circle", "a blue star", "a large striped yellow square",
           "a green triangle in the top left on a white background"]


def x0_from_eps(xt, eps, t):
    a = schedule.ALPHAS_CUMPROD[t].view(-1, 1, 1, 1)
    return (xt - (1 - a).sqrt() * eps) / a.sqrt()


def generate(G, ctx, pooled, tid, rng, grad):
    """Backward simulation: pure noise at 999, G's own steps up to a random k, then G at t_k."""
    b = ctx.shape[0]
    k = int(rng.integers(len(TIMESTEPS)))
    x = torch.randn(b, 4, 8, 8)
    with torch.no_grad():
        for j in range(k):
            t = TIMESTEPS[j]
            x0 = schedule.lcm_denoise(x, G(x, torch.full((b,), t), ctx, pooled, tid), t)
            a = schedule.ALPHAS_CUMPROD[TIMESTEPS[j + 1]]
            x = a.sqrt() * x0 + (1 - a).sqrt() * torch.randn_like(x0)
    t = TIMESTEPS[k]
    with torch.set_grad_enabled(grad):
        return schedule.lcm_denoise(x, G(x, torch.full((b,), t), ctx, pooled, tid), t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="dmd2", help="checkpoint, log and preview prefix in work/ and out/")
    ap.add_argument("--real-cfg", type=float, default=REAL_CFG)
    ap.add_argument("--iters", type=int, default=ITERS)
    args = ap.parse_args()
    rng = common.setup(SEED)
    tok1, tok2 = clip_bpe.build(clip_bpe.EOS), clip_bpe.build("!")
    te1, te2, teacher = nets.TextEncoder1(), nets.TextEncoder2(), nets.UNet()
    tck = torch.load(common.WORK + "/teacher.pt")
    for m, s in zip((te1, te2, teacher), tck["ema"]):
        m.load_state_dict(s)
        m.eval().requires_grad_(False)
    G, fake = copy.deepcopy(teacher).requires_grad_(True), copy.deepcopy(teacher).requires_grad_(True)
    opt_g = torch.optim.Adam(G.parameters(), lr=LR_G, betas=(0.0, 0.999))
    opt_f = torch.optim.Adam(fake.parameters(), lr=LR_F, betas=(0.0, 0.999))
    path = f"{common.WORK}/{args.name}.pt"
    ck = common.load_ckpt(path)
    it = 0
    if ck:
        G.load_state_dict(ck["G"]); fake.load_state_dict(ck["fake"])
        opt_g.load_state_dict(ck["opt_g"]); opt_f.load_state_dict(ck["opt_f"])
        it, rng = ck["it"], ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
    cond = pipeline.Conditioner(tok1, tok2, te1, te2)
    ae = torch.load(common.WORK + "/ae.pt")
    dec = nets.Decoder()
    dec.load_state_dict(ae["dec"])
    decoder = nets.ScaledDecoder(dec, 0.13025 * ae["latent_std"]).eval()
    tid = pipeline.time_ids(BATCH)
    log = common.Log(args.name)
    t0, acc_f, acc_g = time.time(), [], []
    while it < args.iters:
        caps = [data.caption(data.sample_attributes(rng), rng)[0] for _ in range(BATCH)]
        ctx, pooled = cond(caps)
        gen_step = it % TTUR == 0
        x0 = generate(G, ctx, pooled, tid, rng, grad=gen_step)
        if gen_step:
            t = torch.from_numpy(rng.integers(T_MIN, T_MAX + 1, size=BATCH))
            xt = schedule.q_sample(x0.detach(), t, torch.randn_like(x0))
            with torch.no_grad():
                real = x0_from_eps(xt, real_eps(teacher, xt, t, ctx, pooled, tid, args.real_cfg), t)
                fk = x0_from_eps(xt, fake(xt, t, ctx, pooled, tid), t)
                weight = (x0 - real).abs().mean(dim=(1, 2, 3), keepdim=True)
                grad = torch.nan_to_num((fk - real) / weight)
            loss_g = 0.5 * torch.nn.functional.mse_loss(x0, (x0 - grad).detach())
            opt_g.zero_grad()
            loss_g.backward()
            torch.nn.utils.clip_grad_norm_(G.parameters(), 10.0)
            opt_g.step()
            acc_g.append((loss_g.item(), (fk - real).pow(2).mean().item()))
        # fake-score update on the generator's (detached) outputs, teacher's denoising loss
        t = torch.from_numpy(rng.integers(0, schedule.T, size=BATCH))
        noise = torch.randn_like(x0)
        xt = schedule.q_sample(x0.detach(), t, noise)
        eps = fake(xt, t, ctx, pooled, tid)
        a = schedule.ALPHAS_CUMPROD[t]
        w = torch.clamp(a / (1 - a), max=5.0) / (a / (1 - a))
        loss_f = (w * (eps - noise).pow(2).mean(dim=(1, 2, 3))).mean()
        opt_f.zero_grad()
        loss_f.backward()
        torch.nn.utils.clip_grad_norm_(fake.parameters(), 10.0)
        opt_f.step()
        acc_f.append(loss_f.item())
        it += 1
        if it % 50 == 0:
            g = np.mean(acc_g, axis=0) if acc_g else [float("nan")] * 2
            log(iter=it, gen_steps=(it + TTUR - 1) // TTUR, loss_fake=round(float(np.mean(acc_f)), 5),
                loss_dmd=round(float(g[0]), 6), real_fake_x0_mse=round(float(g[1]), 5),
                step_s=round((time.time() - t0) / 50, 3))
            t0, acc_f, acc_g = time.time(), [], []
        if it % 250 == 0 or it == args.iters:
            common.save_ckpt(path, G=G.state_dict(), fake=fake.state_dict(), opt_g=opt_g.state_dict(),
                             opt_f=opt_f.state_dict(), it=it, rng=rng, torch_rng=torch.get_rng_state())
            common.save_ckpt(f"{common.WORK}/{args.name}_G_{it:05d}.pt", G=G.state_dict(), it=it)
            prompts = [p for p in PREVIEW for _ in range(8)]
            c, pl = cond(prompts)
            with torch.no_grad():
                x = pipeline.lcm(G.eval(), c, pl, pipeline.generators(range(len(prompts))))
                G.train()
                data.contact_sheet(common.to_images(pipeline.decode(decoder, x, 0.13025)), 8,
                                   f"{common.OUT}/{args.name}_{it:05d}.png")


def real_eps(teacher, xt, t, ctx, pooled, tid, cfg):
    """Teacher epsilon with CFG cfg against the all-zero unconditional input."""
    b = xt.shape[0]
    out = teacher(torch.cat([xt, xt]), torch.cat([t, t]), torch.cat([torch.zeros_like(ctx), ctx]),
                  torch.cat([torch.zeros_like(pooled), pooled]), torch.cat([tid, tid]))
    u, c = out.chunk(2)
    return u + cfg * (c - u)


if __name__ == "__main__":
    main()
