"""Image preprocessing as declared in seedgrid-metric.json, and how it is read off a Hugging Face
image processor.

Contract fields (see notes/METRIC_CONTRACT.md): size, resize ("shortest_edge" | "squash"),
interpolation ("bicubic" | "bilinear"), crop ("center" | "none"), rescale, mean, std, and - only
where the model's processor resizes to a different size than it crops (DINOv2: 256 then 224) -
`resize_size`.

`reference_preprocess` is an executable statement of what those fields mean, following the slow
(PIL-based) Hugging Face image processors (transformers/image_processing_utils + image_transforms):
  1. convert to RGB, 8-bit;
  2. resize, on the 8-bit image with PIL and the named filter:
       shortest_edge: the short side becomes resize_size (default size) and the long side
                      int(resize_size * long / short)  (image_transforms.get_resize_output_image_size);
       squash:        both sides become size (torchvision Resize((S, S)), as DreamSim does);
  3. center crop to size x size with top = (h - size) // 2, left = (w - size) // 2
     (image_transforms.center_crop, floor division);
  4. x * rescale, then (x - mean) / std per channel, float32, CHW.
The metric exporters compare it with the model's own processor on real images, and the Java side can
use it as its reference.
"""
from __future__ import annotations

# PIL.Image.Resampling values, which transformers stores as `resample` (PILImageResampling).
_PIL_FILTERS = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}
SUPPORTED_INTERPOLATIONS = ("bicubic", "bilinear")
SUPPORTED_RESIZES = ("shortest_edge", "squash")
SUPPORTED_CROPS = ("center", "none")
RESCALE_1_255 = 1 / 255  # 0.00392156862745098, transformers' default rescale_factor


def interpolation_name(resample) -> str:
    value = int(getattr(resample, "value", resample))
    name = _PIL_FILTERS.get(value, f"filter #{value}")
    if name not in SUPPORTED_INTERPOLATIONS:
        raise ValueError(f"the processor resizes with PIL filter {name!r}; seedgrid's contract supports "
                         f"{', '.join(SUPPORTED_INTERPOLATIONS)} only")
    return name


def _edge(value) -> int:
    """A square `size` / `crop_size` of a processor: an int (legacy configs) or {height, width}."""
    if isinstance(value, int):
        return value
    if isinstance(value, dict) and "height" in value and "width" in value:
        if int(value["height"]) != int(value["width"]):
            raise ValueError(f"non-square size {value} is not supported by seedgrid's contract")
        return int(value["height"])
    raise ValueError(f"cannot read a square image size from {value!r}")


def from_hf_image_processor(processor) -> dict:
    """Contract preprocessing fields from a (slow) Hugging Face image processor such as
    CLIPImageProcessor or BitImageProcessor (attributes do_resize, size, resample, do_center_crop,
    crop_size, do_rescale, rescale_factor, do_normalize, image_mean, image_std)."""
    if not getattr(processor, "do_resize", True):
        raise ValueError("the processor does not resize; seedgrid needs a fixed input size")
    size_attr = processor.size
    if isinstance(size_attr, dict) and "shortest_edge" in size_attr:
        resize, resize_size = "shortest_edge", int(size_attr["shortest_edge"])
    elif isinstance(size_attr, int):  # legacy CLIP configs: "size": 224 means the shortest edge
        resize, resize_size = "shortest_edge", size_attr
    else:
        resize, resize_size = "squash", _edge(size_attr)
    if getattr(processor, "do_center_crop", False):
        crop, size = "center", _edge(processor.crop_size)
        if size > resize_size:
            raise ValueError(f"crop {size} larger than resize {resize_size} (the processor would pad)")
        if resize == "squash":
            if size != resize_size:
                raise ValueError(f"a square resize to {resize_size} followed by a {size} crop is not "
                                 "expressible in seedgrid's contract")
            crop = "none"  # cropping a square image to its own size does nothing
    else:
        if resize != "squash":
            raise ValueError("shortest-edge resize without a crop gives non-square inputs")
        crop, size = "none", resize_size
    rescale = float(processor.rescale_factor) if getattr(processor, "do_rescale", True) else 1.0
    if getattr(processor, "do_normalize", True):
        mean = [float(v) for v in processor.image_mean]
        std = [float(v) for v in processor.image_std]
    else:
        mean, std = [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]
    fields = {
        "size": size,
        "resize": resize,
        "interpolation": interpolation_name(processor.resample),
        "crop": crop,
        "rescale": rescale,
        "mean": mean,
        "std": std,
    }
    if resize == "shortest_edge" and resize_size != size:
        fields["resize_size"] = resize_size
    return validate_preprocessing(fields)


def validate_preprocessing(fields: dict) -> dict:
    """Checks the preprocessing fields of a contract; returns them unchanged."""
    problems = []
    if not isinstance(fields.get("size"), int) or fields["size"] <= 0:
        problems.append(f"size must be a positive int, got {fields.get('size')!r}")
    if fields.get("resize") not in SUPPORTED_RESIZES:
        problems.append(f"resize must be one of {SUPPORTED_RESIZES}, got {fields.get('resize')!r}")
    if fields.get("interpolation") not in SUPPORTED_INTERPOLATIONS:
        problems.append(f"interpolation must be one of {SUPPORTED_INTERPOLATIONS}, got {fields.get('interpolation')!r}")
    if fields.get("crop") not in SUPPORTED_CROPS:
        problems.append(f"crop must be one of {SUPPORTED_CROPS}, got {fields.get('crop')!r}")
    if fields.get("resize") == "shortest_edge" and fields.get("crop") != "center":
        problems.append("resize shortest_edge needs crop center (else the input is not square)")
    if "resize_size" in fields and (fields.get("resize") != "shortest_edge"
                                    or not isinstance(fields["resize_size"], int)
                                    or fields["resize_size"] < fields.get("size", 0)):
        problems.append(f"resize_size {fields['resize_size']!r} needs resize shortest_edge and >= size")
    if not isinstance(fields.get("rescale"), float) or fields["rescale"] <= 0:
        problems.append(f"rescale must be a positive float, got {fields.get('rescale')!r}")
    for key in ("mean", "std"):
        values = fields.get(key)
        if not (isinstance(values, list) and len(values) == 3 and all(isinstance(v, float) for v in values)):
            problems.append(f"{key} must be 3 floats, got {values!r}")
    if isinstance(fields.get("std"), list) and any(isinstance(v, float) and v <= 0 for v in fields["std"]):
        problems.append("std values must be positive")
    if problems:
        raise ValueError("invalid preprocessing: " + "; ".join(problems))
    return fields


def resized_dimensions(width: int, height: int, fields: dict) -> tuple[int, int]:
    """(width, height) after step 2 of the contract."""
    if fields["resize"] == "squash":
        return fields["size"], fields["size"]
    target = fields.get("resize_size", fields["size"])
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = target, int(target * long / short)
    return (new_short, new_long) if width <= height else (new_long, new_short)


def reference_preprocess(image, fields: dict):
    """PIL image -> float32 numpy array [3, size, size], exactly as the contract describes."""
    import numpy as np
    from PIL import Image

    filters = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}
    image = image.convert("RGB")
    new_size = resized_dimensions(image.width, image.height, fields)
    if new_size != image.size:
        image = image.resize(new_size, resample=filters[fields["interpolation"]])
    pixels = np.asarray(image, dtype=np.uint8)  # H, W, 3
    size = fields["size"]
    if fields["crop"] == "center":
        top = (pixels.shape[0] - size) // 2
        left = (pixels.shape[1] - size) // 2
        pixels = pixels[top:top + size, left:left + size]
    # image_transforms.rescale multiplies in float64 and casts to float32; normalize works in float32
    x = (pixels.astype(np.float64) * fields["rescale"]).astype(np.float32)
    x = (x - np.asarray(fields["mean"], dtype=np.float32)) / np.asarray(fields["std"], dtype=np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))
