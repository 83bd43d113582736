#!/usr/bin/env python3
"""Reference values for io.seedgrid.udf.tensor.Half: numpy's float32 -> float16 rounding (round to
nearest, ties to even) on values that exercise normals, subnormals, ties, overflow and signs.

Run with Debian's numpy:  /usr/bin/python3 tools/reference/tensor/make_half_golden.py
Writes udf/src/test/resources/golden/tensor/half.json
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20261128)
values = np.concatenate([
    rng.standard_normal(400).astype(np.float32) * np.float32(3.0),
    rng.standard_normal(200).astype(np.float32) * np.float32(1e-5),   # around the subnormal range
    rng.standard_normal(200).astype(np.float32) * np.float32(3e4),    # up to overflow
    # exact ties between two halves: midpoints of consecutive float16 values
    ((np.arange(1, 2049, dtype=np.float32) * np.float32(2.0 ** -24)) + np.float32(2.0 ** -25))[:200],
    np.array([0.0, -0.0, 1.0, -1.0, 65504.0, 65519.0, 65520.0, -65520.0, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -25,
              2.0 ** -14, np.inf, -np.inf], dtype=np.float32),
])
halves = values.astype(np.float16)
out = {
    "float_bits": [int(v) for v in values.view(np.uint32)],
    "half_bits": [int(h) for h in halves.view(np.uint16)],
}
path = pathlib.Path(__file__).resolve().parents[3] / "udf/src/test/resources/golden/tensor/half.json"
path.write_text(json.dumps(out))
print(f"wrote {len(values)} values to {path}")
