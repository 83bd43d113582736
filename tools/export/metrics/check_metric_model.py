#!/usr/bin/env python3
"""Checks a metric model directory against seedgrid's contract (seedgrid-metric.json + ONNX graphs):
graph input/output names, dtypes (fp32 images, int32/int64 token ids), ranks, 3 channels, the declared
size, a dynamic batch axis, tokenizer files, and the preprocessing fields. Types: image_embedding,
clip, lpips. Only `onnx` is needed (Debian: python3-onnx); external weights are not loaded.

    python3 tools/export/metrics/check_metric_model.py models/clip-vit-l14 models/dinov2-vits14

Exit status 0 when every directory fits, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exportlib import deps  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Check metric model directories against seedgrid-metric.json.")
    parser.add_argument("directories", nargs="+", metavar="DIR")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    deps.require(["onnx"], "metrics/requirements-metrics.txt", "Debian: apt-get install python3-onnx")
    from exportlib import metric_contract

    status = 0
    for directory in args.directories:
        problems = metric_contract.check_directory(directory)
        if problems:
            status = 1
            print(f"{directory}: DOES NOT FIT the contract")
            for problem in problems:
                print(f"  - {problem}")
        else:
            contract = metric_contract.read(directory)
            print(f"{directory}: OK ({contract['type']} {contract.get('name', contract.get('net', ''))})")
            print("  " + json.dumps({k: v for k, v in contract.items() if k != "weights"}))
    return status


if __name__ == "__main__":
    sys.exit(main())
