#!/usr/bin/python3
"""Golden values for io.seedgrid.udf.rng.TorchGenerator: torch.randn on a seeded CPU generator.

Rerun (Debian's torch, not a pyenv/venv python):
    /usr/bin/python3 tools/reference/rng/make_randn_golden.py \
        > udf/src/test/resources/golden/rng/randn.json

Every case seeds a fresh torch.Generator("cpu") with manual_seed(seed) and draws torch.randn(shape,
generator=g, dtype=torch.float32) several times in a row, so that the state carried between draws
(mt19937 position and the cached second Box-Muller value of the small-tensor path) is checked too.
Tensors with at most FULL_LIMIT elements are stored whole; larger ones as first/last 16 values, a few
sampled indices, float64 sum and sum of squares, and the SHA-256 of all float32 values
(little-endian bytes). Float32 values are written as exact decimals
(float(x) of a float32 is exact in a double), so a test can compare bits.
"""
import hashlib
import json
import sys

import torch

FULL_LIMIT = 256
SEEDS = [0, 1, 42, 1234, 2**31 - 1, 2**32 - 1, 2**32 + 5, 2**63 + 7, 2**64 - 1]
SHAPES = [[1], [3], [15], [16], [17], [100], [1, 4, 8, 8], [1, 4, 128, 128]]
DRAWS = 3
# Mixed sequences: small (double Box-Muller with a cached value) and vectorised draws interleaved.
SEQUENCES = [
    (7, [[1], [1], [1], [16], [1], [2], [33], [5]]),
    (123456789, [[3], [16], [1], [31], [2], [1], [48], [1]]),
    (2**40 + 3, [[15], [17], [15], [1], [1, 4, 8, 8], [1]]),
]
SAMPLE_INDICES = [0, 1, 7, 8, 15, 16, 17, 1000, 12345, 32768, 65519, 65520, 65535]


def describe(t):
    flat = t.flatten()
    n = flat.numel()
    if n <= FULL_LIMIT:
        return {"numel": n, "values": [float(v) for v in flat.tolist()]}
    d = flat.double()
    return {
        "numel": n,
        "first": [float(v) for v in flat[:16].tolist()],
        "last": [float(v) for v in flat[-16:].tolist()],
        "samples": {str(i): float(flat[i]) for i in SAMPLE_INDICES if i < n},
        "sum": float(d.sum()),
        "sumSquares": float((d * d).sum()),
        "sha256": hashlib.sha256(flat.numpy().astype("<f4").tobytes()).hexdigest(),
    }


def run(seed, shapes):
    g = torch.Generator("cpu").manual_seed(seed)
    return [dict(shape=s, **describe(torch.randn(s, generator=g, dtype=torch.float32))) for s in shapes]


def main():
    cases = []
    for seed in SEEDS:
        for shape in SHAPES:
            cases.append({"seed": str(seed), "draws": run(seed, [shape] * DRAWS)})
    for seed, shapes in SEQUENCES:
        cases.append({"seed": str(seed), "draws": run(seed, shapes)})
    out = {
        "generator": "torch.Generator('cpu').manual_seed(seed); torch.randn(shape, generator=g, dtype=torch.float32)",
        "torch": torch.__version__,
        "cpuCapability": torch.__config__.show().split("CPU capability usage:")[1].split("\n")[0].strip(),
        "note": "seed is a decimal string: it may exceed a signed 64-bit long",
        "cases": cases,
    }
    # One case per line: readable diffs without a 300 kB indented file.
    head = {k: v for k, v in out.items() if k != "cases"}
    sys.stdout.write(json.dumps(head)[:-1] + ', "cases": [\n')
    sys.stdout.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
    sys.stdout.write("\n]}\n")


if __name__ == "__main__":
    main()
