#!/usr/bin/python3
"""Writes the tiny SDXL-signature test models to udf/src/test/resources/tiny-sdxl/.

Rerun (from the repository root, Debian's python, CPU, deterministic):
    /usr/bin/python3 tools/testmodels/make_tiny_sdxl.py [--check-fixtures DIR]
(tools/testmodels/regenerate.sh runs this and reference_pipeline.py.)

---------------------------------------------------------------------------------------------------
What an Optimum SDXL ONNX export looks like -- read from huggingface/optimum
(optimum/exporters/onnx/model_configs.py, optimum/exporters/utils.py, exporters/onnx/convert.py,
utils/input_generators.py, history up to the move to optimum-onnx in Aug 2025) and
huggingface/optimum-onnx (same files, Apr 2026), for
`optimum-cli export onnx --model stabilityai/stable-diffusion-xl-base-1.0 out/`:

Layout (convert.py, library "diffusers"): model_index.json (pipeline.save_config:
StableDiffusionXLPipeline, force_zeros_for_empty_prompt true); scheduler/scheduler_config.json;
tokenizer/ and tokenizer_2/ (CLIPTokenizer.save_pretrained: vocab.json, merges.txt,
tokenizer_config.json, special_tokens_map.json; tokenizer_2 pads with "!"); text_encoder/,
text_encoder_2/, unet/, vae_encoder/, vae_decoder/ each with model.onnx and config.json (the
sub-model's config; vae_* get the AutoencoderKL config with scaling_factor 0.13025). Weights over
2 GB (the fp32 UNet) are stored next to the graph in model.onnx_data. Opset 14 for all
(DEFAULT_ONNX_OPSET = 14), do_constant_folding on.

text_encoder (CLIPTextModel, "clip-text"): input_ids [batch_size, sequence_length] ->
  last_hidden_state [B,S,768], pooler_output [B,768], hidden_states.0..12 [B,S,768] (the SDXL export
  sets output_hidden_states=True). Outputs in that order.
text_encoder_2 (CLIPTextModelWithProjection, "clip-text-with-projection"): input_ids ->
  text_embeds [B,1280], last_hidden_state, hidden_states.0..32. NOTE: Optimum declares text_embeds'
  dynamic axes as {0: batch_size, 1: sequence_length}, so in the file its shape is
  [batch_size, sequence_length] -- the pooled width is NOT readable from that output's metadata
  (read it from the unet's text_embeds input). Reproduced here.
input_ids dtype: the dummy int dtype is int64, but until optimum 1.24 (commit a7a807c9, Nov 2024,
  "SD3 and Flux support") CLIPTextOnnxConfig (text_encoder only; the cast sat in the subclass)
  cast input_ids to int32: older exports have text_encoder int32 and text_encoder_2 int64; newer
  exports have int64 for both.
unet ("unet-2d-condition"), inputs in this order: sample [batch_size,4,height,width], timestep,
  encoder_hidden_states [batch_size,sequence_length,2048], text_embeds [batch_size,1280],
  time_ids [batch_size,6] (the last two because addition_embed_type == "text_time"; time_ids is 5
  wide for refiner configs with requires_aesthetics_score) -> out_sample [batch_size,4,height,width].
  timestep: older exports int64 of shape ["steps"] (a [batch] int dummy; the graph broadcasts a
  length-1 or length-B vector to the batch as diffusers' timesteps.expand(B) does); since a7a807c9
  a float scalar (rank 0, shape []) of the export's float dtype (FLOAT16 in fp16 exports).
vae_decoder: latent_sample [batch_size,4,latent_height,latent_width] -> sample
  [batch_size,3,"latent_height * 8","latent_width * 8"] (older names: height_latent/width_latent ->
  height/width) = vae.decode(z): post_quant_conv + decoder, no scaling (the caller divides by
  scaling_factor).
vae_encoder: sample [batch_size,3,sample_height,sample_width] -> latent_parameters [B,8,h/8,w/8]
  (mean ++ logvar; before Oct 2024, d3c56cd5, it returned latent_sample). seedgrid does not use it.
fp16 (`--dtype fp16`, formerly `--fp16 --device cuda`): the whole pipeline is loaded in float16 and
  the dummies are float16, so every float input and output of every sub-model is FLOAT16 -- the
  VAE too (Optimum does not keep it in fp32; diffusers' torch pipeline upcasts the SDXL VAE at run
  time, an ONNX export cannot). diffusers computes the sinusoidal timestep embeddings in float32
  inside an fp16 UNet (.float() ... .to(dtype)), so fp16 graphs keep small float32 islands there.
---------------------------------------------------------------------------------------------------

Variants written (all tiny; dims differ from SDXL on purpose, see tiny_sdxl.py):
  fp32/            older Optimum export: text_encoder input_ids int32, text_encoder_2 int64,
                   timestep int64 ["steps"], float32 everywhere.
  float-timestep/  newer Optimum export: input_ids int64 (both), timestep FLOAT scalar [];
                   same weights as fp32/ (same outputs for integer timesteps).
  fp16/            newer Optimum fp16 export: input_ids int64, timestep FLOAT16 scalar, every float
                   input/output FLOAT16, VAE included; weights = fp32/'s rounded to float16;
                   sinusoidal time embeddings computed in float32 inside the graph.
  external-data/   fp32/ with the UNet's weights in unet/model.onnx_data (all tensors, one file).
  dmd2-unet-only/  only unet/ (+ config.json): fp32/'s UNet topology (same initializer names and
                   shapes), other seeded weights -- a stand-in DMD2 UNet that borrows the rest.
  broken-signature/ fp32/ but the UNet expects encoder_hidden_states [B,77,96] while the text
                   encoders give 32 + 48 = 80.

--check-fixtures DIR also writes, for the Java verification tools (not committed): inputs and
torch outputs of every sub-model of every variant (raw little-endian files + manifest.txt, for
CheckOnnx.java), a UNet blended initializer by initializer at alpha 0.5 (blend0.5-unet/, for
CheckPipeline.java) and a Hugging Face tokenizer.json over our vocabulary with expected ids
(fast-tokenizer/, for CheckTokenizer.java).
"""
import argparse
import copy
import io
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_sdxl as T  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(REPO, "udf", "src", "test", "resources", "tiny-sdxl")
OPSET = 14


# ----------------------------------------------------------------------------------------------
# Export
def export(module, args, input_names, output_names, dynamic_axes):
    f = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, args, f, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    model = onnx.load_from_string(f.getvalue())
    # torch 1.13 loses some static dims through the dynamic slicing (the text encoders' hidden
    # width came out as "Addlast_hidden_state_dim_2"): every axis not declared dynamic gets the
    # size torch computes, as in a real export ([B,S,768] for CLIP-L).
    with torch.no_grad():
        outs = module(*args)
    outs = (outs,) if isinstance(outs, torch.Tensor) else outs
    for vi, out in zip(model.graph.output, outs):
        for axis, dim in enumerate(vi.type.tensor_type.shape.dim):
            if axis not in dynamic_axes.get(vi.name, {}):
                dim.Clear()
                dim.dim_value = out.shape[axis]
    onnx.checker.check_model(model)
    return model


def export_text_encoder(te, ids_dtype):
    ids = torch.tensor([T.tokenize_simple("a red cube", VOCAB, "!")] * 2, dtype=ids_dtype)
    names = te.output_names()
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}}
    for n in names:
        # Optimum: text_embeds {0: batch_size, 1: sequence_length} (sic), pooler_output {0: batch_size}
        axes[n] = {0: "batch_size"} if n == "pooler_output" else {0: "batch_size", 1: "sequence_length"}
    return export(te, (ids,), ["input_ids"], names, axes)


def export_unet(unet, timestep_style):
    b = 2
    sample = torch.randn(b, 4, 8, 8)
    if timestep_style == "int64-steps":
        timestep, t_axes = torch.tensor([500, 500], dtype=torch.int64), {0: "steps"}
    else:
        timestep, t_axes = torch.tensor(500.0), {}
    ctx = torch.randn(b, 77, unet.attn_mid.to_k.in_features)
    args = (sample, timestep, ctx, torch.randn(b, T.POOLED_DIM), torch.randn(b, T.TIME_IDS))
    names = ["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"]
    axes = {"sample": {0: "batch_size", 2: "height", 3: "width"}, "timestep": t_axes,
            "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
            "text_embeds": {0: "batch_size"}, "time_ids": {0: "batch_size"},
            "out_sample": {0: "batch_size", 2: "height", 3: "width"}}
    return export(unet, args, names, ["out_sample"], axes)


def export_vae_decoder(vae, new_names):
    h, w = ("latent_height", "latent_width") if new_names else ("height_latent", "width_latent")
    oh, ow = ("latent_height * 8", "latent_width * 8") if new_names else ("height", "width")
    return export(vae, (torch.randn(1, 4, 8, 8),), ["latent_sample"], ["sample"],
                  {"latent_sample": {0: "batch_size", 2: h, 3: w}, "sample": {0: "batch_size", 2: oh, 3: ow}})


def export_vae_encoder(vae):
    return export(vae, (torch.randn(1, 3, 64, 64),), ["sample"], ["latent_parameters"],
                  {"sample": {0: "batch_size", 2: "sample_height", 3: "sample_width"},
                   "latent_parameters": {0: "batch_size", 2: "sample_height / 8", 3: "sample_width / 8"}})


# ----------------------------------------------------------------------------------------------
# float32 -> float16 graph conversion (our own; onnxconverter-common is not available here).
# Every FLOAT tensor becomes FLOAT16 (inputs, outputs, initializers, Constant/ConstantOfShape
# values, Cast targets) except: nodes whose name starts with a KEEP_FP32 prefix (the sinusoidal
# embeddings, computed in float32 as diffusers does) and Resize's roi/scales inputs (float only by
# the ONNX spec). Cast nodes are inserted where float32 and float16 regions meet.
KEEP_FP32_PREFIXES = ("/time_proj/", "/add_time_proj/")
FLOAT_ONLY_INPUTS = {("Resize", 1), ("Resize", 2)}


def to_fp16(model):
    model = onnx.shape_inference.infer_shapes(model)
    g = model.graph
    elem = {vi.name: vi.type.tensor_type.elem_type for vi in list(g.input) + list(g.output) + list(g.value_info)}
    for init in g.initializer:
        elem[init.name] = init.data_type
    for node in g.node:
        if node.op_type == "Constant":
            elem[node.output[0]] = node.attribute[0].t.data_type
    consumers = {}
    for node in g.node:
        for i, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, i))

    def island(node):
        return node.name.startswith(KEEP_FP32_PREFIXES)

    def wants_fp16(node, i):
        return not island(node) and (node.op_type, i) not in FLOAT_ONLY_INPUTS

    def source_is_fp16(name):   # initializers and Constant outputs follow their consumers
        return any(wants_fp16(n, i) for n, i in consumers.get(name, []))

    is16 = {}
    for vi in g.input:
        if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
            vi.type.tensor_type.elem_type = TensorProto.FLOAT16
            is16[vi.name] = True
    for k, init in enumerate(g.initializer):
        if init.data_type == TensorProto.FLOAT:
            is16[init.name] = source_is_fp16(init.name)
            if is16[init.name]:
                arr = numpy_helper.to_array(init).astype(np.float16)
                g.initializer[k].CopyFrom(numpy_helper.from_array(arr, init.name))

    new_nodes, casts = [], {}

    def cast(name, to16):
        key = (name, to16)
        if key not in casts:
            out = name + ("_fp16" if to16 else "_fp32")
            new_nodes.append(helper.make_node("Cast", [name], [out], name=out,
                                              to=TensorProto.FLOAT16 if to16 else TensorProto.FLOAT))
            casts[key] = out
        return casts[key]

    for node in g.node:
        for i, name in enumerate(node.input):
            if name in is16 and is16[name] != wants_fp16(node, i):
                node.input[i] = cast(name, wants_fp16(node, i))
        if node.op_type == "Constant" and node.attribute[0].t.data_type == TensorProto.FLOAT:
            to16 = source_is_fp16(node.output[0])
            if to16:
                arr = numpy_helper.to_array(node.attribute[0].t).astype(np.float16)
                node.attribute[0].t.CopyFrom(numpy_helper.from_array(arr))
            is16[node.output[0]] = to16
            new_nodes.append(node)
            continue
        if not island(node):
            for attr in node.attribute:
                if node.op_type == "Cast" and attr.name == "to" and attr.i == TensorProto.FLOAT:
                    attr.i = TensorProto.FLOAT16
                if node.op_type == "ConstantOfShape" and attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    attr.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(attr.t).astype(np.float16)))
        for out in node.output:
            if out not in elem:
                raise RuntimeError(f"no type for {out} ({node.op_type} {node.name})")
            if elem[out] == TensorProto.FLOAT:
                is16[out] = not island(node)
        new_nodes.append(node)
    for vi in g.output:
        if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
            assert is16[vi.name], f"graph output {vi.name} comes from a float32 island"
            vi.type.tensor_type.elem_type = TensorProto.FLOAT16
    del g.node[:]
    g.node.extend(new_nodes)
    del g.value_info[:]
    onnx.checker.check_model(model)
    return model


# ----------------------------------------------------------------------------------------------
# Configuration files (values of stabilityai/stable-diffusion-xl-base-1.0 where they describe the
# pipeline; tiny sizes where they describe our stand-ins).
SCHEDULER_CONFIG = {
    "_class_name": "EulerDiscreteScheduler", "_diffusers_version": "0.19.0.dev0",
    "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False,
    "interpolation_type": "linear", "num_train_timesteps": 1000, "prediction_type": "epsilon",
    "sample_max_value": 1.0, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
    "timestep_spacing": "leading", "trained_betas": None, "use_karras_sigmas": False,
}
MODEL_INDEX = {
    "_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.19.0.dev0",
    "force_zeros_for_empty_prompt": True, "add_watermarker": None,
    "scheduler": ["diffusers", "EulerDiscreteScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
    "tokenizer": ["transformers", "CLIPTokenizer"], "tokenizer_2": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
}
NOTE = "seedgrid tiny SDXL-signature test model (tools/testmodels/make_tiny_sdxl.py); not a real model"


def text_encoder_config(vocab_size, two, dtype):
    cfg = {
        "_name_or_path": NOTE,
        "architectures": ["CLIPTextModelWithProjection" if two else "CLIPTextModel"],
        "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0, "eos_token_id": 2,
        "hidden_act": "gelu" if two else "quick_gelu",
        "hidden_size": T.TE2_HIDDEN if two else T.TE1_HIDDEN,
        "initializer_factor": 1.0, "initializer_range": 0.02, "intermediate_size": T.MLP_HIDDEN,
        "layer_norm_eps": 1e-05, "max_position_embeddings": T.MAX_LENGTH, "model_type": "clip_text_model",
        "num_attention_heads": T.ATTN_HEADS, "num_hidden_layers": T.TE2_LAYERS if two else T.TE1_LAYERS,
        "output_hidden_states": True, "pad_token_id": 1,
        "projection_dim": T.POOLED_DIM if two else T.TE1_HIDDEN,
        "torch_dtype": dtype, "vocab_size": vocab_size,
    }
    return cfg


def unet_config(context_dim, dtype):
    return {
        "_class_name": "UNet2DConditionModel", "_diffusers_version": "0.19.0.dev0", "_name_or_path": NOTE,
        "act_fn": "silu", "addition_embed_type": "text_time", "addition_time_embed_dim": T.ADD_TIME_DIM,
        "block_out_channels": [T.UNET_CH], "cross_attention_dim": context_dim, "flip_sin_to_cos": True,
        "freq_shift": 0, "in_channels": 4, "norm_num_groups": 4, "out_channels": 4,
        "projection_class_embeddings_input_dim": T.POOLED_DIM + T.TIME_IDS * T.ADD_TIME_DIM,
        "requires_aesthetics_score": False, "sample_size": 8, "text_encoder_projection_dim": T.POOLED_DIM,
        "time_cond_proj_dim": None, "torch_dtype": dtype,
    }


def vae_config(dtype):
    return {
        "_class_name": "AutoencoderKL", "_diffusers_version": "0.19.0.dev0", "_name_or_path": NOTE,
        # force_upcast makes diffusers cast an fp16 VAE to fp32 as a torch module; an ONNX decoder cannot be
        # cast, and Optimum's ORTStableDiffusionXLPipeline fails on it: only the fp32 variants may say true
        "act_fn": "silu", "block_out_channels": [T.VAE_CH] * 4, "force_upcast": dtype == "float32", "in_channels": 3,
        "latent_channels": 4, "norm_num_groups": 2, "out_channels": 3, "sample_size": 64,
        "scaling_factor": T.VAE_SCALING_FACTOR, "torch_dtype": dtype,
        "up_block_types": ["UpDecoderBlock2D"] * 4, "down_block_types": ["DownEncoderBlock2D"] * 4,
    }


def special(content):
    return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def write_json(path, obj, sort_keys=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False, sort_keys=sort_keys)
        f.write("\n")


def write_tokenizer(dirpath, pad):
    """As CLIPTokenizer.save_pretrained writes them: vocab.json sorted by token (not by id),
    merges.txt in rank order after a "#version: 0.2" header, pad_token a plain string."""
    os.makedirs(dirpath, exist_ok=True)
    write_json(os.path.join(dirpath, "vocab.json"), VOCAB, sort_keys=True)
    with open(os.path.join(dirpath, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in MERGES:
            f.write(f"{a} {b}\n")
    write_json(os.path.join(dirpath, "special_tokens_map.json"), {
        "bos_token": special("<|startoftext|>"), "eos_token": special("<|endoftext|>"),
        "pad_token": pad, "unk_token": special("<|endoftext|>")})
    write_json(os.path.join(dirpath, "tokenizer_config.json"), {
        "add_prefix_space": False, "bos_token": special("<|startoftext|>"), "clean_up_tokenization_spaces": True,
        "do_lower_case": True, "eos_token": special("<|endoftext|>"), "errors": "replace",
        "model_max_length": T.MAX_LENGTH, "pad_token": pad, "tokenizer_class": "CLIPTokenizer",
        "unk_token": special("<|endoftext|>")})


def compact_names(model):
    """Renames intermediate tensors to t0, t1, ... and drops node names (a third of the file was
    names like /layers.0/norm1/ReduceMean_output_0). Graph inputs, outputs and initializers keep
    their names (initializer names are what weight blending matches on)."""
    model = copy.deepcopy(model)
    g = model.graph
    keep = {v.name for v in g.input} | {v.name for v in g.output} | {i.name for i in g.initializer}
    names = {}
    for node in g.node:
        node.name = ""
        for seq in (node.input, node.output):
            for k, name in enumerate(seq):
                if name and name not in keep:
                    seq[k] = names.setdefault(name, f"t{len(names)}")
    del g.value_info[:]
    return model


def save(model, path, external=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model = compact_names(model)
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx_data", size_threshold=0)
    else:
        onnx.save_model(model, path)


def write_variant(name, models, dtype, unet_context=T.TOKEN_DIM, external_unet=False, only_unet=False):
    root = os.path.join(OUT, name)
    shutil.rmtree(root, ignore_errors=True)
    save(models["unet"], os.path.join(root, "unet", "model.onnx"), external=external_unet)
    write_json(os.path.join(root, "unet", "config.json"), unet_config(unet_context, dtype))
    if only_unet:
        return
    for sub in ("text_encoder", "text_encoder_2", "vae_decoder", "vae_encoder"):
        save(models[sub], os.path.join(root, sub, "model.onnx"))
    write_json(os.path.join(root, "text_encoder", "config.json"), text_encoder_config(len(VOCAB), False, dtype))
    write_json(os.path.join(root, "text_encoder_2", "config.json"), text_encoder_config(len(VOCAB), True, dtype))
    write_json(os.path.join(root, "vae_decoder", "config.json"), vae_config(dtype))
    write_json(os.path.join(root, "vae_encoder", "config.json"), vae_config(dtype))
    write_tokenizer(os.path.join(root, "tokenizer"), "<|endoftext|>")
    write_tokenizer(os.path.join(root, "tokenizer_2"), "!")
    write_json(os.path.join(root, "scheduler", "scheduler_config.json"), SCHEDULER_CONFIG)
    write_json(os.path.join(root, "model_index.json"), MODEL_INDEX)


# ----------------------------------------------------------------------------------------------
# Check fixtures for CheckOnnx.java: inputs + torch outputs per sub-model.
class Fixtures:
    def __init__(self, root):
        self.root = root
        self.lines = []
        self.n = 0
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)

    def _tensor(self, kind, name, arr):
        dtype = {np.dtype(np.float32): "float32", np.dtype(np.float16): "float16",
                 np.dtype(np.int32): "int32", np.dtype(np.int64): "int64"}[arr.dtype]
        self.n += 1
        fname = f"t{self.n}.bin"
        arr.astype(arr.dtype.newbyteorder("<")).tofile(os.path.join(self.root, fname))
        shape = ",".join(str(d) for d in arr.shape) or "scalar"
        self.lines.append(f"{kind} {name} {dtype} {shape} {fname}")

    def case(self, label, model_path, inputs, outputs):
        self.lines.append(f"model {label} {model_path}")
        for k, v in inputs.items():
            self._tensor("in", k, v)
        for k, v in outputs.items():
            self._tensor("out", k, v)
        self.lines.append("run")

    def close(self):
        with open(os.path.join(self.root, "manifest.txt"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


def torch_outputs(module, names, args):
    with torch.no_grad():
        outs = module(*args)
    if isinstance(outs, torch.Tensor):
        outs = (outs,)
    return {n: o.numpy() for n, o in zip(names, outs)}


def add_fixtures(fx, variant, mods, style):
    """style: dict(ids1=np dtype, ids2=np dtype, timestep='int64-steps'|'float', fp16=bool)"""
    fp16 = style["fp16"]
    if fp16:
        mods = {k: T.round_weights_to_fp16(m) for k, m in mods.items()}

    def f(x):   # float input as fed to the ONNX model, and the float32 value torch sees
        return (x.astype(np.float16), torch.from_numpy(x.astype(np.float16).astype(np.float32))) if fp16 \
            else (x.astype(np.float32), torch.from_numpy(x.astype(np.float32)))

    def outs(d):
        return {k: (v.astype(np.float16) if fp16 else v) for k, v in d.items()}
    base = os.path.join(OUT, variant)
    prompts = ["a red cube on a blue floor", "blurry low quality"]
    for sub, key, pad in (("text_encoder", "ids1", "<|endoftext|>"), ("text_encoder_2", "ids2", "!")):
        if sub not in mods:
            continue
        ids = np.array([T.tokenize_simple(p, VOCAB, pad) for p in prompts], dtype=style[key])
        te = mods[sub]
        o = torch_outputs(te, te.output_names(), (torch.from_numpy(ids.astype(np.int64)),))
        fx.case(f"{variant}/{sub}", os.path.join(base, sub, "model.onnx"), {"input_ids": ids}, outs(o))
    rng = np.random.RandomState(7)
    ctx_dim = mods["unet"].attn_mid.to_k.in_features
    # int64 ["steps"] timesteps: one per batch row, or a single one broadcast to the batch.
    for (b, h, w), tvals in (((2, 8, 8), (751, 251)), ((2, 8, 8), (501,)), ((1, 6, 10), (958,))):
        sample, sample_t = f(rng.randn(b, 4, h, w))
        ctx, ctx_t = f(rng.randn(b, 77, ctx_dim))
        pooled, pooled_t = f(rng.randn(b, T.POOLED_DIM))
        tids, tids_t = f(np.array([[8 * h, 8 * w, 0, 0, 8 * h, 8 * w]] * b))
        if style["timestep"] == "int64-steps":
            ts = np.array(tvals, dtype=np.int64)
            ts_t = torch.from_numpy(ts)
        else:   # scalar: one value for the whole batch
            ts = np.array(float(tvals[0]), dtype=np.float16 if fp16 else np.float32)
            ts_t = torch.tensor(float(tvals[0]))
        o = torch_outputs(mods["unet"], ["out_sample"], (sample_t, ts_t, ctx_t, pooled_t, tids_t))
        fx.case(f"{variant}/unet/{b}x{h}x{w}/t{list(ts.shape)}", os.path.join(base, "unet", "model.onnx"),
                {"sample": sample, "timestep": ts, "encoder_hidden_states": ctx, "text_embeds": pooled,
                 "time_ids": tids}, outs(o))
    if "vae_decoder" in mods:
        for shape in ((2, 4, 8, 8), (1, 4, 6, 10)):
            z, z_t = f(rng.randn(*shape) * 8.0)
            o = torch_outputs(mods["vae_decoder"], ["sample"], (z_t,))
            fx.case(f"{variant}/vae_decoder/{shape[2]}x{shape[3]}", os.path.join(base, "vae_decoder", "model.onnx"),
                    {"latent_sample": z}, outs(o))
        img, img_t = f(rng.rand(1, 3, 64, 48) * 2 - 1)
        o = torch_outputs(mods["vae_encoder"], ["latent_parameters"], (img_t,))
        fx.case(f"{variant}/vae_encoder", os.path.join(base, "vae_encoder", "model.onnx"), {"sample": img}, outs(o))


TOKENIZER_TEXTS = ["a red cube on a blue floor", "A  Red cube", "blurry low quality", "", "hello world!",
                   "a cat's hat, 3 dogs", "astronauts riding horses", "zebra sunset-lake"]


def write_fast_tokenizer_check(root):
    """tokenizer.json in the layout of openai/clip-vit-large-patch14's fast tokenizer (Hugging Face
    tokenizers: NFC + whitespace collapse + lowercase, CLIP split regex, byte-level, BPE with
    "</w>" end-of-word suffix, bos/eos post-processor) over our vocab.json/merges.txt, plus the
    ids our Python BPE gives; CheckTokenizer.java compares them with DJL's Rust tokenizer. Only
    for verification: Optimum's SDXL exports carry no tokenizer.json."""
    bos, eos = VOCAB["<|startoftext|>"], VOCAB["<|endoftext|>"]
    added = [{"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False, "normalized": True,
              "special": True} for c, i in (("<|startoftext|>", bos), ("<|endoftext|>", eos))]
    split = (r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]"
             r"|[^\s\p{L}\p{N}]+")
    fast = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": " "}, {"type": "Lowercase"}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": split}, "behavior": "Removed", "invert": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "RobertaProcessing", "sep": ["<|endoftext|>", eos], "cls": ["<|startoftext|>", bos],
                           "trim_offsets": False, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<|endoftext|>", "continuing_subword_prefix": "",
                  "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                  "vocab": VOCAB, "merges": [f"{a} {b}" for a, b in MERGES]},
    }
    os.makedirs(os.path.join(root, "fast-tokenizer"), exist_ok=True)
    write_json(os.path.join(root, "fast-tokenizer", "tokenizer.json"), fast)
    with open(os.path.join(root, "fast-tokenizer", "expected.tsv"), "w", encoding="utf-8") as f:
        for text in TOKENIZER_TEXTS:
            ids = T.tokenize_bpe(text, VOCAB, MERGES, "<|endoftext|>")
            ids = ids[: ids.index(eos) + 1]
            f.write(text + "\t" + " ".join(map(str, ids)) + "\n")


# ----------------------------------------------------------------------------------------------
VOCAB, MERGES = T.build_tokenizer()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check-fixtures", metavar="DIR", help="also write ORT check fixtures to DIR")
    args = ap.parse_args()
    torch.manual_seed(0)   # only the export's dummy inputs use the global generator
    v = len(VOCAB)
    te1, te2 = T.make_text_encoder_1(v), T.make_text_encoder_2(v)
    unet, vae_dec, vae_enc = T.make_unet(), T.make_vae_decoder(), T.make_vae_encoder()
    unet_dmd2 = T.make_unet(seed=T.SEED_UNET_DMD2)
    unet_broken = T.make_unet(seed=T.SEED_UNET_BROKEN, context_dim=96)
    mods = {"text_encoder": te1, "text_encoder_2": te2, "unet": unet, "vae_decoder": vae_dec, "vae_encoder": vae_enc}

    old = {"text_encoder": export_text_encoder(te1, torch.int32), "text_encoder_2": export_text_encoder(te2, torch.int64),
           "unet": export_unet(unet, "int64-steps"), "vae_decoder": export_vae_decoder(vae_dec, new_names=False),
           "vae_encoder": export_vae_encoder(vae_enc)}
    new = {"text_encoder": export_text_encoder(te1, torch.int64), "text_encoder_2": old["text_encoder_2"],
           "unet": export_unet(unet, "float"), "vae_decoder": export_vae_decoder(vae_dec, new_names=True),
           "vae_encoder": old["vae_encoder"]}
    half = {k: to_fp16(copy.deepcopy(m)) for k, m in new.items()}

    write_variant("fp32", old, "float32")
    write_variant("float-timestep", new, "float32")
    write_variant("fp16", half, "float16")
    write_variant("external-data", old, "float32", external_unet=True)
    write_variant("dmd2-unet-only", {"unet": export_unet(unet_dmd2, "int64-steps")}, "float32", only_unet=True)
    broken = dict(old, unet=export_unet(unet_broken, "int64-steps"))
    write_variant("broken-signature", broken, "float32", unet_context=96)

    # dmd2 must be blendable with fp32's UNet: identical initializer names, shapes and dtypes.
    def inits(path):
        m = onnx.load(path)
        return {i.name: (tuple(i.dims), i.data_type) for i in m.graph.initializer}
    assert inits(os.path.join(OUT, "fp32", "unet", "model.onnx")) == \
        inits(os.path.join(OUT, "dmd2-unet-only", "unet", "model.onnx")), "dmd2 UNet topology differs"

    if args.check_fixtures:
        fx = Fixtures(args.check_fixtures)
        i32, i64 = np.int32, np.int64
        add_fixtures(fx, "fp32", mods, dict(ids1=i32, ids2=i64, timestep="int64-steps", fp16=False))
        add_fixtures(fx, "float-timestep", mods, dict(ids1=i64, ids2=i64, timestep="float", fp16=False))
        add_fixtures(fx, "fp16", mods, dict(ids1=i64, ids2=i64, timestep="float", fp16=True))
        add_fixtures(fx, "external-data", {"unet": unet}, dict(timestep="int64-steps", fp16=False))
        add_fixtures(fx, "dmd2-unet-only", {"unet": unet_dmd2}, dict(timestep="int64-steps", fp16=False))
        add_fixtures(fx, "broken-signature", {"unet": unet_broken}, dict(timestep="int64-steps", fp16=False))
        fx.close()
        write_fast_tokenizer_check(args.check_fixtures)
        # A UNet blended initializer by initializer (what seedgrid's blend recipe does), for
        # CheckPipeline.java's blend case: W = W_fp32 + 0.5 (W_dmd2 - W_fp32).
        blended = onnx.load(os.path.join(OUT, "fp32", "unet", "model.onnx"))
        other = {i.name: numpy_helper.to_array(i) for i in
                 onnx.load(os.path.join(OUT, "dmd2-unet-only", "unet", "model.onnx")).graph.initializer}
        for k, init in enumerate(blended.graph.initializer):
            a = numpy_helper.to_array(init)
            if a.dtype == np.float32:
                blended.graph.initializer[k].CopyFrom(numpy_helper.from_array(a + 0.5 * (other[init.name] - a), init.name))
        save(blended, os.path.join(args.check_fixtures, "blend0.5-unet", "model.onnx"))

    total = 0
    for dirpath, _, files in os.walk(OUT):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    print(f"wrote {OUT} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
