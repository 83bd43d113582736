#!/usr/bin/python3
"""Builds the tiny random embedding fixtures (torch -> ONNX) and their torch reference embeddings.

Rerun from the repository root with Debian's Python (torch 1.13, numpy, PIL):
    /usr/bin/python3 tools/reference/metrics/embedding_fixture.py
Writes
  udf/src/test/resources/metrics/embed-tiny/   type image_embedding: shortest edge 72, bicubic,
                                               center crop 64 (a DINOv2-style 256/224 split, scaled)
  udf/src/test/resources/metrics/clip-tiny/    type clip: image squashed to 40x40 bilinear, no crop;
                                               text model on int64 input_ids [B,77]; a byte-level
                                               CLIP tokenizer with no merges (enough for the layout)
  udf/src/test/resources/metrics/text-int32.onnx  the clip-tiny text model with int32 input_ids
  udf/src/test/resources/golden/metrics/embedding.json  torch outputs for the test images / ids

The reference preprocessing is our own re-statement of what Hugging Face image processors do
(CLIPImageProcessor / BitImageProcessor): PIL Image.resize of the uint8 RGB image (shortest edge to
`size`, the long edge int(size * long / short); or squash to size x size), center crop with
top = (h - crop) // 2, left = (w - crop) // 2, x = float32(float64(x) * rescale), then
(x - float32(mean)) / float32(std) in float32, channels first. Embeddings are L2-normalised.
The models are random and measure nothing; they only check the plumbing end to end.
"""
import json
import os

import numpy as np
import torch
from PIL import Image

ROOT = os.path.join("udf", "src", "test", "resources")
IMAGES = os.path.join(ROOT, "metrics", "images")
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
DIM = 24


class TinyImageEmbedder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 5, stride=4, padding=2)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(16, DIM)

    def forward(self, pixel_values):
        h = torch.relu(self.conv2(torch.relu(self.conv1(pixel_values))))
        return self.fc(h.mean(dim=(2, 3)))


class TinyTextEmbedder(torch.nn.Module):
    """Reads the 77 ids as numbers: enough to give different ids different embeddings."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(77, 32)
        self.fc2 = torch.nn.Linear(32, DIM)

    def forward(self, input_ids):
        x = input_ids.to(torch.float32) / 49408.0
        return self.fc2(torch.tanh(self.fc1(x)))


def export(model, example, path, input_name, output_name):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(model, (example,), path, input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}}, opset_version=14)


def preprocess(path, prep):
    img = Image.open(path).convert("RGB")
    w, h = img.size
    size = prep.get("resize_size", prep["size"])  # the resize target; "size" is the network input side
    if prep["resize"] == "shortest_edge":
        if w <= h:
            new = (size, int(size * h / w))
        else:
            new = (int(size * w / h), size)
    else:
        new = (size, size)
    resample = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}[prep["interpolation"]]
    arr = np.asarray(img.resize(new, resample))
    if prep["crop"] == "center":
        crop = prep["size"]
        top, left = (arr.shape[0] - crop) // 2, (arr.shape[1] - crop) // 2
        arr = arr[top:top + crop, left:left + crop]
    x = (arr.astype(np.float64) * prep["rescale"]).astype(np.float32)
    x = (x - np.asarray(prep["mean"], dtype=np.float32)) / np.asarray(prep["std"], dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def normalised(t):
    t = t.double()
    return (t / t.norm(dim=-1, keepdim=True)).tolist()


def bytes_to_unicode():
    """GPT-2/CLIP byte-level alphabet (Radford et al. 2019): printable bytes map to themselves."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def write_tokenizer(directory):
    os.makedirs(directory, exist_ok=True)
    symbols = bytes_to_unicode()
    vocab = {}
    for s in symbols:
        vocab[s] = len(vocab)
    for s in symbols:
        vocab[s + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    with open(os.path.join(directory, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(directory, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
    with open(os.path.join(directory, "special_tokens_map.json"), "w") as f:
        json.dump({"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                   "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}, f)
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 77, "do_lower_case": True, "tokenizer_class": "CLIPTokenizer"}, f)


def token_rows():
    rows = []
    for seed, length in ((1, 5), (2, 20), (3, 75)):
        rng = np.random.default_rng(seed)
        ids = [49406] + rng.integers(0, 49406, size=length).tolist() + [49407]
        rows.append(ids + [49407] * (77 - len(ids)))
    return rows


def main():
    torch.manual_seed(11)
    image_model = TinyImageEmbedder().eval()
    clip_image = TinyImageEmbedder().eval()
    text_model = TinyTextEmbedder().eval()
    # a shared output bias gives image and text embeddings a common direction, so the random pair
    # has positive, varied cosines (CLIP scores) instead of scores clamped to 0
    shared = torch.randn(DIM) * 0.4
    clip_image.fc.bias.data.copy_(shared)
    text_model.fc2.bias.data.copy_(shared)

    embed_dir = os.path.join(ROOT, "metrics", "embed-tiny")
    embed_prep = {"size": 64, "resize_size": 72, "resize": "shortest_edge", "interpolation": "bicubic",
                  "crop": "center", "rescale": 1 / 255, "mean": CLIP_MEAN, "std": CLIP_STD}
    export(image_model, torch.zeros(1, 3, 64, 64), os.path.join(embed_dir, "model.onnx"), "pixel_values",
           "image_embeds")
    with open(os.path.join(embed_dir, "seedgrid-metric.json"), "w") as f:
        json.dump(dict({"type": "image_embedding", "name": "embed-tiny", "input": "pixel_values",
                        "output": "image_embeds"}, **embed_prep), f, indent=1)

    clip_dir = os.path.join(ROOT, "metrics", "clip-tiny")
    clip_prep = {"size": 40, "resize": "squash", "interpolation": "bilinear", "crop": "none",
                 "rescale": 1 / 255, "mean": CLIP_MEAN, "std": CLIP_STD}
    export(clip_image, torch.zeros(1, 3, 40, 40), os.path.join(clip_dir, "image", "model.onnx"), "pixel_values",
           "image_embeds")
    export(text_model, torch.zeros(1, 77, dtype=torch.int64), os.path.join(clip_dir, "text", "model.onnx"),
           "input_ids", "text_embeds")
    export(text_model, torch.zeros(1, 77, dtype=torch.int32), os.path.join(ROOT, "metrics", "text-int32.onnx"),
           "input_ids", "text_embeds")
    write_tokenizer(os.path.join(clip_dir, "tokenizer"))
    with open(os.path.join(clip_dir, "seedgrid-metric.json"), "w") as f:
        json.dump({"type": "clip", "name": "clip-tiny",
                   "image": dict({"model": "image/model.onnx", "input": "pixel_values", "output": "image_embeds"},
                                 **clip_prep),
                   "text": {"model": "text/model.onnx", "input": "input_ids", "output": "text_embeds",
                            "tokenizer": "tokenizer"}}, f, indent=1)

    names = ["a", "c", "small_0"]
    paths = [os.path.join(IMAGES, n + ".png") for n in names]
    rows = token_rows()
    with torch.no_grad():
        embed = image_model(torch.stack([preprocess(p, embed_prep) for p in paths]))
        clip_img = clip_image(torch.stack([preprocess(p, clip_prep) for p in paths]))
        text = text_model(torch.tensor(rows, dtype=torch.int64))
        # the first pixel values, to pin the preprocessing down separately from the network
        first_pixels = preprocess(paths[0], embed_prep).reshape(-1)[:8].tolist()
    img_n, txt_n = np.asarray(normalised(clip_img)), np.asarray(normalised(text))
    clip_scores = (100 * np.maximum(img_n @ txt_n.T, 0)).tolist()
    out = {"source": "tools/reference/metrics/embedding_fixture.py", "images": names,
           "embed_tiny": {"first_pixel_values_a": first_pixels, "embeddings": normalised(embed)},
           "clip_tiny": {"image_embeddings": normalised(clip_img), "input_ids": rows,
                         "text_embeddings": normalised(text), "clip_scores": clip_scores}}
    with open(os.path.join(ROOT, "golden", "metrics", "embedding.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("clip scores", clip_scores)


if __name__ == "__main__":
    main()
