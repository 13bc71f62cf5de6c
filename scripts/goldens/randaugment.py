"""timm's RandAugment operations on small fixed images for Tests/Fixtures/imaging/randaugment.json.

Builds FT-CLIP's transform the way timm's create_transform does (rand_augment_transform with
'rand-m9-mstd0.5-inc1' and the hparams create_transform passes for a bicubic
--train_interpolation and CLIP's mean), then runs each of its operations through timm's own
AugmentOp at fixed magnitudes, with probability 1, no magnitude noise and the sign of the signed
operations fixed by stubbing the `random` that timm's _randomly_negate reads. Records each
operation's argument (timm's level function) and the 8-bit output (Pillow), base64.

Run: python3 scripts/goldens/randaugment.py Tests/Fixtures/imaging
"""
import base64
import importlib.util
import json
import os
import sys
import types

import numpy
from PIL import Image

# timm/data/auto_augment.py itself needs only Pillow and numpy; loading it alone spares the
# torchvision that `import timm.data` pulls in.
_spec = importlib.util.spec_from_file_location(
    "timm_auto_augment", os.path.join(os.path.dirname(importlib.util.find_spec("timm").origin), "data", "auto_augment.py"))
auto_augment = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(auto_augment)

CONFIG = "rand-m9-mstd0.5-inc1"
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
SIZES = [(24, 24), (17, 11)]
MAGNITUDES = [(3.7, True), (9.0, False), (10.0, True)]


def test_image(width, height, seed):
    """Smooth gradients, a bright disc and noise, within [18, 236] so autocontrast has work."""
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[0:height, 0:width].astype(numpy.float64)
    disc = ((x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (min(width, height) * 0.3) ** 2) * 70.0
    base = numpy.stack([40 + 150 * x / width + disc, 30 + 160 * y / height, 200 - 120 * (x + y) / (width + height) + disc / 2], -1)
    pixels = numpy.clip(base + rng.normal(0, 12, base.shape), 18, 236).round().astype(numpy.uint8)
    return Image.fromarray(pixels, "RGB")


def encoded(image):
    return base64.b64encode(numpy.asarray(image, dtype=numpy.uint8).tobytes()).decode()


def applied(op, image, argument):
    """op(image); at magnitude 10 PosterizeIncreasing keeps 0 bits, which Pillow 13 refuses
    (ValueError) and the Pillow of FT-CLIP's time ran as the mask ~255: a black image."""
    try:
        return op(image)
    except ValueError:
        assert op.name == "PosterizeIncreasing" and argument == 0, (op.name, argument)
        return image.point([0] * 768)


def main(directory):
    hparams = dict(translate_const=int(24 * 0.45), img_mean=tuple(min(255, round(255 * m)) for m in CLIP_MEAN),
                   interpolation=Image.Resampling.BICUBIC)
    transform = auto_augment.rand_augment_transform(CONFIG, hparams)
    images = [test_image(w, h, seed) for seed, (w, h) in enumerate(SIZES)]
    cases = []
    for op in transform.ops:
        op.prob, op.magnitude_std = 1.0, 0
        for magnitude, negated in (MAGNITUDES if op.level_fn else [(0.0, False)]):
            auto_augment.random = types.SimpleNamespace(random=lambda: 0.9 if negated else 0.1)
            argument = op.level_fn(magnitude, op.hparams)[0] if op.level_fn else None
            op.magnitude = magnitude
            for index, image in enumerate(images):
                cases.append(dict(image=index, operation=op.name, magnitude=magnitude, negated=negated,
                                  argument=argument, rgb=encoded(applied(op, image, argument))))
    fresh = auto_augment.rand_augment_transform(CONFIG, hparams)
    out = dict(config=CONFIG, layers=fresh.num_layers, magnitude=fresh.ops[0].magnitude,
               magnitude_std=fresh.ops[0].magnitude_std, probability=fresh.ops[0].prob,
               operations=[op.name for op in fresh.ops],
               fill=list(hparams["img_mean"]),
               images=[dict(width=i.width, height=i.height, rgb=encoded(i)) for i in images], cases=cases)
    path = os.path.join(directory, "randaugment.json")
    with open(path + ".tmp", "w") as file:
        json.dump(out, file, separators=(",", ":"))
    os.replace(path + ".tmp", path)
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/imaging")
