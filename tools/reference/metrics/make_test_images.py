#!/usr/bin/python3
"""Writes the small synthetic test images used by the metric tests (deterministic, seeded).

Rerun from the repository root with Debian's Python (numpy, PIL):
    /usr/bin/python3 tools/reference/metrics/make_test_images.py
Output: udf/src/test/resources/metrics/images/{a,b,c,d,e}.png (201x167 RGB, odd sizes on purpose so
that MS-SSIM exercises odd-size pooling and resizers exercise non-square inputs) and
small_{0,1}.png (48x40, too small for MS-SSIM).

  a: smooth colour field with blobs and a few edges
  b: a plus mild noise and a one-pixel shift (similar to a)
  c: a different smooth field (same generator, other seed)
  d: c with its colour channels rotated and a bright rectangle (content shared with c)
  e: the negative of a (255 - a): its contrast-structure terms are negative, which exercises
     MS-SSIM's clamping
"""
import os

import numpy as np
from PIL import Image

OUT = os.path.join("udf", "src", "test", "resources", "metrics", "images")
W, H = 201, 167


def smooth_field(rng, w, h):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for c in range(3):
        for _ in range(5):
            fx, fy = rng.uniform(0.5, 4.0, size=2) * 2 * np.pi
            phase = rng.uniform(0, 2 * np.pi)
            img[:, :, c] += rng.uniform(10, 35) * np.sin(fx * xx / w + fy * yy / h + phase)
    for _ in range(6):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(8, 30)
        colour = rng.uniform(-80, 80, size=3)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        img += blob[:, :, None] * colour
    # a few hard edges so that structure terms are not all smooth
    x0, y0 = rng.integers(10, w // 2), rng.integers(10, h // 2)
    img[y0:y0 + 40, x0:x0 + 60, :] += rng.uniform(-60, 60, size=3)
    return img + 128.0


def to_u8(img):
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240601)
    a = smooth_field(rng, W, H)
    b = np.roll(a, 1, axis=1) + rng.normal(0, 6, size=a.shape)
    c = smooth_field(rng, W, H)
    d = c[:, :, [1, 2, 0]].copy()
    d[100:140, 20:90, :] = 230.0
    images = {"a": a, "b": b, "c": c, "d": d, "e": 255.0 - to_u8(a)}
    small = smooth_field(rng, 48, 40)
    images["small_0"] = small
    images["small_1"] = small + rng.normal(0, 10, size=small.shape)
    for name, img in images.items():
        Image.fromarray(to_u8(img), "RGB").save(os.path.join(OUT, name + ".png"), optimize=True)
        print("wrote", name, img.shape)


if __name__ == "__main__":
    main()
