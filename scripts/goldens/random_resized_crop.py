"""Crop-then-resize goldens for Tests/Fixtures/imaging/random-resized-crop.json.

timm's RandomResizedCropAndInterpolation ends in torchvision's resized_crop, which on a PIL
image is `img.crop((left, top, left + width, top + height)).resize((W, H), interpolation)`; this
runs that with Pillow (bicubic, FT-CLIP's --train_interpolation) on a fixture photo for fixed
boxes, so the Swift crop and resize can be checked without the random draw.

Run: python3 scripts/goldens/random_resized_crop.py Tests/Fixtures/imaging
"""
import base64
import json
import os
import sys

import numpy
from PIL import Image

SOURCE = "gradient_97x61.png"
# (top, left, height, width) boxes and (width, height) outputs: shrinking, enlarging, mixed, whole.
CASES = [((3, 5, 40, 60), (32, 32)), ((10, 20, 51, 33), (48, 40)), ((0, 0, 61, 97), (24, 24)),
         ((30, 70, 7, 9), (32, 32)), ((1, 2, 58, 44), (40, 56))]


def main(directory):
    image = Image.open(os.path.join(directory, SOURCE)).convert("RGB")
    cases = []
    for (top, left, height, width), size in CASES:
        out = image.crop((left, top, left + width, top + height)).resize(size, Image.Resampling.BICUBIC)
        cases.append(dict(top=top, left=left, height=height, width=width, output_width=size[0], output_height=size[1],
                          rgb=base64.b64encode(numpy.asarray(out, dtype=numpy.uint8).tobytes()).decode()))
    path = os.path.join(directory, "random-resized-crop.json")
    with open(path + ".tmp", "w") as file:
        json.dump(dict(source=SOURCE, cases=cases), file, separators=(",", ":"))
    os.replace(path + ".tmp", path)
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/imaging")
