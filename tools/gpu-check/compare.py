#!/usr/bin/env python3
"""Compares two folders of SEED.png images (seedgrid's and ONNX Runtime Python's) and the two renderers'
throughput lines: prints one row with images/s of both, their ratio and the pixel differences.

    python3 compare.py --label "sdxl 30 steps, batch 8" SEEDGRID.json SEEDGRID_DIR PYTHON.json PYTHON_DIR

Exit code 2 on bad input (a missing file, images of different sizes), else 0.
"""
import argparse
import json
import pathlib
import sys


def pixel_differences(a_dir, b_dir):
    """Per common seed: the largest and mean absolute difference in 8-bit levels, and the share of values
    that differ by more than one level."""
    import numpy as np
    from PIL import Image

    a_files = {p.stem: p for p in a_dir.glob("*.png")}
    b_files = {p.stem: p for p in b_dir.glob("*.png")}
    common = sorted(set(a_files) & set(b_files), key=lambda s: int(s) if s.isdigit() else s)
    if not common:
        raise ValueError(f"no image is in both {a_dir} and {b_dir}")
    worst, total, over, count = 0, 0.0, 0, 0
    for seed in common:
        a = np.asarray(Image.open(a_files[seed]).convert("RGB"), dtype=np.int16)
        b = np.asarray(Image.open(b_files[seed]).convert("RGB"), dtype=np.int16)
        if a.shape != b.shape:
            raise ValueError(f"seed {seed}: {a.shape[1]}x{a.shape[0]} against {b.shape[1]}x{b.shape[0]}")
        d = np.abs(a - b)
        worst = max(worst, int(d.max()))
        total += float(d.sum())
        over += int((d > 1).sum())
        count += d.size
    return {"images": len(common), "max_abs": worst, "mean_abs": total / count, "share_over_1": over / count}


def row(label, seedgrid, python, diff):
    ratio = seedgrid["images_per_second"] / python["images_per_second"]
    return (f"{label}: seedgrid {seedgrid['images_per_second']:.3f} images/s, onnxruntime-python "
            f"{python['images_per_second']:.3f} images/s, ratio {ratio:.3f} (goal >= 0.95); pixels over "
            f"{diff['images']} images: max |diff| {diff['max_abs']}, mean {diff['mean_abs']:.4f}, "
            f"{100 * diff['share_over_1']:.3f}% differ by more than 1 level")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--label", default="")
    p.add_argument("seedgrid_json", type=pathlib.Path)
    p.add_argument("seedgrid_dir", type=pathlib.Path)
    p.add_argument("python_json", type=pathlib.Path)
    p.add_argument("python_dir", type=pathlib.Path)
    a = p.parse_args(argv)
    try:
        seedgrid = json.loads(a.seedgrid_json.read_text().strip().splitlines()[-1])
        python = json.loads(a.python_json.read_text().strip().splitlines()[-1])
        diff = pixel_differences(a.seedgrid_dir, a.python_dir)
    except (OSError, ValueError, KeyError, IndexError) as e:
        print(f"compare.py: error: {e}", file=sys.stderr)
        return 2
    print(row(a.label, seedgrid, python, diff))
    return 0


if __name__ == "__main__":
    sys.exit(main())
