#!/usr/bin/env python3
"""Synthetic test images for `onnxi classify`, and torchvision's preprocessing of them.

Usage: make_images.py OUTDIR
Writes OUTDIR/{photo.png, photo.jpg, gray.png, alpha.png} (seeded, smooth colour fields with
shapes and noise, in sizes that exercise odd resize ratios and centre-crop rounding), and
OUTDIR/ref_<name>.npy: transforms.Compose([Resize(256), CenterCrop(224), ToTensor(),
Normalize(ImageNet mean, std)]) applied to Image.open(path).convert('RGB'), shape [3,224,224].
Also writes broken files (truncated JPEG and PNG, garbage with a PNG signature, text, empty)."""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw
from torchvision import transforms


def scene(w, h, rng):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = 128 + 100 * np.sin(x / 23.0) * np.cos(y / 31.0)
    g = 255 * x / max(w - 1, 1)
    b = 255 * (1 - y / max(h - 1, 1))
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 12, (h, w, 3))
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, w - 20)), int(rng.integers(0, h - 20))
        x1, y1 = x0 + int(rng.integers(10, w // 2)), y0 + int(rng.integers(10, h // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (d.ellipse if rng.integers(0, 2) else d.rectangle)([x0, y0, x1, y1], fill=colour)
    return im


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    scene(341, 257, rng).save(os.path.join(out, "photo.png"))
    scene(300, 417, rng).save(os.path.join(out, "photo.jpg"), quality=90)
    scene(256, 256, rng).convert("L").save(os.path.join(out, "gray.png"))
    rgba = scene(480, 300, rng).convert("RGBA")
    a = np.array(rgba)
    a[..., 3] = rng.integers(0, 256, a.shape[:2])
    Image.fromarray(a, "RGBA").save(os.path.join(out, "alpha.png"))

    tf = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    for name in ["photo.png", "photo.jpg", "gray.png", "alpha.png"]:
        x = tf(Image.open(os.path.join(out, name)).convert("RGB")).numpy()
        np.save(os.path.join(out, "ref_" + name.replace(".", "_") + ".npy"), x)

    jpg = open(os.path.join(out, "photo.jpg"), "rb").read()
    png = open(os.path.join(out, "photo.png"), "rb").read()
    open(os.path.join(out, "truncated.jpg"), "wb").write(jpg[: len(jpg) // 2])
    open(os.path.join(out, "truncated.png"), "wb").write(png[: len(png) // 2])
    open(os.path.join(out, "garbage.png"), "wb").write(png[:8] + bytes(rng.integers(0, 256, 2000, dtype=np.uint8)))
    open(os.path.join(out, "text.jpg"), "w").write("this is not an image\n")
    open(os.path.join(out, "empty.png"), "wb").close()


if __name__ == "__main__":
    main()
