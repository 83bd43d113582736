"""Reference images for jobs' ShippedModelsTest: what the exported toy family renders under our PyTorch
pipeline (pipeline.py, weights read back from the ONNX initializers in models/), for each demo recipe,
two prompts and two seeds. The Java test renders the same cells with `seedgrid render` and compares pixels.

Writes jobs/src/test/resources/toymodel/{manifest.json, <recipe>-<prompt>-<seed>.png}; manifest entries
carry the render arguments, so the test needs no knowledge of the recipes.

Rerun after every export: /usr/bin/python3 tools/toymodel/reference_images.py
"""
import json
import os

from PIL import Image
import torch

import common
import evaluate

OUT = os.path.join(common.HERE, "..", "..", "jobs", "src", "test", "resources", "toymodel")
PROMPTS = ["a red circle", "a yellow star on a black background"]
SEEDS = [0, 5]
# recipe of evaluate.run_recipe -> the same recipe as `seedgrid render` arguments (models/ relative to the repo)
RENDER_ARGS = {
    "base": ["--model", "models/base", "--sampler", "euler", "--steps", "20", "--cfg", "5"],
    "dmd2": ["--model", "models/dmd2", "--recipe", "dmd2"],
    "hybrid": ["--model", "models/base", "--student", "models/dmd2", "--recipe", "hybrid", "--base-steps", "1",
               "--cfg", "5"],
    "blend0.5": ["--model", "models/base", "--student", "models/dmd2", "--recipe", "blend", "--alpha", "0.5"],
}


def main():
    torch.set_num_threads(1)
    fam = evaluate.load(common.MODELS)
    os.makedirs(OUT, exist_ok=True)
    entries = []
    for recipe, args in RENDER_ARGS.items():
        for p, prompt in enumerate(PROMPTS):
            images = evaluate.run_recipe(fam, recipe, prompt, SEEDS)
            for seed, image in zip(SEEDS, images):
                name = f"{recipe}-{p}-{seed}.png"
                Image.fromarray(image).save(os.path.join(OUT, name))
                entries.append({"png": name, "args": args + ["--prompt", prompt, "--seed", str(seed)]})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "tools/toymodel/reference_images.py", "images": entries}, f, indent=1)
        f.write("\n")
    print(f"{len(entries)} reference images in {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
