"""Stage 4 (independent of the others): the CLIP-like metric pair, contrastive on the same procedural
data, with the same tokenizer (pad <|endoftext|>).

- Image tower on 64x64 pixels normalised with mean 0.5 / std 0.5 (what seedgrid-metric.json declares);
  half the images blurred (Gaussian sigma up to 1.5 px) so generated, slightly soft images embed well.
- Captions name each free attribute with probability 0.5. Because a caption like "a red circle" fits
  many images of a batch, the loss is multi-positive: for image i the positives are all captions j it
  satisfies (data.consistent), loss = -log sum_{j positive} softmax_j(s * cos) (and the same text->image).
- Learnable logit scale (init 1/0.07, clamped at 100), Adam, warmup + cosine.
Reports zero-shot attribute accuracy on fresh images at the end.

Rerun: /usr/bin/python3 tools/toymodel/train_clip.py   (resumes from work/clip.pt; seed 5)
"""
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

import clip_bpe
import common
import data
import nets

SEED, STEPS, BATCH, LR, WARMUP = 5, 1500, 96, 1e-3, 100
MENTION = {k: 0.5 for k in data.DEFAULT_MENTION}


def blur(x, rng):
    """Random Gaussian blur (sigma 0..1.5 px) on half of the batch, separable 7-tap."""
    out = x.clone()
    for i in range(x.shape[0]):
        if rng.random() < 0.5:
            s = float(rng.uniform(0.3, 1.5))
            k = torch.exp(-torch.arange(-3, 4, dtype=torch.float32) ** 2 / (2 * s * s))
            k = (k / k.sum()).view(1, 1, 1, 7).repeat(3, 1, 1, 1)
            y = F.conv2d(F.pad(x[i:i + 1], (3, 3, 0, 0), mode="replicate"), k, groups=3)
            out[i:i + 1] = F.conv2d(F.pad(y, (0, 0, 3, 3), mode="replicate"), k.transpose(2, 3), groups=3)
    return out


def multi_positive_loss(logits, pos):
    """-log of the softmax mass on the positives, averaged over rows."""
    lse_all = torch.logsumexp(logits, dim=1)
    lse_pos = torch.logsumexp(logits.masked_fill(~pos, -1e9), dim=1)
    return (lse_all - lse_pos).mean()


def main():
    rng = common.setup(SEED)
    tok = clip_bpe.build(clip_bpe.EOS)
    img_t, txt_t = nets.ImageTower(), nets.TextTower()
    logit_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    params = list(img_t.parameters()) + list(txt_t.parameters()) + [logit_scale]
    opt = torch.optim.Adam(params, lr=LR)
    path = common.WORK + "/clip.pt"
    ck = common.load_ckpt(path)
    step = 0
    if ck:
        img_t.load_state_dict(ck["image"]); txt_t.load_state_dict(ck["text"])
        logit_scale.data.fill_(ck["logit_scale"]); opt.load_state_dict(ck["opt"])
        step, rng = ck["step"], ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
    log = common.Log("clip")
    t0, acc = time.time(), []
    while step < STEPS:
        lr = LR * min(1.0, (step + 1) / WARMUP) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / STEPS)))
        for g in opt.param_groups:
            g["lr"] = lr
        attrs, imgs = data.batch(rng, BATCH)
        caps = [data.caption(a, rng, MENTION) for a in attrs]
        pos = torch.tensor([[data.consistent(attrs[i], attrs[j], caps[j][1]) for j in range(BATCH)]
                            for i in range(BATCH)])
        x = blur((common.to_tensor(imgs)), rng)
        ie = F.normalize(img_t(x), dim=-1)
        te = F.normalize(txt_t(torch.from_numpy(tok.encode_batch([c[0] for c in caps]))), dim=-1)
        logits = logit_scale.exp().clamp(max=100) * ie @ te.t()
        loss = 0.5 * (multi_positive_loss(logits, pos) + multi_positive_loss(logits.t(), pos.t()))
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        acc.append(loss.item())
        if step % 50 == 0:
            log(step=step, loss=round(float(np.mean(acc)), 4), scale=round(logit_scale.exp().item(), 2),
                lr=lr, step_s=round((time.time() - t0) / 50, 3))
            t0, acc = time.time(), []
        if step % 250 == 0 or step == STEPS:
            common.save_ckpt(path, image=img_t.state_dict(), text=txt_t.state_dict(),
                             logit_scale=logit_scale.item(), opt=opt.state_dict(), step=step, rng=rng,
                             torch_rng=torch.get_rng_state())
    log(done=True, zero_shot=zero_shot(img_t, txt_t, tok))


VARIANTS = {"shape": data.SHAPES, "colour": data.COLOUR_NAMES, "size": data.SIZE_NAMES,
            "texture": data.TEXTURES, "background": data.COLOUR_NAMES,
            "position": list(data.ZONE_PHRASES)}


@torch.no_grad()
def zero_shot(img_t, txt_t, tok, n=400):
    """Per attribute: pick, among captions that differ only in that attribute (others named too),
    the one with the highest cosine; accuracy over n fresh images (seed 999)."""
    rng = np.random.default_rng(999)
    attrs, imgs = data.batch(rng, n)
    ie = F.normalize(img_t(common.to_tensor(imgs)), dim=-1)
    out = {}
    for key, values in VARIANTS.items():
        named = {"shape", key}
        correct = 0
        for i, a in enumerate(attrs):
            caps = []
            for v in values:
                b = dict(a)
                if key == "position":
                    b["zone"] = v
                else:
                    b[key] = v
                caps.append(data.caption_from(b, named))
            te = F.normalize(txt_t(torch.from_numpy(tok.encode_batch(caps))), dim=-1)
            truth = a["zone"] if key == "position" else a[key]
            correct += values[int((te @ ie[i]).argmax())] == truth
        out[key] = round(correct / n, 3)
    return out


if __name__ == "__main__":
    main()
