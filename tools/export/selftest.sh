#!/usr/bin/env bash
# Self-test of tools/export with Debian's packages only (no hub, no PyPI):
#   apt-get install python3-torch python3-torchvision python3-onnx python3-numpy python3-pil
# Runs: the topology checker on tiny graphs exported with torch.onnx, the seedgrid-metric.json writers
# and the contract checker on tiny random modules, the preprocessing reference against torchvision,
# torch.onnx export with external data, settings/provenance logic, pinned requirements, and --help
# plus the missing-package messages of every script. Ends with 'selftest: N passed, N failed, N skipped'.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-/usr/bin/python3}"
missing=()
for module in torch torchvision onnx numpy PIL; do
  "$python" -c "import $module" 2>/dev/null || missing+=("$module")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "selftest needs $python with: ${missing[*]} (Debian: apt-get install python3-torch python3-torchvision python3-onnx python3-numpy python3-pil)" >&2
  exit 2
fi
cd "$here/../.."
exec "$python" "$here/tests/run.py"
