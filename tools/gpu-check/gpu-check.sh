#!/usr/bin/env bash
# seedgrid on a GPU machine, checked in one command: `seedgrid doctor`, then the same SDXL and DMD2 exports
# rendered by seedgrid and by ONNX Runtime's Python API with diffusers' schedulers (SDXL 30 Euler steps with
# CFG 5, DMD2 4 LCM steps; batch 1 and 8; 1024x1024 by default), printing images/s of both, their ratio
# (seedgrid's goal: >= 0.95) and how much their pixels differ. See tools/gpu-check/README.md.
#
#   tools/gpu-check/gpu-check.sh --sdxl models/sdxl-base --dmd2 models/dmd2 [--device cuda:0] [--size 1024]
#                                [--images 8] [--out DIR] [--python PY]
#   tools/gpu-check/gpu-check.sh --cpu-dry-run     # the whole flow on the tiny test models on the CPU
#
# Exit code: 0 when everything ran, 2 on bad arguments or when doctor finds the device unusable, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/tools/gpu-check"

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail() { echo "gpu-check: error: $*" >&2; exit 2; }

sdxl="" dmd2="" device="cuda:0" size=1024 images=8 out="" python="${PYTHON:-python3}" dry=0 steps=30 batches="1 8"
while [ $# -gt 0 ]; do
  case "$1" in
    --sdxl) sdxl="${2:?--sdxl needs a folder}"; shift 2 ;;
    --dmd2) dmd2="${2:?--dmd2 needs a folder}"; shift 2 ;;
    --device) device="${2:?--device needs a value}"; shift 2 ;;
    --size) size="${2:?--size needs a value}"; shift 2 ;;
    --images) images="${2:?--images needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --python) python="${2:?--python needs a program}"; shift 2 ;;
    --cpu-dry-run) dry=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done
if [ "$dry" = 1 ]; then
  tiny="$root/udf/src/test/resources/tiny-sdxl"
  sdxl="$tiny/fp32" dmd2="$tiny/dmd2-unet-only" device=cpu size=64 images=2 steps=4 batches="1 2"
fi
[ -n "$sdxl" ] && [ -n "$dmd2" ] || fail "--sdxl and --dmd2 are required (see --help)"
[[ "$size" =~ ^[0-9]+$ ]] && [ $((size % 8)) = 0 ] && [ "$size" -gt 0 ] || fail "--size must be a positive multiple of 8"
[[ "$images" =~ ^[0-9]+$ ]] && [ "$images" -ge 1 ] || fail "--images must be at least 1"
[[ "$device" =~ ^(cpu|cuda(:[0-9]+)?)$ ]] || fail "--device is cuda, cuda:N or cpu, got '$device'"
[ -f "$sdxl/unet/model.onnx" ] || fail "no SDXL export at $sdxl (unet/model.onnx missing)"
[ -f "$dmd2/unet/model.onnx" ] || fail "no DMD2 UNet at $dmd2 (unet/model.onnx missing)"
"$python" -c "import onnxruntime, diffusers, transformers, torch, numpy, PIL" 2>/dev/null \
  || fail "$python lacks onnxruntime(-gpu), diffusers, transformers, torch, numpy or pillow: pip install -r $here/requirements.txt"
out="${out:-$(mktemp -d "${TMPDIR:-/tmp}/seedgrid-gpu-check.XXXXXX")}"
mkdir -p "$out"

echo "== seedgrid doctor --device $device"
set +e
"$root/bin/seedgrid" doctor --device "$device"
doctor=$?
set -e
[ "$doctor" = 0 ] || { echo "gpu-check: $device does not work (see above); nothing rendered" >&2; exit 2; }

report="$out/report.txt"
: > "$report"
for recipe in base dmd2; do
  if [ "$recipe" = base ]; then model="$sdxl"; extra=(--steps "$steps"); label="SDXL $steps Euler steps, CFG 5"
  else model="$dmd2"; extra=(); label="DMD2 4 LCM steps"; fi
  base_args=()
  [ "$recipe" = dmd2 ] && base_args=(--base "$sdxl")
  for batch in $batches; do
    name="$recipe-b$batch"
    n=$(( images > batch ? images : batch ))
    echo "== $label, batch $batch, ${size}x${size}: seedgrid"
    "$root/bin/seedgrid" bench throughput --model "$model" "${base_args[@]}" --recipe "$recipe" "${extra[@]}" \
      --size "$size" --images "$n" --batch "$batch" --device "$device" --out-dir "$out/seedgrid-$name" \
      | tail -n 1 > "$out/seedgrid-$name.json"
    cat "$out/seedgrid-$name.json"
    echo "== $label, batch $batch, ${size}x${size}: onnxruntime-python with diffusers"
    "$python" "$here/ort_diffusers.py" --model "$model" "${base_args[@]}" --recipe "$recipe" "${extra[@]}" \
      --size "$size" --images "$n" --batch "$batch" --device "$device" --out-dir "$out/python-$name" \
      | tail -n 1 > "$out/python-$name.json"
    cat "$out/python-$name.json"
    "$python" "$here/compare.py" --label "$label, batch $batch" "$out/seedgrid-$name.json" "$out/seedgrid-$name" \
      "$out/python-$name.json" "$out/python-$name" >> "$report"
  done
done
echo
echo "== results (also in $report)"
cat "$report"
