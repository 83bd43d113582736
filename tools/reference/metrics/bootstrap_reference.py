#!/usr/bin/python3
"""Reference values for io.seedgrid.udf.metrics.Bootstrap (percentile bootstrap, Efron & Tibshirani
1993, ch. 13), with numpy.percentile (linear interpolation, Hyndman & Fan type 7) as the quantile.

Rerun from the repository root with Debian's Python (numpy):
    /usr/bin/python3 tools/reference/metrics/bootstrap_reference.py
Writes udf/src/test/resources/golden/metrics/bootstrap.json.

The resampling stream is SplitMix64 (Steele, Lea & Flood 2014) seeded with `seed`; resample b draws
n indices, index = next() mod n (unsigned), in order, and averages those values. Restated here so
that the Java percentiles and means can be checked against numpy on identical resamples.
"""
import json
import os

import numpy as np

MASK = (1 << 64) - 1
OUT = os.path.join("udf", "src", "test", "resources", "golden", "metrics", "bootstrap.json")


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def bootstrap_means(values, resamples, seed):
    rng = SplitMix64(seed)
    n = len(values)
    means = np.empty(resamples)
    for b in range(resamples):
        total = 0.0
        for _ in range(n):
            total += values[rng.next() % n]
        means[b] = total / n
    return means


def interval(values, resamples, level, seed):
    means = bootstrap_means(values, resamples, seed)
    alpha = (1 - level) / 2
    lo, hi = np.percentile(means, [100 * alpha, 100 * (1 - alpha)])
    return {"mean": float(np.mean(values)), "low": float(lo), "high": float(hi)}


def main():
    rng = np.random.default_rng(3)
    recipe = (0.30 + 0.05 * rng.normal(size=12)).tolist()
    reference = (np.asarray(recipe) - 0.04 + 0.02 * rng.normal(size=12)).tolist()
    first = SplitMix64(42)
    out = {"source": "tools/reference/metrics/bootstrap_reference.py",
           "splitmix64_seed42_first": [str(first.next()) for _ in range(3)],
           "values": recipe, "reference": reference,
           "cases": []}
    for resamples, level, seed in ((1000, 0.95, 1), (2000, 0.9, 7), (999, 0.95, 123456789)):
        out["cases"].append({"resamples": resamples, "level": level, "seed": seed,
                             "mean": interval(recipe, resamples, level, seed),
                             "paired_difference": interval((np.asarray(recipe) - np.asarray(reference)).tolist(),
                                                           resamples, level, seed)})
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out["cases"][0]))


if __name__ == "__main__":
    main()
