#!/usr/bin/python3
"""Reference values for io.seedgrid.udf.metrics.Vendi and PixelVendi.

Rerun from the repository root with Debian's Python (numpy, scipy, PIL):
    /usr/bin/python3 tools/reference/metrics/vendi_reference.py
Writes udf/src/test/resources/golden/metrics/vendi.json.

Vendi score (Friedman & Dieng 2023, "The Vendi Score: A Diversity Evaluation Metric for Machine
Learning", eq. 1 and its order-q generalisation, Pasarkar & Dieng 2024): lambda = eigenvalues of K/n
(scipy.linalg.eigvalsh), only lambda > 1e-14 * max(lambda) enter the sums (smaller ones are the
rounding noise of zero eigenvalues of a rank-deficient K; Vendi-Score keeps lambda > 0, which differs
only in that noise);
  q = 1:    exp(-sum lambda log lambda)
  q = inf:  1 / max lambda
  other q:  (sum lambda^q)^(1 / (1 - q))
Embedding kernel: cosine similarity of the rows (rows L2-normalised, K = X X^T).
Pixel Vendi as in vertaix/Vendi-Score's image_utils.pixel_vendi_score: each image PIL-resized to
32x32 with Image.resize's default filter (bicubic for RGB), flattened uint8 values 0..255 (not
centred), cosine kernel, q = 1.
"""
import json
import os

import numpy as np
import scipy.linalg
from PIL import Image

ROOT = os.path.join("udf", "src", "test", "resources")
IMAGES = os.path.join(ROOT, "metrics", "images")


def vendi_from_kernel(k, q):
    lam = scipy.linalg.eigvalsh(k / k.shape[0])
    pos = lam[lam > 1e-14 * lam.max()]
    if q == "inf":
        return float(1.0 / lam.max())
    if q == 1:
        return float(np.exp(-np.sum(pos * np.log(pos))))
    return float(np.sum(pos ** q) ** (1.0 / (1.0 - q)))


def cosine_kernel(x):
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    return x @ x.T


def main():
    orders = [0.5, 1, 2, 3, "inf"]
    cases = []
    k = np.array([[1, .9, 0], [.9, 1, 0], [0, 0, 1]], dtype=np.float64)
    cases.append({"name": "design_example", "kernel": k.tolist(),
                  "scores": {str(q): vendi_from_kernel(k, q) for q in orders}})
    rng = np.random.default_rng(5)
    for name, n, d in (("embeddings_7x5", 7, 5), ("embeddings_5x12", 5, 12), ("embeddings_12x40", 12, 40)):
        x = rng.normal(size=(n, d)) + 0.5  # a shared offset makes the vectors correlated
        x = x.astype(np.float32)
        kernel = cosine_kernel(x.astype(np.float64))
        cases.append({"name": name, "embeddings": x.astype(np.float64).tolist(),
                      "scores": {str(q): vendi_from_kernel(kernel, q) for q in orders}})
    names = ["a", "b", "c", "d", "e"]
    thumbs = [np.asarray(Image.open(os.path.join(IMAGES, n + ".png")).convert("RGB").resize((32, 32)))
              for n in names]
    x = np.stack([t.reshape(-1) for t in thumbs]).astype(np.float64)
    pixel = {"images": names, "scores": {str(q): vendi_from_kernel(cosine_kernel(x), q) for q in orders}}
    out = {"source": "tools/reference/metrics/vendi_reference.py", "cases": cases, "pixel": pixel}
    with open(os.path.join(ROOT, "golden", "metrics", "vendi.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(cases[0]["scores"]), json.dumps(pixel["scores"]))


if __name__ == "__main__":
    main()
