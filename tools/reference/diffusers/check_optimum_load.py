#!/usr/bin/env python3
"""Loads SDXL folders in Optimum's ORTStableDiffusionXLPipeline and renders one small image with each:
the outside check behind `seedgrid inspect model`'s config keys (jobs/.../inspect/DiffusersConfigs.java).

    python tools/reference/diffusers/check_optimum_load.py DIR [DIR ...]

Needs optimum-onnx (see make_sdxl_fixtures.py for the stack). A UNet-only folder (DMD2) loads after
`seedgrid assemble DIR --out FULL`; pass FULL. Prints OK or FAIL per folder and exits 1 on any FAIL.
"""
import sys
import warnings


def main(folders):
    from optimum.onnxruntime import ORTStableDiffusionXLPipeline

    failed = 0
    for folder in folders:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                pipe = ORTStableDiffusionXLPipeline.from_pretrained(folder)
                image = pipe("a red circle", num_inference_steps=2, height=64, width=64, guidance_scale=5.0,
                             output_type="np").images[0]
            notes = sorted({str(w.message)[:100] for w in caught if "time_cond_proj_dim" in str(w.message)})
            print(f"OK   {folder}: {image.shape[1]}x{image.shape[0]} image{'; ' + '; '.join(notes) if notes else ''}")
        except Exception as error:  # noqa: BLE001 - report any loader failure by folder
            failed += 1
            print(f"FAIL {folder}: {type(error).__name__}: {str(error)[:300]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
