"""Stage 1: the 8x-downsampling KL autoencoder (64x64x3 <-> 4x8x8) on procedural shapes.

Loss = L1 + MSE on pixels in [-1,1] + GRAD_WEIGHT * L1 of the error's finite differences (sharp
edges) + KL_WEIGHT * KL(q(z|x) || N(0,1)) (per-element means), decoder fed
posterior samples so it tolerates imperfect latents. After training the std of the encoder means over
4096 fresh images is stored (`latent_std`): diffusion latents are mean/latent_std (unit variance), and
the exported decoder undoes that (see nets.ScaledDecoder).

Rerun: /usr/bin/python3 tools/toymodel/train_ae.py   (resumes from work/ae.pt; seed 1)
"""
import math
import time

import numpy as np
import torch

import common
import data
import nets

SEED, STEPS, BATCH, LR, KL_WEIGHT, GRAD_WEIGHT = 1, 3000, 32, 1e-3, 1e-4, 0.5


def main():
    rng = common.setup(SEED)
    enc, dec = nets.Encoder(), nets.Decoder()
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=LR)
    path = common.WORK + "/ae.pt"
    ck = common.load_ckpt(path)
    step = 0
    if ck:
        enc.load_state_dict(ck["enc"]); dec.load_state_dict(ck["dec"]); opt.load_state_dict(ck["opt"])
        step, rng = ck["step"], ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
    log = common.Log("ae")
    t0 = time.time()
    while step < STEPS:
        lr = LR * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / STEPS)))
        for g in opt.param_groups:
            g["lr"] = lr
        _, imgs = data.batch(rng, BATCH)
        x = common.to_tensor(imgs)
        mean, logvar = enc(x)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        rec = dec(z)
        l1 = (rec - x).abs().mean()
        mse = (rec - x).pow(2).mean()
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        d = rec - x
        edge = (d[..., 1:, :] - d[..., :-1, :]).abs().mean() + (d[..., :, 1:] - d[..., :, :-1]).abs().mean()
        loss = l1 + mse + GRAD_WEIGHT * edge + KL_WEIGHT * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            log(step=step, l1=round(l1.item(), 5), edge=round(edge.item(), 5), mse=round(mse.item(), 5), kl=round(kl.item(), 3),
                lr=lr, step_s=round((time.time() - t0) / 50, 3))
            t0 = time.time()
        if step % 250 == 0 or step == STEPS:
            common.save_ckpt(path, enc=enc.state_dict(), dec=dec.state_dict(), opt=opt.state_dict(),
                             step=step, rng=rng, torch_rng=torch.get_rng_state())
    # Latent statistics on fresh images (fixed seed), and a reconstruction sheet.
    ev = np.random.default_rng(12345)
    with torch.no_grad():
        means, l1s = [], []
        for _ in range(32):
            _, imgs = data.batch(ev, 128)
            x = common.to_tensor(imgs)
            m, _ = enc(x)
            means.append(m)
            l1s.append((dec(m) - x).abs().mean().item())
        means = torch.cat(means)
        std, mu = means.std().item(), means.mean().item()
        ck = common.load_ckpt(path)
        ck.update(latent_std=std, latent_mean=mu, eval_l1=float(np.mean(l1s)))
        common.save_ckpt(path, **ck)
        log(done=True, latent_std=std, latent_mean=mu, per_channel_std=means.std(dim=(0, 2, 3)).tolist(),
            eval_l1=float(np.mean(l1s)))
        _, imgs = data.batch(np.random.default_rng(7), 32)
        x = common.to_tensor(imgs)
        rec = dec(enc(x)[0])
        both = np.concatenate([common.to_images(x), common.to_images(rec)])
        data.contact_sheet(both, 16, common.OUT + "/ae_recon.png")


if __name__ == "__main__":
    main()
