"""Export the trained toy family to ONNX in Optimum's SDXL layout, plus the configs, tokenizers and the
metric pair, and write ONNX-Runtime check vectors (inputs + torch outputs) for CheckOnnx.java.

    models/base/   text_encoder, text_encoder_2, unet, vae_decoder (model.onnx + config.json each),
                   tokenizer (pad <|endoftext|>), tokenizer_2 (pad "!"), scheduler/scheduler_config.json,
                   model_index.json
    models/dmd2/   unet/ (same graph as base/unet, student weights) + seedgrid-export.json {"base": "../base"}
    models/clip/   image/, text/, tokenizer/, seedgrid-metric.json (type "clip")

All graphs: fp32, opset 17, batch axis dynamic, do_constant_folding=False so that every initializer keeps
its PyTorch parameter name (the blend recipe pairs initializers by name, and evaluate.py loads the
torch modules back from the ONNX initializers). Both UNets go through the same export_unet().

Rerun: /usr/bin/python3 tools/toymodel/export.py [--student work/dmd2_G_XXXXX.pt]
"""
import argparse
import json
import os
import shutil

import numpy as np
import onnx
import torch

import clip_bpe
import common
import nets

OPSET = 17
BASE, DMD2, CLIP = (os.path.join(common.MODELS, d) for d in ("base", "dmd2", "clip"))
CHECK = os.path.join(common.OUT, "onnx_check")
TOY_NOTE = ("seedgrid toy model: our own small architecture with the SDXL ONNX signature; "
            "no PyTorch weights for diffusers/transformers, but the ONNX folder loads in Optimum's "
            "ORTStableDiffusionXLPipeline. See models/MODEL_CARD.md.")
# the decoder's channels from its 64x64 output down to its 8x8 input (nets.Decoder): diffusers and Optimum
# read only the length, 2 ** (len - 1) = 8 being the VAE's scale factor
VAE_BLOCK_OUT_CHANNELS = [32, 32, 64, 128]


class TE1Export(torch.nn.Module):
    def __init__(self, te):
        super().__init__()
        self.te = te

    def forward(self, input_ids):
        hs, last, pooled = self.te(input_ids)
        return (last, pooled, *hs)


class TE2Export(TE1Export):
    def forward(self, input_ids):
        hs, last, text_embeds = self.te(input_ids)
        return (text_embeds, last, *hs)


def te1_names():
    return ["last_hidden_state", "pooler_output"] + [f"hidden_states.{i}" for i in range(SIZES_TE1_L + 1)]


def te2_names():
    return ["text_embeds", "last_hidden_state"] + [f"hidden_states.{i}" for i in range(SIZES_TE2_L + 1)]


SIZES_TE1_L, SIZES_TE2_L = nets.SIZES["te1"][1], nets.SIZES["te2"][1]
UNET_INPUTS = ["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"]


def _export(module, args, path, inputs, outputs, dynamic):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Train mode + PRESERVE: torch.onnx then deduplicates initializers only when they share storage, never
    # by value (it would merge e.g. untouched LayerNorm weights, and the graphs of base and student
    # would differ). Our networks have no dropout/batch norm, so train and eval compute the same.
    module.train()
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                      opset_version=OPSET, do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
    n_init = len(onnx.load(path).graph.initializer)
    if n_init != len(module.state_dict()):
        raise AssertionError(f"{path}: {n_init} initializers for {len(module.state_dict())} tensors")


def unet_dummy(b=2):
    return (torch.randn(b, 4, 8, 8), torch.tensor([999, 249][:b] + [499] * max(0, b - 2), dtype=torch.int64),
            torch.randn(b, 77, nets.CROSS_DIM), torch.randn(b, nets.POOLED_DIM),
            torch.tensor([[64.0, 64, 0, 0, 64, 64]]).repeat(b, 1))


def export_unet(unet, path):
    """THE export of both UNets: identical settings, so the graphs differ only in initializer values."""
    dyn = {"sample": {0: "batch_size", 2: "height", 3: "width"}, "timestep": {0: "batch_size"},
           "encoder_hidden_states": {0: "batch_size"}, "text_embeds": {0: "batch_size"},
           "time_ids": {0: "batch_size"}, "out_sample": {0: "batch_size", 2: "height", 3: "width"}}
    _export(unet, unet_dummy(), path, UNET_INPUTS, ["out_sample"], dyn)


def export_text(te, wrapper, names, path, dtype):
    dyn = {"input_ids": {0: "batch_size"}}
    dyn.update({n: {0: "batch_size"} for n in names})
    _export(wrapper(te), (torch.zeros(1, 77, dtype=dtype),), path, ["input_ids"], names, dyn)


def export_decoder(decoder, path):
    dyn = {"latent_sample": {0: "batch_size", 2: "height", 3: "width"},
           "sample": {0: "batch_size", 2: "height_out", 3: "width_out"}}
    _export(decoder, (torch.randn(1, 4, 8, 8),), path, ["latent_sample"], ["sample"], dyn)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


SCHEDULER_CONFIG = {   # stabilityai/stable-diffusion-xl-base-1.0 scheduler/scheduler_config.json
    "_class_name": "EulerDiscreteScheduler", "_diffusers_version": "0.19.0.dev0", "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False,
    "interpolation_type": "linear", "num_train_timesteps": 1000, "prediction_type": "epsilon",
    "sample_max_value": 1.0, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
    "timestep_spacing": "leading", "trained_betas": None, "use_karras_sigmas": False,
}


def text_config(arch, width, layers, heads, projection, pad_id):
    return {"_name_or_path": "seedgrid-toy", "_seedgrid_note": TOY_NOTE, "architectures": [arch],
            "model_type": "clip_text_model", "hidden_act": "quick_gelu", "hidden_size": width,
            "intermediate_size": 4 * width, "num_attention_heads": heads, "num_hidden_layers": layers,
            "max_position_embeddings": 77, "layer_norm_eps": 1e-05, "projection_dim": projection,
            "vocab_size": nets.SIZES["vocab"], "bos_token_id": nets.SIZES["vocab"] - 2,
            "eos_token_id": nets.SIZES["eos_id"], "pad_token_id": pad_id, "torch_dtype": "float32"}


def unet_config():
    c0, c1, temb, heads = nets.SIZES["unet"]
    return {"_class_name": "UNet2DConditionModel", "_seedgrid_note": TOY_NOTE, "sample_size": 8,
            "in_channels": 4, "out_channels": 4, "block_out_channels": [c0, c1], "layers_per_block": 1,
            "attention_head_dim": heads, "cross_attention_dim": nets.CROSS_DIM,
            "addition_embed_type": "text_time", "addition_time_embed_dim": 16,
            "projection_class_embeddings_input_dim": 6 * 16 + nets.POOLED_DIM, "time_embedding_dim": temb,
            "time_cond_proj_dim": None}


def vae_config(latent_std):
    return {"_class_name": "AutoencoderKL", "_seedgrid_note": TOY_NOTE, "in_channels": 3,
            "out_channels": 3, "latent_channels": 4, "sample_size": 64, "scaling_factor": 0.13025,
            "block_out_channels": VAE_BLOCK_OUT_CHANNELS,
            "force_upcast": False, "_seedgrid_latent_std": latent_std}


def model_index():
    return {"_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.19.0.dev0",
            "_seedgrid_note": TOY_NOTE, "force_zeros_for_empty_prompt": True,
            "scheduler": ["diffusers", "EulerDiscreteScheduler"],
            "text_encoder": ["transformers", "CLIPTextModel"],
            "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
            "tokenizer": ["transformers", "CLIPTokenizer"], "tokenizer_2": ["transformers", "CLIPTokenizer"],
            "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]}


CLIP_METRIC = {
    "type": "clip", "name": "seedgrid-toy-clip",
    "image": {"model": "image/model.onnx", "input": "pixel_values", "output": "image_embeds", "size": 64,
              "resize": "shortest_edge", "interpolation": "bicubic", "crop": "center",
              "rescale": 0.00392156862745098, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
    "text": {"model": "text/model.onnx", "input": "input_ids", "output": "text_embeds", "tokenizer": "tokenizer"},
}


def load_family(student_path):
    ae = torch.load(common.WORK + "/ae.pt")
    dec = nets.Decoder()
    dec.load_state_dict(torch.load(common.WORK + "/decoder.pt")["dec"])   # stage 1b fine-tuned decoder
    decoder = nets.ScaledDecoder(dec, 0.13025 * ae["latent_std"])
    te1, te2, unet = nets.TextEncoder1(), nets.TextEncoder2(), nets.UNet()
    for m, s in zip((te1, te2, unet), torch.load(common.WORK + "/teacher.pt")["ema"]):
        m.load_state_dict(s)
    student = nets.UNet()
    student.load_state_dict(torch.load(student_path)["G"])
    ck = torch.load(common.WORK + "/clip.pt")
    img_t, txt_t = nets.ImageTower(), nets.TextTower()
    img_t.load_state_dict(ck["image"])
    txt_t.load_state_dict(ck["text"])
    return dict(te1=te1, te2=te2, unet=unet, student=student, decoder=decoder, latent_std=ae["latent_std"],
                clip_image=img_t, clip_text=txt_t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--student", default=common.WORK + "/dmd2.pt")
    args = ap.parse_args()
    torch.set_num_threads(1)
    f = load_family(args.student)
    for d in (BASE, DMD2, CLIP):
        shutil.rmtree(d, ignore_errors=True)
    tok1, tok2 = clip_bpe.build(clip_bpe.EOS), clip_bpe.build("!")
    w1, l1, h1 = nets.SIZES["te1"]
    w2, l2, h2, p2 = nets.SIZES["te2"]
    export_text(f["te1"], TE1Export, te1_names(), f"{BASE}/text_encoder/model.onnx", torch.int32)
    write_json(f"{BASE}/text_encoder/config.json", text_config("CLIPTextModel", w1, l1, h1, w1, tok1.pad))
    export_text(f["te2"], TE2Export, te2_names(), f"{BASE}/text_encoder_2/model.onnx", torch.int32)
    write_json(f"{BASE}/text_encoder_2/config.json",
               text_config("CLIPTextModelWithProjection", w2, l2, h2, p2, tok2.pad))
    export_unet(f["unet"], f"{BASE}/unet/model.onnx")
    write_json(f"{BASE}/unet/config.json", unet_config())
    export_decoder(f["decoder"], f"{BASE}/vae_decoder/model.onnx")
    write_json(f"{BASE}/vae_decoder/config.json", vae_config(f["latent_std"]))
    tok1.save(f"{BASE}/tokenizer")
    tok2.save(f"{BASE}/tokenizer_2")
    write_json(f"{BASE}/scheduler/scheduler_config.json", SCHEDULER_CONFIG)
    write_json(f"{BASE}/model_index.json", model_index())

    export_unet(f["student"], f"{DMD2}/unet/model.onnx")
    write_json(f"{DMD2}/unet/config.json", unet_config())
    write_json(f"{DMD2}/seedgrid-export.json", {"base": "../base"})   # ModelDirectory.BASE_FILE

    _export(f["clip_image"], (torch.zeros(1, 3, 64, 64),), f"{CLIP}/image/model.onnx", ["pixel_values"],
            ["image_embeds"], {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}})
    _export(f["clip_text"], (torch.zeros(1, 77, dtype=torch.int64),), f"{CLIP}/text/model.onnx",
            ["input_ids"], ["text_embeds"], {"input_ids": {0: "batch_size"}, "text_embeds": {0: "batch_size"}})
    tok1.save(f"{CLIP}/tokenizer")
    write_json(f"{CLIP}/seedgrid-metric.json", CLIP_METRIC)
    write_check_vectors(f, tok1, tok2)
    for root, _, files in sorted(os.walk(common.MODELS)):
        for name in sorted(files):
            p = os.path.join(root, name)
            print(f"{os.path.getsize(p):>10,d}  {os.path.relpath(p, common.MODELS)}")


def _save(arr, name):
    arr = np.ascontiguousarray(arr)
    arr.tofile(os.path.join(CHECK, name + ".bin"))
    dtype = {np.dtype("float32"): "float32", np.dtype("int64"): "int64", np.dtype("int32"): "int32"}[arr.dtype]
    return f"{dtype} {','.join(str(s) for s in arr.shape)} {name}.bin"


@torch.no_grad()
def write_check_vectors(f, tok1, tok2):
    """For each ONNX file: fixed inputs and the torch module's outputs as raw little-endian arrays, and a
    manifest (out/onnx_check/manifest.txt) that CheckOnnx.java reads:
        model <path relative to models/>
        input <name> <dtype> <shape> <file>
        output <name> <dtype> <shape> <file>"""
    shutil.rmtree(CHECK, ignore_errors=True)
    os.makedirs(CHECK)
    lines = []
    prompts = ["a red circle", "a large striped yellow square on a blue background"]
    torch.manual_seed(123)

    def add(model, inputs, outputs):
        lines.append(f"model {model}")
        key = model.replace("/", "_").replace(".onnx", "")
        for n, a in inputs.items():
            lines.append(f"input {n} " + _save(a, f"{key}_in_{n}"))
        for n, a in outputs.items():
            lines.append(f"output {n} " + _save(a, f"{key}_out_{n}"))

    ids1 = tok1.encode_batch(prompts).astype(np.int32)
    outs = TE1Export(f["te1"])(torch.from_numpy(ids1))
    add("base/text_encoder/model.onnx", {"input_ids": ids1}, dict(zip(te1_names(), [o.numpy() for o in outs])))
    ids2 = tok2.encode_batch(prompts).astype(np.int32)
    outs = TE2Export(f["te2"])(torch.from_numpy(ids2))
    add("base/text_encoder_2/model.onnx", {"input_ids": ids2}, dict(zip(te2_names(), [o.numpy() for o in outs])))
    dummy = unet_dummy(2)
    ins = dict(zip(UNET_INPUTS, [d.numpy() for d in dummy]))
    add("base/unet/model.onnx", ins, {"out_sample": f["unet"](*dummy).numpy()})
    add("dmd2/unet/model.onnx", ins, {"out_sample": f["student"](*dummy).numpy()})
    lat = torch.randn(2, 4, 8, 8) / 0.13025
    add("base/vae_decoder/model.onnx", {"latent_sample": lat.numpy()}, {"sample": f["decoder"](lat).numpy()})
    px = torch.rand(2, 3, 64, 64) * 2 - 1
    add("clip/image/model.onnx", {"pixel_values": px.numpy()}, {"image_embeds": f["clip_image"](px).numpy()})
    ids = tok1.encode_batch(prompts)
    add("clip/text/model.onnx", {"input_ids": ids}, {"text_embeds": f["clip_text"](torch.from_numpy(ids)).numpy()})
    with open(os.path.join(CHECK, "manifest.txt"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
