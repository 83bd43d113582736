#!/usr/bin/env python3
"""Checks that two ONNX graphs (typically the base SDXL UNet and the DMD2 UNet) have the same topology,
so that seedgrid can blend them initializer by initializer: W = W_a + alpha * (W_b - W_a).

Compared: opset imports; graph inputs and outputs (names, dtypes, shapes and their symbolic axes);
initializer names, dtypes and shapes; every node in order (op type, domain, input and output wiring,
attributes, Constant values). External weights are NOT loaded (a 10 GB UNet compares in seconds);
`--values` additionally streams both weight files and counts the initializers whose bytes differ.

Only the `onnx` package is needed (Debian: python3-onnx). Examples:

    python3 tools/export/check_same_topology.py models/sdxl-base-fp32 models/dmd2-fp32
    python3 tools/export/check_same_topology.py a/unet/model.onnx b/unet/model.onnx --values --all

A directory argument means DIR/unet/model.onnx when it exists, else DIR/model.onnx.
Exit status: 0 same topology, 1 different (or --expect-different-weights and no weight differs),
2 a file is missing or unreadable, 3 the onnx package is missing.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from exportlib import deps  # noqa: E402

SHOWN_BY_DEFAULT = 4  # the first difference and three more


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Compare two ONNX graphs structurally (blendable by initializer name?) without "
                    "loading their external weights.")
    parser.add_argument("a", help="first model: a .onnx file, or a directory holding unet/model.onnx or model.onnx")
    parser.add_argument("b", help="second model, same forms")
    parser.add_argument("--all", action="store_true",
                        help="list every difference found (up to --max-differences) instead of the first few")
    parser.add_argument("--max-differences", type=int, default=20, metavar="N",
                        help="how many differences --all lists (default 20)")
    parser.add_argument("--values", action="store_true",
                        help="also stream the weights and count initializers whose bytes differ")
    parser.add_argument("--expect-different-weights", action="store_true",
                        help="with --values: fail when every shared initializer is byte-identical "
                             "(catches exporting the same UNet twice)")
    parser.add_argument("--show-cosmetic", action="store_true",
                        help="also list node-name-only differences (they do not affect blending)")
    return parser.parse_args(argv)


def resolve_model_path(path: str) -> str:
    if os.path.isdir(path):
        for candidate in (os.path.join(path, "unet", "model.onnx"), os.path.join(path, "model.onnx")):
            if os.path.isfile(candidate):
                return candidate
        raise FileNotFoundError(f"{path} is a directory without unet/model.onnx or model.onnx")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} does not exist")
    return path


def run(args: argparse.Namespace) -> int:
    deps.require(["onnx"], "requirements-sdxl.txt", "Debian: apt-get install python3-onnx")
    from exportlib import topology

    try:
        path_a, path_b = resolve_model_path(args.a), resolve_model_path(args.b)
        model_a, model_b = topology.load_structure(path_a), topology.load_structure(path_b)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - protobuf's DecodeError derives from Exception only
        print(f"error: cannot read an ONNX graph: {error}", file=sys.stderr)
        return 2

    comparison = topology.compare_models(model_a, model_b, max(args.max_differences, 1))
    print(f"A: {path_a}\n   {comparison.summary_a}")
    print(f"B: {path_b}\n   {comparison.summary_b}")
    status = 0
    if comparison.identical:
        print("VERDICT: SAME TOPOLOGY - every node, input, output and initializer name/dtype/shape matches; "
              "the graphs can be blended initializer by initializer.")
        if comparison.cosmetic:
            print(f"note: {len(comparison.cosmetic)} nodes differ only in their names (no effect on blending).")
    else:
        first = comparison.differences[0]
        print(f"VERDICT: DIFFERENT TOPOLOGY - first difference: {first}")
        shown = comparison.differences[1:] if args.all else comparison.differences[1:SHOWN_BY_DEFAULT]
        for extra in shown:
            print(f"  also: {extra}")
        if comparison.truncated and args.all:
            print(f"  (stopped after {len(comparison.differences)} differences; raise --max-differences for more)")
        elif len(comparison.differences) > len(shown) + 1:
            print("  (more differences: run with --all)")
        status = 1
    if args.show_cosmetic:
        for item in comparison.cosmetic[: args.max_differences]:
            print(f"  cosmetic: {item}")

    if args.values:
        values = topology.compare_values(model_a, os.path.dirname(path_a), model_b, os.path.dirname(path_b))
        print(f"VALUES: {values.compared} shared initializers compared: {values.equal} byte-identical, "
              f"{len(values.differing)} differ, {len(values.unreadable)} unreadable")
        for name in values.differing[:5]:
            print(f"  differs: {name}")
        for name in values.unreadable[:5]:
            print(f"  unreadable: {name}")
        if values.unreadable:
            status = max(status, 2)
        if args.expect_different_weights and not values.differing:
            print("VERDICT: the two graphs carry identical weights - the second export is not a different model.")
            status = max(status, 1)
    return status


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
