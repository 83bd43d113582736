"""The front of an exhaustive seedgrid run, computed from its tables with pyarrow and plain Python.

    python3 exhaustive_front.py RUN_DIR OUT.json

Reads RUN_DIR/recipes/recipes.parquet (per recipe and metric: the mean over prompts and its 95% percentile
bootstrap interval, as `seedgrid measure` writes it) and RUN_DIR/images (each recipe's canonical JSON), counts
each recipe's UNet evaluations per image from its phases (one per step, two per step with CFG > 1; recipes with
limited-interval guidance are refused: their count needs the sampler's sigmas), and marks the Pareto front of
(diversity: higher, adherence: higher, UNet evaluations: lower). Nothing here comes from seedgrid's tune code.
"""
import json
import sys

import pyarrow.parquet as pq

DIVERSITY = "seedgrid_toy_clip_distance_mean"
ADHERENCE = "clip_score_mean"


def unet_evaluations(recipe):
    count = 0
    for phase in recipe["phases"]:
        if "cfg_sigma_low" in phase or "cfg_sigma_high" in phase:
            raise SystemExit("limited-interval guidance: count it from the sampler's sigmas")
        count += (phase["to"] - phase["from"]) * (2 if phase["cfg"] > 1 else 1)
    return count


def dominates(a, b):
    no_worse = a["diversity"]["mean"] >= b["diversity"]["mean"] and a["adherence"]["mean"] >= b["adherence"]["mean"] \
        and a["unet_evaluations"] <= b["unet_evaluations"]
    better = a["diversity"]["mean"] > b["diversity"]["mean"] or a["adherence"]["mean"] > b["adherence"]["mean"] \
        or a["unet_evaluations"] < b["unet_evaluations"]
    return no_worse and better


def main(run_dir, out):
    rows = pq.read_table(run_dir + "/recipes/recipes.parquet").to_pylist()
    images = pq.read_table(run_dir + "/images", columns=["recipe", "recipe_json", "prompt_id", "seed", "status"])
    recipes_json = {}
    cells = 0
    prompts = set()
    seeds = set()
    for r in images.to_pylist():
        recipes_json[r["recipe"]] = json.loads(r["recipe_json"])
        cells += 1
        prompts.add(r["prompt_id"])
        seeds.add(int(r["seed"]))
        assert r["status"] == "ok", r
    recipes = {}
    level = None
    for r in rows:
        if r["metric"] in (DIVERSITY, ADHERENCE):
            entry = recipes.setdefault(r["recipe"], {"name": r["recipe"]})
            key = "diversity" if r["metric"] == DIVERSITY else "adherence"
            entry[key] = {"mean": r["mean"], "low": r["low"], "high": r["high"], "prompts": r["prompts"]}
            level = r["level"]
    for name, entry in recipes.items():
        entry["unet_evaluations"] = unet_evaluations(recipes_json[name])
    listed = sorted(recipes.values(), key=lambda e: (e["unet_evaluations"], -e["diversity"]["mean"]))
    for e in listed:
        e["on_front"] = not any(dominates(o, e) for o in listed if o is not e)
    doc = {
        "made_by": "tools/reference/tune/make_exhaustive_front.sh (exhaustive_front.py)",
        "config": "conf/tune-demo.yaml",
        "diversity": DIVERSITY,
        "adherence": ADHERENCE,
        "cost": "unet_evaluations",
        "level": level,
        "prompts": len(prompts),
        "seeds": len(seeds),
        "images": cells,
        "recipes": listed,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    front = [e["name"] for e in listed if e["on_front"]]
    print(f"{cells} images, {len(listed)} recipes; front: {', '.join(front)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
