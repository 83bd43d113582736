"""Procedural captioned 64x64 RGB shapes: the training data of seedgrid's embedded toy models.

Every image is one shape on a background. Its attributes are

    shape       circle square triangle diamond star ring cross
    colour      red orange yellow green cyan blue purple pink white black (RGB jittered)
    size        small medium large (radius ranges, continuous inside each)
    texture     plain striped dotted checkered (second colour = lighter/darker shade)
    position    continuous centre; named by its 3x3 zone ("in the top left", "on the right", ...)
    background  one of the colours (never the shape's), with a soft linear brightness gradient
    rotation    continuous, never named

A caption names the shape and a random subset of the other attributes, so "a red circle" leaves
size, texture, position, background and rotation free: one prompt has many valid images, which is
what seed diversity is measured on.

Everything is a pure function of a seed (numpy Generator), no files. Rerun: nothing to rerun;
`/usr/bin/python3 tools/toymodel/data.py out.png` writes a contact sheet of 64 samples.
"""
import math
import sys

import numpy as np

SHAPES = ["circle", "square", "triangle", "diamond", "star", "ring", "cross"]
COLOURS = {
    "red": (220, 30, 35), "orange": (245, 130, 20), "yellow": (245, 215, 30),
    "green": (40, 170, 60), "cyan": (40, 200, 215), "blue": (35, 70, 210),
    "purple": (130, 50, 175), "pink": (245, 130, 190), "white": (240, 240, 240),
    "black": (20, 20, 20),
}
COLOUR_NAMES = list(COLOURS)
SIZES = {"small": (6.0, 9.0), "medium": (10.5, 14.0), "large": (16.0, 21.0)}
SIZE_NAMES = list(SIZES)
TEXTURES = ["plain", "striped", "dotted", "checkered"]
# 3x3 zones: (row, col) -> phrase; row 0 = top, col 0 = left.
ZONE_PHRASES = {
    (0, 0): "in the top left", (0, 1): "at the top", (0, 2): "in the top right",
    (1, 0): "on the left", (1, 1): "in the center", (1, 2): "on the right",
    (2, 0): "in the bottom left", (2, 1): "at the bottom", (2, 2): "in the bottom right",
}
RES = 64

# Every word a caption can hold (the tokenizer makes each of them one token).
CAPTION_WORDS = sorted(set(
    SHAPES + COLOUR_NAMES + SIZE_NAMES + TEXTURES
    + " ".join(ZONE_PHRASES.values()).split()
    + ["a", "on", "background", "an", "image", "of", "shape", "picture"]))


def sample_attributes(rng):
    """One image's full attribute set (a dict), drawn uniformly."""
    shape = SHAPES[rng.integers(len(SHAPES))]
    colour = COLOUR_NAMES[rng.integers(len(COLOUR_NAMES))]
    bg = colour
    while bg == colour:
        bg = COLOUR_NAMES[rng.integers(len(COLOUR_NAMES))]
    size = SIZE_NAMES[rng.integers(len(SIZE_NAMES))]
    lo, hi = SIZES[size]
    radius = float(rng.uniform(lo, hi))
    texture = TEXTURES[rng.integers(len(TEXTURES))] if rng.random() < 0.6 else "plain"
    margin = radius + 1.0
    cx = float(rng.uniform(margin, RES - margin))
    cy = float(rng.uniform(margin, RES - margin))
    return {
        "shape": shape, "colour": colour, "size": size, "radius": radius, "texture": texture,
        "cx": cx, "cy": cy, "zone": zone_of(cx, cy), "background": bg,
        "rotation": float(rng.uniform(0, 2 * math.pi)),
        "tex_phase": float(rng.uniform(0, 1)), "tex_angle": float(rng.uniform(0, math.pi)),
        "jitter": rng.uniform(-18, 18, size=6).tolist(),
        "grad_angle": float(rng.uniform(0, 2 * math.pi)), "grad_amp": float(rng.uniform(0.0, 0.25)),
    }


def zone_of(cx, cy):
    return (min(int(cy / (RES / 3)), 2), min(int(cx / (RES / 3)), 2))


# Probability that a caption names each free attribute.
DEFAULT_MENTION = {"colour": 0.75, "size": 0.35, "texture": 0.35, "position": 0.35, "background": 0.35}


def caption(attrs, rng, mention=None):
    """A caption naming the shape and a random subset of the other attributes.
    Returns (text, named) with named = set of attribute keys the caption fixes."""
    p = DEFAULT_MENTION if mention is None else mention
    named = {"shape"}
    for key, prob in p.items():
        if rng.random() < prob:
            named.add(key)
    return caption_from(attrs, named), named


def caption_from(attrs, named):
    words = []
    if "size" in named:
        words.append(attrs["size"])
    if "texture" in named:
        words.append(attrs["texture"])
    if "colour" in named:
        words.append(attrs["colour"])
    words.append(attrs["shape"])
    text = " ".join(words)
    if "position" in named:
        text += " " + ZONE_PHRASES[attrs["zone"]]
    if "background" in named:
        text += " on a " + attrs["background"] + " background"
    article = "an" if text[0] in "aeiou" else "a"
    return article + " " + text


def consistent(attrs, named_attrs, named):
    """True when an image with `attrs` satisfies a caption made from `named_attrs` / `named`."""
    for key in named:
        if key == "position":
            if attrs["zone"] != named_attrs["zone"]:
                return False
        elif attrs[key] != named_attrs[key]:
            return False
    return True


_YY, _XX = np.mgrid[0:RES, 0:RES].astype(np.float32) + 0.5


def _polygon_sdf(px, py, verts):
    """Signed distance (negative inside) from points to a closed polygon (even-odd inside test)."""
    d = np.full(px.shape, np.inf, dtype=np.float32)
    inside = np.zeros(px.shape, dtype=bool)
    n = len(verts)
    for i in range(n):
        ax, ay = verts[i]
        bx, by = verts[(i + 1) % n]
        ex, ey = bx - ax, by - ay
        wx, wy = px - ax, py - ay
        t = np.clip((wx * ex + wy * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        dx, dy = wx - ex * t, wy - ey * t
        d = np.minimum(d, np.sqrt(dx * dx + dy * dy))
        cond = ((ay > py) != (by > py)) & (px < (bx - ax) * (py - ay) / (by - ay + 1e-12) + ax)
        inside ^= cond
    return np.where(inside, -d, d)


def _regular(n, r, rot, inner=None):
    verts = []
    k = 2 * n if inner is not None else n
    for i in range(k):
        a = rot + 2 * math.pi * i / k
        rr = r if (inner is None or i % 2 == 0) else inner
        verts.append((rr * math.cos(a), rr * math.sin(a)))
    return verts


def shape_sdf(shape, r, rot, px, py):
    """Signed distance in pixels of a shape of 'radius' r centred at the origin."""
    if shape == "circle":
        return np.sqrt(px * px + py * py) - r
    if shape == "ring":
        return np.abs(np.sqrt(px * px + py * py) - 0.72 * r) - 0.28 * r
    if shape == "square":
        return _polygon_sdf(px, py, _regular(4, r * 1.05, rot))
    if shape == "diamond":
        verts = [(r * math.cos(rot + a) * s, r * math.sin(rot + a) * s)
                 for a, s in ((0, 1.0), (math.pi / 2, 0.62), (math.pi, 1.0), (3 * math.pi / 2, 0.62))]
        return _polygon_sdf(px, py, verts)
    if shape == "triangle":
        return _polygon_sdf(px, py, _regular(3, r * 1.1, rot))
    if shape == "star":
        return _polygon_sdf(px, py, _regular(5, r * 1.1, rot, inner=r * 0.45))
    if shape == "cross":
        c, s = math.cos(rot), math.sin(rot)
        qx, qy = np.abs(c * px + s * py), np.abs(-s * px + c * py)
        arm_l, arm_w = r, 0.34 * r

        def box(x, y, hx, hy):
            dx, dy = x - hx, y - hy
            out = np.sqrt(np.maximum(dx, 0) ** 2 + np.maximum(dy, 0) ** 2)
            return out + np.minimum(np.maximum(dx, dy), 0)
        return np.minimum(box(qx, qy, arm_l, arm_w), box(qx, qy, arm_w, arm_l))
    raise ValueError("unknown shape " + shape)


def render(attrs):
    """float32 [64,64,3] image in [0,1]."""
    return render_with_alpha(attrs)[0]


def render_with_alpha(attrs):
    """(image float32 [64,64,3] in [0,1], shape coverage alpha float32 [64,64] in [0,1])."""
    j = attrs["jitter"]
    fg = np.clip(np.array(COLOURS[attrs["colour"]], np.float32) + j[:3], 0, 255) / 255.0
    bgc = np.clip(np.array(COLOURS[attrs["background"]], np.float32) + j[3:], 0, 255) / 255.0
    ga = attrs["grad_angle"]
    ramp = ((_XX - RES / 2) * math.cos(ga) + (_YY - RES / 2) * math.sin(ga)) / RES
    bg = np.clip(bgc[None, None, :] * (1.0 + attrs["grad_amp"] * 2 * ramp[..., None])
                 + 0.5 * attrs["grad_amp"] * ramp[..., None], 0, 1)
    px, py = _XX - attrs["cx"], _YY - attrs["cy"]
    sdf = shape_sdf(attrs["shape"], attrs["radius"], attrs["rotation"], px, py)
    alpha = np.clip(0.5 - sdf, 0.0, 1.0)[..., None]
    # Texture: second colour is a lighter (dark shapes) or darker (light shapes) shade.
    second = np.clip(fg * 0.45 + 0.55, 0, 1) if fg.mean() < 0.5 else fg * 0.45
    tex = attrs["texture"]
    period = 11.0
    ta, ph = attrs["tex_angle"], attrs["tex_phase"]
    u = (px * math.cos(ta) + py * math.sin(ta)) / period + ph
    v = (-px * math.sin(ta) + py * math.cos(ta)) / period + ph
    if tex == "plain":
        m = np.zeros_like(sdf)
    elif tex == "striped":
        m = np.clip((np.abs((u % 1.0) - 0.5) - 0.25) * period + 0.5, 0, 1)
    elif tex == "dotted":
        du, dv = (u % 1.0) - 0.5, (v % 1.0) - 0.5
        m = np.clip((0.27 - np.sqrt(du * du + dv * dv)) * period + 0.5, 0, 1)
    elif tex == "checkered":
        cu = np.clip((np.abs((u % 1.0) - 0.5) - 0.25) * period + 0.5, 0, 1)
        cv = np.clip((np.abs((v % 1.0) - 0.5) - 0.25) * period + 0.5, 0, 1)
        m = cu + cv - 2 * cu * cv
    else:
        raise ValueError("unknown texture " + tex)
    shape_col = fg[None, None, :] * (1 - m[..., None]) + second[None, None, :] * m[..., None]
    return (bg * (1 - alpha) + shape_col * alpha).astype(np.float32), alpha[..., 0].astype(np.float32)


def batch(rng, n):
    """n random (attrs, image[64,64,3] in [0,1])."""
    attrs = [sample_attributes(rng) for _ in range(n)]
    return attrs, np.stack([render(a) for a in attrs])


def contact_sheet(images, cols, path, captions=None):
    """Save [N,64,64,3] float images in [0,1] (or uint8) as one PNG grid."""
    from PIL import Image
    imgs = np.asarray(images)
    if imgs.dtype != np.uint8:
        imgs = np.round(np.clip(imgs, 0, 1) * 255).astype(np.uint8)
    n, h, w, _ = imgs.shape
    rows = (n + cols - 1) // cols
    sheet = np.full((rows * (h + 2), cols * (w + 2), 3), 255, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        sheet[r * (h + 2):r * (h + 2) + h, c * (w + 2):c * (w + 2) + w] = imgs[i]
    Image.fromarray(sheet).save(path)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    attrs, imgs = batch(rng, 64)
    for a in attrs[:8]:
        print(caption(a, rng)[0])
    contact_sheet(imgs, 8, sys.argv[1] if len(sys.argv) > 1 else "/tmp/toy_data.png")
