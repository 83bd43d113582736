"""Stage 1b: fine-tune the autoencoder's decoder with the encoder frozen (so the latents the teacher is
trained on do not change and this can run while the teacher trains).

Shapes cover a small part of each image, so a plain pixel loss spends the decoder on backgrounds and
leaves shapes as blobs. Here the per-pixel loss (L1 + MSE + GRAD_WEIGHT * L1 of the error's finite
differences) is weighted by 1 + SHAPE_WEIGHT * (shape coverage dilated by 2 px), from the renderer's
alpha. The decoder is fed posterior samples, as in stage 1. Output: work/decoder.pt (what is exported).

Rerun: /usr/bin/python3 tools/toymodel/train_decoder.py   (resumes from work/decoder.pt; seed 6)
"""
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

import common
import data
import nets

SEED, STEPS, BATCH, LR, GRAD_WEIGHT, SHAPE_WEIGHT = 6, 3000, 32, 5e-4, 0.5, 4.0


def main():
    rng = common.setup(SEED)
    ae = torch.load(common.WORK + "/ae.pt")
    enc, dec = nets.Encoder(), nets.Decoder()
    enc.load_state_dict(ae["enc"])
    enc.requires_grad_(False)
    dec.load_state_dict(ae["dec"])
    opt = torch.optim.Adam(dec.parameters(), lr=LR)
    path = common.WORK + "/decoder.pt"
    ck = common.load_ckpt(path)
    step = 0
    if ck:
        dec.load_state_dict(ck["dec"]); opt.load_state_dict(ck["opt"])
        step, rng = ck["step"], ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
    log = common.Log("decoder")
    t0, acc = time.time(), []
    while step < STEPS:
        lr = LR * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / STEPS)))
        for g in opt.param_groups:
            g["lr"] = lr
        attrs = [data.sample_attributes(rng) for _ in range(BATCH)]
        pairs = [data.render_with_alpha(a) for a in attrs]
        x = common.to_tensor(np.stack([p[0] for p in pairs]))
        alpha = torch.from_numpy(np.stack([p[1] for p in pairs]))[:, None]
        w = 1 + SHAPE_WEIGHT * F.max_pool2d(alpha, 5, stride=1, padding=2)
        with torch.no_grad():
            mean, logvar = enc(x)
            z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        d = dec(z) - x
        l1 = (w * d.abs()).mean()
        mse = (w * d.pow(2)).mean()
        edge = (w[..., 1:, :] * (d[..., 1:, :] - d[..., :-1, :]).abs()).mean() \
            + (w[..., :, 1:] * (d[..., :, 1:] - d[..., :, :-1]).abs()).mean()
        loss = l1 + mse + GRAD_WEIGHT * edge
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        acc.append((d.abs().mean().item(), (d.abs() * (alpha > 0.5)).sum().item() / max(1.0, (alpha > 0.5).sum().item()),
                    loss.item()))
        if step % 50 == 0:
            m = np.mean(acc, axis=0)
            log(step=step, l1=round(float(m[0]), 5), l1_on_shape=round(float(m[1]), 5), loss=round(float(m[2]), 5),
                lr=lr, step_s=round((time.time() - t0) / 50, 3))
            t0, acc = time.time(), []
        if step % 250 == 0 or step == STEPS:
            common.save_ckpt(path, dec=dec.state_dict(), opt=opt.state_dict(), step=step, rng=rng,
                             torch_rng=torch.get_rng_state())
    with torch.no_grad():
        _, imgs = data.batch(np.random.default_rng(7), 32)
        x = common.to_tensor(imgs)
        rec = dec(enc(x)[0])
        data.contact_sheet(np.concatenate([common.to_images(x), common.to_images(rec)]), 16,
                           common.OUT + "/decoder_recon.png")
        ev = np.random.default_rng(12345)
        l1s = []
        for _ in range(8):
            _, imgs = data.batch(ev, 128)
            x = common.to_tensor(imgs)
            l1s.append((dec(enc(x)[0]) - x).abs().mean().item())
        log(done=True, eval_l1=float(np.mean(l1s)))


if __name__ == "__main__":
    main()
