#!/usr/bin/env python3
"""Exports the DMD2 4-step SDXL UNet (Yin et al. 2024, tianweiy/DMD2) as a seedgrid "UNet-only" model:

    OUT/unet/model.onnx + model.onnx_data + config.json
    OUT/seedgrid-export.json     kind "unet-only"; "base": the base export it borrows text encoders,
                                 VAE, tokenizers and scheduler from (path relative to OUT)

Two routes to the same kind of UNet:
  --unet-weights [SPEC]  the released UNet weights (default tianweiy/DMD2/dmd2_sdxl_4step_unet_fp16.bin),
                         loaded strictly into the base checkpoint's UNet2DConditionModel
                         (the DMD2 model card: UNet2DConditionModel from the base config + load_state_dict);
  --lora [SPEC]          the 4-step LoRA (default tianweiy/DMD2/dmd2_sdxl_4step_lora_fp16.safetensors),
                         fused at --lora-scale (1.0, as the model card recommends) into the base UNet in
                         fp32 with diffusers' load_lora_weights + fuse_lora, then unload_lora_weights so
                         the UNet has exactly the base's modules and parameter names. Works with any
                         SDXL checkpoint as base.
SPEC is a local file or OWNER/REPO/FILE on the Hugging Face hub.

The UNet is exported by the same function as export_sdxl.py (exportlib.sdxl.export_components) with the
settings recorded in the base export's seedgrid-export.json (dtype, opset, device, int dtype, constant
folding, dynamic axes), and the script refuses package versions other than the base's. It then checks
that the new graph has the same topology as BASE/unet/model.onnx (check_same_topology.py) and that
its weights differ - seedgrid blends the two UNets initializer by initializer.

Requirements: the same as export_sdxl.py (tools/export/requirements-sdxl*.txt).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from exportlib import deps, outdir, provenance, sdxl, topology  # noqa: E402

DEFAULT_UNET_WEIGHTS = "tianweiy/DMD2/dmd2_sdxl_4step_unet_fp16.bin"
DEFAULT_LORA = "tianweiy/DMD2/dmd2_sdxl_4step_lora_fp16.safetensors"
# DMD2 model card: LCMScheduler, timesteps=[999, 749, 499, 249], guidance_scale=0 (no CFG)
DMD2_SAMPLING = {"sampler": "lcm", "timesteps": [999, 749, 499, 249], "guidance_scale": 0.0}
# packages whose version shapes the traced graph: the DMD2 export must use the base's
GRAPH_PACKAGES = ("torch", "diffusers", "transformers", "optimum", "optimum-onnx", "onnx")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Export the DMD2 4-step UNet (released weights or LoRA fused into a base) as a "
                    "UNet-only seedgrid model, with the base export's exact exporter settings.")
    parser.add_argument("--base-export", required=True, metavar="DIR",
                        help="the base model directory written by export_sdxl.py (its unet/ and seedgrid-export.json)")
    parser.add_argument("--out", required=True, help="output directory (must be new or empty)")
    route = parser.add_mutually_exclusive_group(required=True)
    route.add_argument("--unet-weights", nargs="?", const=DEFAULT_UNET_WEIGHTS, metavar="SPEC",
                       help=f"DMD2 UNet state dict (.bin or .safetensors); without a value: {DEFAULT_UNET_WEIGHTS}")
    route.add_argument("--lora", nargs="?", const=DEFAULT_LORA, metavar="SPEC",
                       help=f"DMD2 LoRA to fuse into the base UNet; without a value: {DEFAULT_LORA}")
    parser.add_argument("--lora-scale", type=float, default=1.0,
                        help="LoRA strength for --lora (default 1.0; seedgrid's blend recipe varies it later)")
    parser.add_argument("--weights-revision", help="hub revision of the SPEC repository")
    parser.add_argument("--base-model", metavar="ID_OR_PATH",
                        help="diffusers SDXL checkpoint of the base (default: the one recorded in the base export)")
    parser.add_argument("--revision", help="hub revision of --base-model (default: recorded)")
    parser.add_argument("--variant", help="weights variant of --base-model (default: recorded)")
    parser.add_argument("--single-file-config", metavar="ID_OR_PATH",
                        help="config for a single-file --base-model (default: recorded)")
    parser.add_argument("--device", help="tracing device (default: the base export's)")
    parser.add_argument("--fp16", action="store_true",
                        help="only for a base export without seedgrid-export.json: its UNet is fp16")
    parser.add_argument("--opset", type=int,
                        help="only for a base export without seedgrid-export.json: its opset "
                             f"(default {sdxl.DEFAULT_OPSET})")
    parser.add_argument("--allow-version-drift", action="store_true",
                        help="export even though installed packages differ from the base export's "
                             "(the topology check still decides)")
    parser.add_argument("--no-validate", action="store_true",
                        help="skip Optimum's ONNX Runtime vs PyTorch check on dummy inputs")
    parser.add_argument("--no-compare-values", action="store_true",
                        help="skip streaming both UNets' weights to confirm they differ")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    return parser.parse_args(argv)


def base_settings(record: dict | None, args) -> tuple[sdxl.ExportSettings, dict]:
    """Export settings and base source, from the base's seedgrid-export.json when it has one."""
    if record is None:
        if not args.base_model:
            raise SystemExit(f"error: {args.base_export} has no {provenance.PROVENANCE_FILE}; pass --base-model "
                             "(and --fp16/--opset/--device as the base was exported)")
        print(f"warning: {args.base_export} has no {provenance.PROVENANCE_FILE}: the exporter settings of its UNet "
              "are unknown; the topology check at the end decides", file=sys.stderr)
        settings = sdxl.ExportSettings(dtype="fp16" if args.fp16 else "fp32", vae_dtype="fp32",
                                       opset=args.opset or sdxl.DEFAULT_OPSET, device=args.device or "cpu")
        source = {"model": args.base_model, "revision": args.revision, "variant": args.variant,
                  "single_file_config": args.single_file_config}
        return settings, source
    if record.get("kind") != "sdxl":
        raise SystemExit(f"error: {args.base_export} is a {record.get('kind')!r} export, not an SDXL base")
    recorded = record["settings"]
    if args.fp16 and recorded["dtype"] != "fp16":
        raise SystemExit(f"error: --fp16 contradicts the base export, whose UNet is {recorded['dtype']}")
    if args.opset is not None and args.opset != recorded["opset"]:
        raise SystemExit(f"error: --opset {args.opset} contradicts the base export's opset {recorded['opset']}")
    device = args.device or recorded["device"]
    if device != recorded["device"]:
        print(f"warning: tracing on {device}, the base was traced on {recorded['device']}", file=sys.stderr)
    settings = sdxl.ExportSettings(
        dtype=recorded["dtype"], vae_dtype=recorded.get("vae_dtype", "fp32"), opset=recorded["opset"],
        device=device, int_dtype=recorded["int_dtype"], do_constant_folding=recorded["do_constant_folding"],
        dynamic_axes=recorded["dynamic_axes"])
    source = dict(record["source"])
    for key in ("revision", "variant", "single_file_config"):
        if getattr(args, key):
            source[key] = getattr(args, key)
    if args.base_model:
        source["model"] = args.base_model
    return settings, source


def check_versions(record: dict | None, allow: bool) -> None:
    if record is None:
        return
    base_versions = record.get("versions", {})
    drift = []
    for name in GRAPH_PACKAGES:
        have, had = deps.installed_version(name), base_versions.get(name)
        if had is not None and have != had:
            drift.append(f"{name}: base exported with {had}, installed {have}")
    if drift and not allow:
        raise SystemExit("error: the installed exporter stack differs from the base export's, so the two UNet "
                         "graphs may differ:\n  " + "\n  ".join(drift) +
                         "\ninstall the base's versions, or pass --allow-version-drift")
    for line in drift:
        print(f"warning: {line}", file=sys.stderr)


def resolve_file(spec: str, revision: str | None) -> str:
    """A local file, or OWNER/REPO/PATH downloaded from the Hugging Face hub (into its cache)."""
    if os.path.isfile(spec):
        return spec
    parts = spec.split("/")
    if len(parts) < 3:
        raise SystemExit(f"error: {spec} is neither a file nor OWNER/REPO/FILE on the hub")
    from huggingface_hub import hf_hub_download

    return hf_hub_download(repo_id="/".join(parts[:2]), filename="/".join(parts[2:]), revision=revision)


def load_state_dict(path: str) -> dict:
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file

        return load_file(path)
    import torch

    try:  # weights_only: a plain tensor dict (as DMD2's .bin) loads, arbitrary pickled code does not run
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - torch raises several unpickling error types
        raise SystemExit(f"error: cannot read {path} as a tensor state dict: {error}")
    if not isinstance(state, dict) or not all(hasattr(v, "shape") for v in state.values()):
        raise SystemExit(f"error: {path} is not a plain state dict of tensors")
    return state


def load_unet_weights(pipe, path: str) -> None:
    state = load_state_dict(path)
    try:
        pipe.unet.load_state_dict(state, strict=True)  # same modules as the base: same ONNX names
    except RuntimeError as error:
        message = str(error)
        raise SystemExit(f"error: {path} does not fit the base checkpoint's UNet (is the base an SDXL "
                         f"base model?):\n{message[:1500]}{' ...' if len(message) > 1500 else ''}")


def fuse_lora(pipe, path: str, scale: float) -> None:
    deps.require(["peft"], sdxl.REQUIREMENTS, "diffusers needs peft to load LoRAs")
    from peft.tuners.tuners_utils import BaseTunerLayer

    # folder + weight_name: a bare file path makes diffusers guess the name, which fails with HF_HUB_OFFLINE
    pipe.load_lora_weights(os.path.dirname(os.path.abspath(path)), weight_name=os.path.basename(path),
                           adapter_name="dmd2")
    for name in ("text_encoder", "text_encoder_2"):
        encoder = getattr(pipe, name)
        if any(isinstance(m, BaseTunerLayer) for m in encoder.modules()):
            print(f"warning: the LoRA also adapts {name}; a UNet-only model borrows the base's {name}, "
                  "so that part of the LoRA is not exported", file=sys.stderr)
    pipe.fuse_lora(components=["unet"], lora_scale=scale)
    pipe.unload_lora_weights()  # swaps each LoRA layer back for its (now fused) base layer
    leftovers = [n for n, m in pipe.unet.named_modules() if isinstance(m, BaseTunerLayer)]
    if leftovers:
        raise SystemExit(f"error: LoRA layers remain in the UNet after unloading, e.g. {leftovers[:3]}; "
                         "the graph would not match the base's")


def compare_with_base(base_unet: Path, new_unet: Path, values: bool) -> dict:
    model_a, model_b = topology.load_structure(str(base_unet)), topology.load_structure(str(new_unet))
    comparison = topology.compare_models(model_a, model_b, max_differences=5)
    result = {"base_unet": str(base_unet), "same_topology": comparison.identical,
              "differences": [str(d) for d in comparison.differences], "summary": str(comparison.summary_b)}
    print(f"\ntopology vs {base_unet}:")
    if comparison.identical:
        print("  SAME TOPOLOGY - the two UNets can be blended initializer by initializer")
    else:
        print(f"  DIFFERENT TOPOLOGY - first difference: {comparison.differences[0]}")
        for extra in comparison.differences[1:]:
            print(f"    also: {extra}")
    if values and comparison.identical:
        print("  comparing weights (streams both weight files) ...", flush=True)
        report = topology.compare_values(model_a, str(base_unet.parent), model_b, str(new_unet.parent))
        result["initializers_differing"] = len(report.differing)
        result["initializers_compared"] = report.compared
        print(f"  {len(report.differing)} of {report.compared} initializers differ from the base")
    return result


def run(args) -> int:
    base_dir = Path(args.base_export)
    base_unet = base_dir / "unet" / "model.onnx"
    if not base_unet.is_file():
        raise SystemExit(f"error: {base_unet} does not exist; export the base first with export_sdxl.py")
    out_path, base_path = Path(args.out).resolve(), base_dir.resolve()
    if out_path == base_path or base_path in out_path.parents or out_path in base_path.parents:
        raise SystemExit(f"error: --out {args.out} overlaps the base export {args.base_export}; use a sibling folder")
    record = provenance.read(base_dir)
    settings, base_source = base_settings(record, args)
    try:
        settings.check()
    except ValueError as error:
        raise SystemExit(f"error: {error}")
    modules = sdxl.import_stack()
    if settings.device.startswith("cuda") and not modules["torch"].cuda.is_available():
        raise SystemExit("error: the base was traced on CUDA but torch sees no CUDA GPU (pass --device to override)")
    if settings.half_on():
        try:
            sdxl.check_half_precision(modules["torch"], settings.device)
        except ValueError as error:
            raise SystemExit(f"error: {error}")
    check_versions(record, args.allow_version_drift)
    deps.warn_version_drift(sdxl.REQUIREMENTS)
    out = outdir.prepare(args.out, args.force)

    print(f"loading the base {base_source['model']} ...", flush=True)
    pipe = sdxl.load_pipeline(base_source["model"], base_source.get("revision"), base_source.get("variant"),
                              base_source.get("single_file_config"))
    before = sdxl.unet_fingerprints(pipe.unet)
    if args.unet_weights:
        path = resolve_file(args.unet_weights, args.weights_revision)
        print(f"loading DMD2 UNet weights {path} ...", flush=True)
        load_unet_weights(pipe, path)
        route = {"route": "unet-weights", "weights": args.unet_weights, "file": os.path.abspath(path)}
    else:
        path = resolve_file(args.lora, args.weights_revision)
        print(f"fusing the DMD2 LoRA {path} at scale {args.lora_scale} ...", flush=True)
        fuse_lora(pipe, path, args.lora_scale)
        route = {"route": "lora", "lora": args.lora, "file": os.path.abspath(path), "scale": args.lora_scale}
    changed = sdxl.changed_parameters(before, sdxl.unet_fingerprints(pipe.unet))
    if not changed:
        raise SystemExit("error: the UNet's weights did not change: the weights/LoRA did not apply to this base")
    print(f"{len(changed)} of {len(before)} UNet parameters differ from the base", flush=True)

    print(f"exporting unet ({settings.dtype}, opset {settings.opset}, {settings.device}) to {out} ...", flush=True)
    warnings = sdxl.export_components(pipe, out, ["unet"], settings, validate=not args.no_validate)
    check = compare_with_base(base_unet, out / "unet" / "model.onnx", values=not args.no_compare_values)
    signatures = sdxl.graph_signatures(out, ["unet"])
    record_out = provenance.make(
        kind="unet-only",
        source={**route, "base_model": sdxl.describe_source(base_source["model"]),
                "base_revision": base_source.get("revision"), "base_variant": base_source.get("variant")},
        settings={**settings.graph_settings(), "validated": not args.no_validate},
        requirements=sdxl.REQUIREMENTS,
        extra={"base": os.path.relpath(base_dir.resolve(), out.resolve()),
               "base_checkpoint": sdxl.describe_source(base_source["model"]),
               "components": ["unet"], "signatures": signatures, "parameters_changed": len(changed),
               "recommended_sampling": DMD2_SAMPLING, "topology_check": check,
               "validation_warnings": warnings},
    )
    provenance.write(out, record_out)

    print("\nexported graph:\n" + sdxl.format_signature("unet", signatures["unet"]))
    print("\nfiles:\n" + outdir.tree(out))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not check["same_topology"]:
        print("error: the DMD2 UNet graph is not topologically identical to the base's, so seedgrid cannot "
              "blend them (see README: pitfalls).", file=sys.stderr)
        return 1
    if check.get("initializers_differing") == 0:
        print("error: the exported UNet carries exactly the base's weights", file=sys.stderr)
        return 1
    print(f"\nnext: seedgrid inspect model {out}")
    return 0


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
