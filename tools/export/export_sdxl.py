#!/usr/bin/env python3
"""Exports an SDXL checkpoint to the ONNX directory layout seedgrid loads (Optimum's SDXL layout):

    OUT/text_encoder/model.onnx        CLIP ViT-L text encoder   input_ids -> hidden_states.0..12, ...
    OUT/text_encoder_2/model.onnx(+_data)  OpenCLIP bigG          input_ids -> text_embeds, hidden_states.0..32, ...
    OUT/unet/model.onnx + model.onnx_data                         sample, timestep, encoder_hidden_states,
                                                                  text_embeds, time_ids -> out_sample
    OUT/vae_decoder/model.onnx                                    latent_sample -> sample
    OUT/{tokenizer,tokenizer_2,scheduler}/, model_index.json, <component>/config.json
    OUT/seedgrid-export.json           source, settings and package versions of this export

The checkpoint may be a hub id, a local diffusers folder, or a single .safetensors/.ckpt file.
Default: fp32 on CPU. `--fp16` (best with `--device cuda`) exports the text encoders and the UNet in fp16; the SDXL
VAE overflows in fp16 (activations beyond 65504 -> inf/NaN -> black images), so the VAE is then either
kept in fp32 (default, `--fp16-vae fp32`: the checkpoint's own VAE, pixel-identical to the fp32
export's decoder) or replaced by madebyollin/sdxl-vae-fp16-fix and exported in fp16
(`--fp16-vae fix`: about half the decoder's memory and time, slightly different pixels).

Requirements: pip install -r tools/export/requirements-sdxl.txt (CPU) or requirements-sdxl-cuda.txt.
The DMD2 UNet for this base is exported afterwards with export_dmd2_unet.py --base-export OUT.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from exportlib import deps, outdir, provenance, sdxl  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Export an SDXL checkpoint (hub id, diffusers folder or single file) to seedgrid's "
                    "ONNX model directory (Optimum's SDXL layout).")
    parser.add_argument("--model", default=sdxl.DEFAULT_MODEL,
                        help=f"hub id, local diffusers folder, or single .safetensors/.ckpt file "
                             f"(default {sdxl.DEFAULT_MODEL})")
    parser.add_argument("--out", required=True, help="output directory (must be new or empty)")
    parser.add_argument("--fp16", action="store_true",
                        help="export text encoders and UNet in fp16 (on --device cuda, or on the CPU with torch 2.x: slow for a real UNet); default fp32")
    parser.add_argument("--fp16-vae", choices=("fp32", "fix"), default="fp32",
                        help="with --fp16: keep the checkpoint's VAE in fp32 (default) or swap in "
                             f"{sdxl.FP16_FIX_VAE} and export it in fp16")
    parser.add_argument("--vae", metavar="ID_OR_PATH",
                        help="use this VAE instead of the checkpoint's (default with --fp16-vae fix: "
                             f"{sdxl.FP16_FIX_VAE})")
    parser.add_argument("--device", default="cpu", help="tracing device: cpu or cuda[:N] (default cpu)")
    parser.add_argument("--opset", type=int, default=sdxl.DEFAULT_OPSET,
                        help=f"ONNX opset (default {sdxl.DEFAULT_OPSET}, Optimum's default)")
    parser.add_argument("--revision", help="hub revision (branch, tag or commit) of --model")
    parser.add_argument("--variant", help="weights variant of --model to download, e.g. fp16 (loaded as fp32)")
    parser.add_argument("--single-file-config", metavar="ID_OR_PATH",
                        help="diffusers config repo/folder for a single-file --model (default: inferred by diffusers)")
    parser.add_argument("--with-vae-encoder", action="store_true",
                        help="also export vae_encoder/ (seedgrid does not use it; img2img tools do)")
    parser.add_argument("--no-validate", action="store_true",
                        help="skip Optimum's ONNX Runtime vs PyTorch check on dummy inputs")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    return parser.parse_args(argv)


def settings_from_args(args) -> sdxl.ExportSettings:
    dtype = "fp16" if args.fp16 else "fp32"
    vae_dtype = "fp16" if args.fp16 and args.fp16_vae == "fix" else "fp32"
    settings = sdxl.ExportSettings(dtype=dtype, vae_dtype=vae_dtype, opset=args.opset, device=args.device)
    settings.check()
    return settings


def vae_source(args) -> str | None:
    if args.vae:
        return args.vae
    if args.fp16 and args.fp16_vae == "fix":
        return sdxl.FP16_FIX_VAE
    return None


def run(args) -> int:
    if args.fp16_vae == "fix" and not args.fp16:
        raise SystemExit("--fp16-vae fix only applies to --fp16 exports")
    try:
        settings = settings_from_args(args)
    except ValueError as error:
        raise SystemExit(f"error: {error}")
    modules = sdxl.import_stack()
    torch = modules["torch"]
    if settings.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("error: --device cuda but torch sees no CUDA GPU (is the CUDA build of torch installed?)")
    if settings.half_on():
        try:
            sdxl.check_half_precision(torch, settings.device)
        except ValueError as error:
            raise SystemExit(f"error: {error}")
    deps.warn_version_drift(sdxl.REQUIREMENTS)
    out = outdir.prepare(args.out, args.force)

    print(f"loading {args.model} ...", flush=True)
    pipe = sdxl.load_pipeline(args.model, args.revision, args.variant, args.single_file_config)
    vae = vae_source(args)
    if vae:
        print(f"replacing the VAE with {vae} ...", flush=True)
        pipe.vae = sdxl.load_vae(vae)

    components = list(sdxl.PIPELINE_COMPONENTS) + (["vae_encoder"] if args.with_vae_encoder else [])
    print(f"exporting {', '.join(components)} ({settings.dtype}, VAE {settings.vae_dtype}, opset "
          f"{settings.opset}, {settings.device}) to {out} ...", flush=True)
    warnings = sdxl.export_components(pipe, out, components, settings, validate=not args.no_validate)
    sdxl.save_pipeline_files(pipe, out)

    signatures = sdxl.graph_signatures(out, components)
    record = provenance.make(
        kind="sdxl",
        source={"model": sdxl.describe_source(args.model), "sha256": sdxl.file_sha256(args.model),
                "revision": args.revision, "variant": args.variant,
                "single_file_config": args.single_file_config,
                "vae": sdxl.describe_source(vae) if vae else None},
        settings={**settings.graph_settings(), "vae_dtype": settings.vae_dtype,
                  "validated": not args.no_validate},
        requirements=sdxl.REQUIREMENTS,
        extra={"components": components, "signatures": signatures, "validation_warnings": warnings},
    )
    provenance.write(out, record)

    print("\nexported graphs:")
    for name in components:
        print(sdxl.format_signature(name, signatures[name]))
    print("\nfiles:\n" + outdir.tree(out))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"\nnext: seedgrid inspect model {out}")
    return 0


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
