#!/bin/sh
# The exhaustive grid that seedgrid tune's proof compares with (jobs/.../tune/TuneProofTest): every recipe of
# conf/tune-demo.yaml's search space and its references, on every prompt and seed of its pool, rendered and
# measured by the ordinary `seedgrid run`, and its front computed here, apart from seedgrid's code, by
# exhaustive_front.py. Writes jobs/src/test/resources/tune/tune-demo-exhaustive.json.
#
#   sh tools/reference/tune/make_exhaustive_front.sh [WORK_DIR]
#
# Needs Java 17+ and Maven (bin/seedgrid builds seedgrid), and Python 3 with pyarrow (Debian 12 has no
# python3-pyarrow: `python3 -m venv v && v/bin/pip install pyarrow`, then PYTHON=v/bin/python3). About two
# minutes on 2 cores: 6144 toy images.
set -eu
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${1:-$(mktemp -d)}"
python="${PYTHON:-python3}"
mkdir -p "$work"
# the tune config with its output in the work folder
sed -e "s|^output: .*|output: $work/runs|" -e "s|\.\./models|$root/models|g" "$root/conf/tune-demo.yaml" > "$work/tune-demo.yaml"
"$root/bin/seedgrid" tune "$work/tune-demo.yaml" --grid-config "$work/grid.yaml" --grid-run tune-demo-grid
"$root/bin/seedgrid" run "$work/grid.yaml"
"$python" "$root/tools/reference/tune/exhaustive_front.py" "$work/runs/tune-demo-grid" \
    "$root/jobs/src/test/resources/tune/tune-demo-exhaustive.json"
