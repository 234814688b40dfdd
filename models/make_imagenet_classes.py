#!/usr/bin/env python3
"""Writes models/imagenet_classes.txt: the 1000 ImageNet-1k class names, one per line, in
class-index order, taken from the metadata of Debian's torchvision (ResNet50_Weights).
Run: .venv/bin/python models/make_imagenet_classes.py [OUT]"""
import os
import sys

from torchvision.models import ResNet50_Weights


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              "imagenet_classes.txt")
    names = ResNet50_Weights.IMAGENET1K_V1.meta["categories"]
    if len(names) != 1000:
        sys.exit(f"expected 1000 categories, torchvision has {len(names)}")
    with open(out, "w", encoding="utf-8") as f:
        for n in names:
            f.write(n + "\n")


if __name__ == "__main__":
    main()
