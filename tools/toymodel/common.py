"""Shared helpers of the toy-model training scripts: seeding, image tensors, checkpoints, logging."""
import json
import os
import time

import numpy as np
import torch

import data

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")      # checkpoints and logs (not committed)
OUT = os.path.join(HERE, "out")        # evaluation outputs (not committed)
MODELS = os.path.join(HERE, "..", "..", "models")


def setup(seed, threads=1):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    return np.random.default_rng(seed)


def to_tensor(images):
    """[N,64,64,3] in [0,1] -> [N,3,64,64] in [-1,1]."""
    return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))) * 2.0 - 1.0


def to_images(x):
    """[N,3,64,64] in about [-1,1] -> uint8 [N,64,64,3] exactly as the pipeline: round(clamp(x/2+.5)*255)."""
    x = torch.clamp(x / 2 + 0.5, 0, 1) * 255
    return torch.round(x).to(torch.uint8).permute(0, 2, 3, 1).numpy()


def save_ckpt(path, **state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_ckpt(path):
    return torch.load(path, map_location="cpu") if os.path.exists(path) else None


class Log:
    def __init__(self, name):
        self.path = os.path.join(WORK, name + ".jsonl")
        self.t0 = time.time()

    def __call__(self, **row):
        row["wall_s"] = round(time.time() - self.t0, 1)
        line = json.dumps(row)
        print(line, flush=True)
        with open(self.path, "a") as f:
            f.write(line + "\n")


def ema_update(ema, model, decay):
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
