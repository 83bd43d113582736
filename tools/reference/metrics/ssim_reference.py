#!/usr/bin/python3
"""Reference values for io.seedgrid.udf.metrics.Ssim and MsSsim.

Rerun from the repository root with Debian's Python (numpy, scikit-image 0.19, PIL):
    /usr/bin/python3 tools/reference/metrics/ssim_reference.py
Reads udf/src/test/resources/metrics/images/*.png, writes udf/src/test/resources/golden/metrics/ssim.json.

SSIM: skimage.metrics.structural_similarity with gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=255, channel_axis=2 (mean SSIM of each channel, averaged
over channels; skimage filters the whole image and crops 5 pixels on each side before the mean,
which is exactly the valid region of the 11-tap window).

MS-SSIM: our own NumPy port of the published definition (Wang, Simoncelli, Bovik 2003,
"Multi-scale structural similarity for image quality assessment", and Wang's msssim.m):
  - per scale j: SSIM maps with K1=0.01, K2=0.03, L=255, 11-tap Gaussian sigma=1.5, valid region,
    population (not sample) covariances;
  - scales 1..4 contribute mean(cs_map)^w_j, scale 5 contributes mean(l_map*cs_map)^w_5,
    weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];
  - between scales a 2x2 average pool; an odd trailing row/column is averaged with itself
    (msssim.m filters with ones(2)/4 and 'symmetric' boundaries, then keeps every other sample),
    so a side n becomes ceil(n/2) and min side > 160 suffices for 5 scales;
  - negative means are clamped to 0 before the power (as tf.image.ssim_multiscale and
    pytorch_msssim do), so the product stays real;
  - RGB: MS-SSIM per channel, then the mean over channels.
Upsampled variant: both images first resized with PIL's bicubic Image.resize so that the shorter
side is 161 and the longer side int(161 * long / short).
"""
import json
import os

import numpy as np
from PIL import Image
from skimage.metrics import structural_similarity

IMAGES = os.path.join("udf", "src", "test", "resources", "metrics", "images")
OUT = os.path.join("udf", "src", "test", "resources", "golden", "metrics", "ssim.json")

K1, K2, L = 0.01, 0.03, 255.0
WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
MIN_SIDE = 161


def load(name):
    return np.asarray(Image.open(os.path.join(IMAGES, name + ".png")).convert("RGB"))


def gaussian_taps(size=11, sigma=1.5):
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(x * x) / (2 * sigma * sigma))
    return g / g.sum()


def filter_valid(plane, taps):
    """Separable correlation, valid region only (no padding)."""
    k = len(taps)
    h, w = plane.shape
    rows = sum(taps[i] * plane[:, i:w - k + 1 + i] for i in range(k))
    return sum(taps[i] * rows[i:h - k + 1 + i, :] for i in range(k))


def ssim_means(x, y):
    """(mean of l*cs map, mean of cs map) for two float64 planes."""
    g = gaussian_taps()
    c1, c2 = (K1 * L) ** 2, (K2 * L) ** 2
    mx, my = filter_valid(x, g), filter_valid(y, g)
    sxx = filter_valid(x * x, g) - mx * mx
    syy = filter_valid(y * y, g) - my * my
    sxy = filter_valid(x * y, g) - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    lum = (2 * mx * my + c1) / (mx * mx + my * my + c1)
    return float(np.mean(lum * cs)), float(np.mean(cs))


def pool2(plane):
    h, w = plane.shape
    if h % 2:
        plane = np.concatenate([plane, plane[-1:, :]], axis=0)
    if w % 2:
        plane = np.concatenate([plane, plane[:, -1:]], axis=1)
    return 0.25 * (plane[0::2, 0::2] + plane[1::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 1::2])


def ms_ssim_plane(x, y):
    value = 1.0
    for j, w in enumerate(WEIGHTS):
        full, cs = ssim_means(x, y)
        term = full if j == len(WEIGHTS) - 1 else cs
        value *= max(term, 0.0) ** w
        x, y = pool2(x), pool2(y)
    return value


def ms_ssim(a, b):
    return float(np.mean([ms_ssim_plane(a[:, :, c].astype(np.float64), b[:, :, c].astype(np.float64))
                          for c in range(3)]))


def own_ssim(a, b):
    return float(np.mean([ssim_means(a[:, :, c].astype(np.float64), b[:, :, c].astype(np.float64))[0]
                          for c in range(3)]))


def skimage_ssim(a, b):
    return float(structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                       data_range=255, channel_axis=2, K1=K1, K2=K2))


def upsample(img):
    h, w = img.shape[:2]
    if w <= h:
        size = (MIN_SIDE, int(MIN_SIDE * h / w))
    else:
        size = (int(MIN_SIDE * w / h), MIN_SIDE)
    return np.asarray(Image.fromarray(img, "RGB").resize(size, Image.BICUBIC))


def main():
    pairs = [("a", "b"), ("a", "c"), ("c", "d"), ("b", "d"), ("a", "a"), ("a", "e"), ("small_0", "small_1")]
    results = []
    for p, q in pairs:
        a, b = load(p), load(q)
        ssim = skimage_ssim(a, b)
        own = own_ssim(a, b)
        assert abs(ssim - own) < 1e-12, (p, q, ssim, own)
        entry = {"a": p, "b": q, "ssim": ssim}
        if min(a.shape[:2]) >= MIN_SIDE:
            entry["ms_ssim"] = ms_ssim(a, b)
        else:
            ua, ub = upsample(a), upsample(b)
            entry["upsampled_size"] = [ua.shape[1], ua.shape[0]]
            entry["ms_ssim_upsampled"] = ms_ssim(ua, ub)
        results.append(entry)
        print(entry)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"source": "tools/reference/metrics/ssim_reference.py",
                   "ssim": "skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, "
                           "use_sample_covariance=False, data_range=255, channel_axis=2)",
                   "ms_ssim": "own NumPy port of Wang et al. 2003 (see script docstring)",
                   "pairs": results}, f, indent=1)


if __name__ == "__main__":
    main()
