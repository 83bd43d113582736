#!/usr/bin/env bash
# The parts of tools/gpu-check that run without a GPU, ONNX Runtime's Python package or diffusers: the
# argument checks of gpu-check.sh and ort_diffusers.py, and compare.py on images made here (needs numpy
# and pillow). bin/test runs it when they are installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
check() { # check NAME EXPECTED_EXIT COMMAND...
  local name="$1" want="$2"; shift 2
  set +e; "$@" > "$tmp/out" 2>&1; local got=$?; set -e
  if [ "$got" != "$want" ]; then echo "FAIL $name: exit $got, want $want"; cat "$tmp/out"; failures=$((failures + 1));
  else echo "ok   $name"; fi
}
check "gpu-check.sh --help" 0 "$here/gpu-check.sh" --help
check "gpu-check.sh without models" 2 "$here/gpu-check.sh"
check "gpu-check.sh with a bad size" 2 "$here/gpu-check.sh" --sdxl "$tmp" --dmd2 "$tmp" --size 1001
grep -q "positive multiple of 8" "$tmp/out" || { echo "FAIL the size is what gpu-check.sh refuses"; failures=$((failures + 1)); }
check "gpu-check.sh with an unknown argument" 2 "$here/gpu-check.sh" --warp 9
check "ort_diffusers.py with a bad size" 2 "$py" "$here/ort_diffusers.py" --model "$tmp" --size 1001 --out-dir "$tmp/o"
check "ort_diffusers.py with a bad device" 2 "$py" "$here/ort_diffusers.py" --model "$tmp" --device tpu --out-dir "$tmp/o"

# compare.py: two renderers, two images each; one pixel differs by 3 levels, one by 1.
"$py" - "$tmp" <<'PY'
import json, pathlib, sys
import numpy as np
from PIL import Image
tmp = pathlib.Path(sys.argv[1])
for name, ips in (("a", 2.0), ("b", 2.5)):
    (tmp / name).mkdir()
    (tmp / f"{name}.json").write_text("log line\n" + json.dumps({"images_per_second": ips}) + "\n")
    for seed in (0, 1):
        x = np.full((8, 8, 3), 100, np.uint8)
        if name == "b" and seed == 0:
            x[0, 0, 0] = 103
            x[1, 1, 1] = 101
        Image.fromarray(x).save(tmp / name / f"{seed}.png")
PY
check "compare.py" 0 "$py" "$here/compare.py" --label t "$tmp/a.json" "$tmp/a" "$tmp/b.json" "$tmp/b"
want="t: seedgrid 2.000 images/s, onnxruntime-python 2.500 images/s, ratio 0.800 (goal >= 0.95); pixels over 2 images: max |diff| 3, mean 0.0104, 0.260% differ by more than 1 level"
if [ "$(cat "$tmp/out")" != "$want" ]; then echo "FAIL compare.py output: $(cat "$tmp/out")"; failures=$((failures + 1)); fi
check "compare.py with a missing folder" 2 "$py" "$here/compare.py" "$tmp/a.json" "$tmp/a" "$tmp/b.json" "$tmp/none"
echo "gpu-check selftest: $((9 - failures)) passed, $failures failed"
[ "$failures" = 0 ]
