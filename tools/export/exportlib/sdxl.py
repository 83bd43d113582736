"""The one code path that exports SDXL components to ONNX, shared by export_sdxl.py (all components)
and export_dmd2_unet.py (the UNet only), so that both UNet graphs come out of identical exporter
settings and can be blended initializer by initializer.

It is the diffusers branch of Optimum's `onnx_export_from_model` (optimum-onnx 0.1.0,
optimum/exporters/onnx/convert.py) with the component list made explicit:
  optimum.exporters.utils.get_diffusion_models_for_export  -> (submodel, OnnxConfig) per component
  optimum.exporters.onnx.export_models                      -> torch.onnx (TorchScript exporter,
                                                               dynamo off), constant folding on,
                                                               Optimum's dynamic axes, weights over
                                                               2 GB in one `model.onnx_data`
  optimum.exporters.onnx.validate_models_outputs            -> ONNX Runtime vs PyTorch on dummy inputs
plus the files Optimum writes beside the graphs (component configs, scheduler, tokenizers,
model_index.json), i.e. the layout of `optimum-cli export onnx --model <sdxl> out/`.

The heavy packages are imported inside the functions (see deps.require).
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from . import deps

REQUIREMENTS = "requirements-sdxl.txt"
DEFAULT_MODEL = "stabilityai/stable-diffusion-xl-base-1.0"
FP16_FIX_VAE = "madebyollin/sdxl-vae-fp16-fix"
# optimum-onnx 0.1.0's OnnxConfig.DEFAULT_ONNX_OPSET; passed explicitly so that it is recorded and reused
DEFAULT_OPSET = 18
PIPELINE_COMPONENTS = ("text_encoder", "text_encoder_2", "unet", "vae_decoder")
OPTIONAL_COMPONENTS = ("vae_encoder",)
VAE_COMPONENTS = ("vae_encoder", "vae_decoder")
SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth")


@dataclass(frozen=True)
class ExportSettings:
    """Everything that shapes the exported graphs. The DMD2 UNet must be exported with the base's."""
    dtype: str  # "fp32" | "fp16": text encoders and UNet
    vae_dtype: str  # "fp32" | "fp16"
    opset: int
    device: str  # "cpu" | "cuda" (tracing device; fp16 needs cuda)
    int_dtype: str = "int64"  # input_ids
    do_constant_folding: bool = True
    dynamic_axes: bool = True  # Optimum's symbolic batch/height/width/sequence axes

    def graph_settings(self) -> dict:
        """The settings that must be equal for two UNet exports to be comparable."""
        record = asdict(self)
        record.pop("vae_dtype")
        return record

    def check(self) -> None:
        if self.dtype not in ("fp32", "fp16") or self.vae_dtype not in ("fp32", "fp16"):
            raise ValueError(f"dtype must be fp32 or fp16, got {self.dtype}/{self.vae_dtype}")

    def half_on(self) -> bool:
        return "fp16" in (self.dtype, self.vae_dtype)


def check_half_precision(torch, device: str) -> None:
    """fp16 exports trace the model in half precision on `device`. CUDA always can; the CPU can with
    torch's CPU half kernels (torch 2.x; Debian's 1.13 has no half conv2d or group norm on CPU), slowly
    for a real UNet. Raises ValueError naming the way out."""
    if device.startswith("cuda"):
        return
    try:
        x = torch.zeros(1, 4, 3, 3, dtype=torch.float16)
        torch.nn.functional.conv2d(x, torch.zeros(4, 4, 1, 1, dtype=torch.float16))
        torch.nn.functional.group_norm(x, 2)
    except RuntimeError as error:
        raise ValueError(f"fp16 exports trace the model in half precision, and torch {torch.__version__} cannot "
                         f"on the CPU ({error}): pass --device cuda, or use a torch with CPU half kernels") from None


def import_stack() -> dict:
    """torch, diffusers, transformers, Optimum's ONNX exporter and onnx, or a clear exit."""
    return deps.require(
        ["torch", "diffusers", "transformers", "onnx", "optimum.exporters.onnx", "optimum.exporters.utils",
         "accelerate", "safetensors"],
        REQUIREMENTS, f"on a machine with an NVIDIA GPU use {deps.requirements_path('requirements-sdxl-cuda.txt')}")


def torch_dtype(name: str):
    import torch

    return {"fp32": torch.float32, "fp16": torch.float16}[name]


def is_single_file(source: str) -> bool:
    return os.path.isfile(source) and source.lower().endswith(SINGLE_FILE_SUFFIXES)


def file_sha256(source: str) -> str | None:
    """SHA-256 of a single-file checkpoint (its first 10 hex digits are A1111's "Model hash" of that
    file), None for hub ids and diffusers folders."""
    if not is_single_file(source):
        return None
    import hashlib

    digest = hashlib.sha256()
    with open(source, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_source(source: str) -> str:
    """Local paths are recorded absolute, hub ids as given."""
    return os.path.abspath(source) if os.path.exists(source) else source


def load_pipeline(source: str, revision: str | None = None, variant: str | None = None,
                  single_file_config: str | None = None):
    """An SDXL pipeline in float32 from a hub id, a diffusers folder, or a single checkpoint file.
    Components are cast to the export dtypes later (LoRAs are fused in float32 first)."""
    import torch
    from diffusers import StableDiffusionXLPipeline

    if is_single_file(source):
        kwargs = {"torch_dtype": torch.float32}
        if single_file_config:
            kwargs["config"] = single_file_config
        pipe = StableDiffusionXLPipeline.from_single_file(source, **kwargs)
    else:
        if os.path.isfile(source):
            raise ValueError(f"{source} is a file but not a checkpoint ({', '.join(SINGLE_FILE_SUFFIXES)})")
        pipe = StableDiffusionXLPipeline.from_pretrained(source, torch_dtype=torch.float32, revision=revision,
                                                         variant=variant)
    if getattr(pipe, "text_encoder_2", None) is None or getattr(pipe, "unet", None) is None:
        raise ValueError(f"{source} did not load as an SDXL text-to-image pipeline (text_encoder_2/unet missing)")
    return pipe


def load_vae(source: str):
    import torch
    from diffusers import AutoencoderKL

    if is_single_file(source):
        return AutoencoderKL.from_single_file(source, torch_dtype=torch.float32)
    return AutoencoderKL.from_pretrained(source, torch_dtype=torch.float32)


def cast_for_export(pipe, settings: ExportSettings, components) -> None:
    """Puts each component that will be exported in its export dtype, on the tracing device."""
    main, vae = torch_dtype(settings.dtype), torch_dtype(settings.vae_dtype)
    for name in ("text_encoder", "text_encoder_2", "unet"):
        if name in components:
            getattr(pipe, name).to(device=settings.device, dtype=main)
    if any(c in components for c in VAE_COMPONENTS):
        pipe.vae.to(device=settings.device, dtype=vae)


def _save_component_config(submodel, directory: Path) -> None:
    # as onnx_export_from_model does for diffusers: diffusers models have save_config,
    # transformers models a config with save_pretrained
    if hasattr(submodel, "save_config"):
        submodel.save_config(directory)
    elif hasattr(submodel, "config") and hasattr(submodel.config, "save_pretrained"):
        submodel.config.save_pretrained(directory)


def export_components(pipe, output: str | os.PathLike, components, settings: ExportSettings,
                      validate: bool = True) -> list:
    """Exports the named components of `pipe` to output/<component>/model.onnx. Returns warnings
    (validation tolerance misses, which Optimum also reports as warnings only)."""
    from optimum.exporters.error_utils import AtolError, OutputMatchError
    from optimum.exporters.onnx import export_models, validate_models_outputs
    from optimum.exporters.tasks import TasksManager
    from optimum.exporters.utils import get_diffusion_models_for_export
    from optimum.utils import DEFAULT_DUMMY_SHAPES

    settings.check()
    unknown = [c for c in components if c not in PIPELINE_COMPONENTS + OPTIONAL_COMPONENTS]
    if unknown:
        raise ValueError(f"unknown components {unknown}")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    TasksManager.standardize_model_attributes(pipe)
    cast_for_export(pipe, settings, components)

    groups: dict = {}
    for name in components:
        float_dtype = settings.vae_dtype if name in VAE_COMPONENTS else settings.dtype
        groups.setdefault(float_dtype, []).append(name)

    input_shapes = dict(DEFAULT_DUMMY_SHAPES)
    warnings = []
    for float_dtype, names in groups.items():
        all_models = get_diffusion_models_for_export(pipe, int_dtype=settings.int_dtype,
                                                     float_dtype=float_dtype, exporter="onnx")
        selected = {name: all_models[name] for name in names}
        for name, (submodel, _) in selected.items():
            _save_component_config(submodel, output / name)
        subpaths = [os.path.join(name, "model.onnx") for name in selected]
        _, onnx_outputs = export_models(
            models_and_onnx_configs=selected,
            output_dir=output,
            opset=settings.opset,
            output_names=subpaths,
            device=settings.device,
            input_shapes=input_shapes,
            dtype=float_dtype,
            no_dynamic_axes=not settings.dynamic_axes,
            do_constant_folding=settings.do_constant_folding,
        )
        if validate:
            try:
                validate_models_outputs(
                    models_and_onnx_configs=selected,
                    onnx_named_outputs=onnx_outputs,
                    output_dir=output,
                    onnx_files_subpaths=subpaths,
                    input_shapes=input_shapes,
                    device=settings.device,
                    use_subprocess=False,
                )
            except (AtolError, OutputMatchError) as error:
                warnings.append(f"validation of {', '.join(names)} ({float_dtype}): {error}")
    return warnings


def save_pipeline_files(pipe, output: str | os.PathLike) -> None:
    """scheduler/, tokenizer/, tokenizer_2/ and model_index.json, as Optimum writes them."""
    output = Path(output)
    pipe.scheduler.save_pretrained(output / "scheduler")
    for name in ("tokenizer", "tokenizer_2"):
        tokenizer = getattr(pipe, name, None)
        if tokenizer is not None:
            tokenizer.save_pretrained(output / name)
    pipe.save_config(output)


def unet_fingerprints(unet) -> dict:
    """(sum, sum of |w|) per parameter in float64: cheap evidence that loading weights or fusing a
    LoRA really changed the UNet (diffusers only warns when a LoRA's keys match nothing)."""
    import torch

    prints = {}
    with torch.no_grad():
        for name, parameter in unet.named_parameters():
            p = parameter.detach().to(torch.float64)
            prints[name] = (float(p.sum()), float(p.abs().sum()))
    return prints


def changed_parameters(before: dict, after: dict) -> list:
    return [name for name, value in after.items() if before.get(name) != value]


def graph_signatures(output: str | os.PathLike, components) -> dict:
    from .torch_onnx import signature

    return {name: signature(Path(output) / name / "model.onnx") for name in components}


def format_signature(name: str, sig: dict) -> str:
    """One line per graph: inputs, and outputs (the first two and the last when there are many)."""
    def fmt(values):
        return ", ".join(f"{n} {dtype}[{','.join(str(d) for d in dims)}]" for n, dtype, dims in values)

    outputs = sig["outputs"]
    if len(outputs) > 4:
        shown = f"{fmt(outputs[:2])}, ... {len(outputs) - 3} more ..., {fmt(outputs[-1:])}"
    else:
        shown = fmt(outputs)
    return f"  {name}: ({fmt(sig['inputs'])}) -> ({shown})"
