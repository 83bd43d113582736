#!/usr/bin/env bash
# Renders MeasureJobTest's cells (jobs/.../measure/MeasureFixtures: 2 prompts x 3 seeds x 2 recipes on the tiny
# SDXL test models, 64x48) with `seedgrid render` into jobs/src/test/resources/measure/images/, named
# <prompt_id>-<recipe>-<seed>.png. An image depends on its cell only (never on batching), so these are the
# pixels the generate job renders; MeasureJobTest checks that before it compares groups/ and pairs/ with
# measure_reference.py's values. Run from the repository root: bash tools/reference/measure/render_cells.sh
set -euo pipefail
models=udf/src/test/resources/tiny-sdxl
out=jobs/src/test/resources/measure/images
mkdir -p "$out"
render() { # id prompt recipe seed
  local id=$1 prompt=$2 recipe=$3 seed=$4
  if [ "$recipe" = base ]; then # {name: base, kind: base, model: base, steps: 4, cfg: 5} (euler, normal)
    ./bin/seedgrid render --model "$models/fp32" --prompt "$prompt" --seed "$seed" --steps 4 --cfg 5 \
      --width 64 --height 48 --out "$out/$id-$recipe-$seed.png"
  else # {name: dmd2, kind: dmd2, model: dmd2}: LCM at DMD2's timesteps 999, 749, 499, 249
    ./bin/seedgrid render --model "$models/dmd2-unet-only" --base "$models/fp32" --recipe dmd2 --prompt "$prompt" \
      --seed "$seed" --width 64 --height 48 --out "$out/$id-$recipe-$seed.png"
  fi
}
for seed in 0 1 18446744073709551615; do
  for recipe in base dmd2; do
    render cube "a red cube on a blue floor" "$recipe" "$seed"
    render sphere "a green sphere" "$recipe" "$seed"
  done
done
