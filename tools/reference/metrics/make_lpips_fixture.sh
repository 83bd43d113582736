#!/bin/sh
# Rebuilds the LPIPS test fixture and its PyTorch reference distances.
# Run from the repository root:  sh tools/reference/metrics/make_lpips_fixture.sh
# Needs Debian's Python with torch 1.13 / torchvision 0.14 (see tools/export/metrics/requirements-lpips.txt).
#
# The fixture is torchvision's AlexNet topology with every hidden channel count x 0.25 (16/48/96/64/64
# channels, ~0.6 MB instead of ~10 MB at full width) and seeded random weights; the reference
# distances come from lpips_export.py's own PyTorch implementation of the LPIPS formula.
set -e
PY=/usr/bin/python3
IMAGES=udf/src/test/resources/metrics/images
ARGS="--net alex --random-seed 7 --width-scale 0.25"
$PY tools/export/metrics/lpips_export.py export $ARGS --out udf/src/test/resources/metrics/lpips-tiny
$PY tools/export/metrics/lpips_export.py reference $ARGS \
    --images $IMAGES/a.png $IMAGES/b.png $IMAGES/c.png $IMAGES/d.png $IMAGES/e.png \
    --out udf/src/test/resources/golden/metrics/lpips.json
