#!/usr/bin/python3
"""PIL reference outputs for io.seedgrid.udf.metrics.PilResize (Pillow's antialiased resampling).

Rerun from the repository root with Debian's Python (PIL 9.4):
    /usr/bin/python3 tools/reference/metrics/resize_reference.py
Writes udf/src/test/resources/golden/metrics/resize/<case>.png (lossless) and resize.json listing
the cases. Each case is Image.open(src).convert("RGB").resize((w, h), filter), exactly what Hugging
Face image processors and Vendi-Score's pixel thumbnails (img.resize((32, 32)), bicubic by default
for RGB) call. Downscaling widens the filter support by the scale factor (antialiasing).
"""
import json
import os

from PIL import Image

ROOT = os.path.join("udf", "src", "test", "resources")
IMAGES = os.path.join(ROOT, "metrics", "images")
OUT = os.path.join(ROOT, "golden", "metrics", "resize")

CASES = [
    # name, source, width, height, filter
    ("a_32x32_bicubic", "a", 32, 32, "bicubic"),          # pixel Vendi thumbnail
    ("a_77x64_bicubic", "a", 77, 64, "bicubic"),          # shortest edge 64
    ("c_50x61_bilinear", "c", 50, 61, "bilinear"),        # squash, shrink x, grow y
    ("d_201x100_bicubic", "d", 201, 100, "bicubic"),      # vertical pass only
    ("small_0_193x161_bicubic", "small_0", 193, 161, "bicubic"),  # MS-SSIM upsampling
    ("small_1_97x73_bilinear", "small_1", 97, 73, "bilinear"),
    ("e_31x167_bicubic", "e", 31, 167, "bicubic"),        # horizontal pass only
]


def main():
    os.makedirs(OUT, exist_ok=True)
    filters = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}
    listing = []
    for name, src, w, h, filt in CASES:
        img = Image.open(os.path.join(IMAGES, src + ".png")).convert("RGB")
        img.resize((w, h), filters[filt]).save(os.path.join(OUT, name + ".png"), optimize=True)
        listing.append({"name": name, "source": src, "width": w, "height": h, "filter": filt})
    with open(os.path.join(ROOT, "golden", "metrics", "resize.json"), "w") as f:
        json.dump({"source": "tools/reference/metrics/resize_reference.py", "pillow": Image.__version__,
                   "cases": listing}, f, indent=1)
    print(len(listing), "cases")


if __name__ == "__main__":
    main()
