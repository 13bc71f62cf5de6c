"""Goldens for the Imaging module: Pillow's decoding and resizing, Hugging Face's slow image processors.

Writes Tests/Fixtures/imaging/:
  *.png, *.jpg            small deterministic synthetic images (gradients, noise, hard edges)
  decoded/<name>.rgb      Pillow's Image.open(...).convert("RGB") of the small ones, raw uint8 HWC
                          (every decode also gets a CRC-32 in goldens.json)
  resize.bin              Pillow's resize of the opaque RGB images, raw uint8 HWC, concatenated
  crop.bin                transformers' center_crop of one of them (cropping and padding), likewise
  configs/*.json          preprocessor_config.json files: the two hub models' (legacy format) and
                          two small ones written by transformers' save_pretrained
  pixel_values/*.png      HF pixel_values, stored losslessly as the 8-bit code of each value (see below)
  goldens.json            the index of all the above, plus CRC-32s over the whole Food-101 sample

pixel_values compression: transformers computes each output float from one 8-bit value per channel
(resize and crop act on uint8; rescale and normalise are per-value maps), so each channel holds at most
256 distinct values. For each processor we record HF's own value table (HF run on all 256 values,
without resize or crop) and, for each case, the code image whose table lookup reproduces HF's
pixel_values bit for bit (asserted here).

The Food-101 sample (../shared/data/food101-sample relative to the repo root) is referenced by path,
never copied. Run from anywhere: python3 scripts/goldens/imaging.py
"""
import json
import os
import shutil
import sys
import tempfile
import zlib

import numpy as np
from PIL import Image

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from transformers import AutoImageProcessor, CLIPImageProcessor, ViTImageProcessor  # noqa: E402
from transformers.image_transforms import center_crop  # noqa: E402
from transformers.image_utils import PILImageResampling  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "Tests", "Fixtures", "imaging")
SHARED_DATA = os.path.join(REPO, "..", "shared", "data")
SAMPLE = "food101-sample/images"
FOOD_CASES = [  # square, portrait, landscape, odd
    "food101-sample/images/apple_pie/1011328.jpg",
    "food101-sample/images/apple_pie/101251.jpg",
    "food101-sample/images/baby_back_ribs/1005293.jpg",
    "food101-sample/images/baklava/1006121.jpg",
]
FILTERS = [0, 1, 2, 3, 4, 5]  # PIL.Image.Resampling: NEAREST LANCZOS BILINEAR BICUBIC BOX HAMMING


def synthetic_rgb(width, height, seed, noise):
    """Smooth gradients, a sine pattern, hard-edged blocks (to hit clipping) and uniform noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / max(width - 1, 1)
    g = 255 * y / max(height - 1, 1)
    b = 127.5 + 127.5 * np.sin(x / 5.0 + y / 7.0)
    image = np.stack([r, g, b], axis=-1)
    blocks = ((x // 9 + y // 11) % 2 == 0)[..., None]
    image = np.where(blocks & (x[..., None] > width / 2), 255 - image, image)
    image += rng.uniform(-noise, noise, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def crc32(array):
    return zlib.crc32(np.ascontiguousarray(array).tobytes()) & 0xFFFFFFFF


def write_synthetic_images():
    """Returns {file name: Pillow-decoded RGB array} for the fixture images."""
    rgb = {
        "gradient_97x61.png": synthetic_rgb(97, 61, seed=1, noise=12),
        "noise_300x200.png": synthetic_rgb(300, 200, seed=2, noise=60),
        "square_224x224.png": synthetic_rgb(224, 224, seed=3, noise=6),
        "tall_61x150.png": synthetic_rgb(61, 150, seed=4, noise=20),
    }
    for name, array in rgb.items():
        Image.fromarray(array).save(os.path.join(OUT, name))

    # Alpha: opaque left half, translucent right half (alpha 96..254), to check un-premultiplying.
    base = synthetic_rgb(80, 64, seed=5, noise=20)
    alpha = np.full((64, 80, 1), 255, np.uint8)
    alpha[:, 40:, 0] = np.linspace(96, 254, 40).astype(np.uint8)[None, :]
    Image.fromarray(np.concatenate([base, alpha], axis=-1), "RGBA").save(os.path.join(OUT, "alpha_80x64.png"))
    Image.fromarray(synthetic_rgb(50, 40, seed=6, noise=30)[..., 1]).save(os.path.join(OUT, "gray_50x40.png"))

    source = Image.fromarray(rgb["gradient_97x61.png"])
    source.save(os.path.join(OUT, "rgb420_97x61.jpg"), quality=90)
    source.save(os.path.join(OUT, "rgb444_97x61.jpg"), quality=90, subsampling=0)
    source.save(os.path.join(OUT, "progressive_97x61.jpg"), quality=85, progressive=True)
    source.convert("L").save(os.path.join(OUT, "gray_97x61.jpg"), quality=90)
    rng = np.random.default_rng(7)
    cmyk = np.concatenate([synthetic_rgb(64, 48, seed=8, noise=10), rng.integers(0, 256, (48, 64, 1), np.uint8)], -1)
    Image.fromarray(cmyk, "CMYK").save(os.path.join(OUT, "cmyk_64x48.jpg"), quality=90)

    names = ["gradient_97x61.png", "noise_300x200.png", "square_224x224.png", "tall_61x150.png",
             "alpha_80x64.png", "gray_50x40.png", "rgb420_97x61.jpg", "rgb444_97x61.jpg",
             "progressive_97x61.jpg", "gray_97x61.jpg", "cmyk_64x48.jpg"]
    return {name: np.asarray(Image.open(os.path.join(OUT, name)).convert("RGB")) for name in names}


def decode_goldens(decoded):
    os.makedirs(os.path.join(OUT, "decoded"), exist_ok=True)
    entries = []
    for name, array in decoded.items():
        entry = {"file": name, "width": array.shape[1], "height": array.shape[0], "crc32": crc32(array)}
        if array.nbytes <= 20000:  # small enough to keep whole, for a max-difference report
            entry["rgb"] = f"decoded/{os.path.splitext(name)[0]}.rgb"
            array.tofile(os.path.join(OUT, entry["rgb"]))
        with Image.open(os.path.join(OUT, name)) as im:
            if "A" in im.mode:
                entry["alpha"] = f"decoded/{os.path.splitext(name)[0]}.alpha"
                np.asarray(im.getchannel("A")).tofile(os.path.join(OUT, entry["alpha"]))
        entries.append(entry)
    return entries


RESIZE_SIZES = {  # (width, height): down, up, near 1:1, one axis only, extreme factors
    # (87, 41) and (88, 41) straddle Pillow 13's switch to resizing vertically first.
    "gradient_97x61.png": [(48, 30), (100, 64), (98, 60), (97, 40), (33, 61), (160, 25), (1, 1), (87, 41), (88, 41)],
    "noise_300x200.png": [(100, 67), (37, 23), (300, 8), (13, 200)],
    "square_224x224.png": [(64, 64), (7, 7), (224, 16), (230, 20)],
    "tall_61x150.png": [(32, 80), (45, 111), (100, 40), (20, 160)],
}


def resize_goldens(decoded):
    blob = bytearray()
    entries = []
    for name, sizes in RESIZE_SIZES.items():
        image = Image.fromarray(decoded[name])
        for width, height in sizes:
            for resample in FILTERS:
                out = np.asarray(image.resize((width, height), resample=resample, reducing_gap=None))
                entries.append({"source": name, "filter": resample, "width": width, "height": height,
                                "offset": len(blob), "length": out.nbytes})
                blob += out.tobytes()
    with open(os.path.join(OUT, "resize.bin"), "wb") as f:
        f.write(blob)
    return entries


CROP_SIZES = [(40, 30), (97, 61), (100, 70), (120, 20), (1, 1), (98, 62)]  # (width, height)


def crop_goldens(decoded):
    blob = bytearray()
    entries = []
    source = "gradient_97x61.png"
    for width, height in CROP_SIZES:
        out = center_crop(decoded[source], (height, width), input_data_format="channels_last")
        entries.append({"source": source, "width": width, "height": height,
                        "offset": len(blob), "length": out.nbytes})
        blob += np.ascontiguousarray(out).tobytes()
    with open(os.path.join(OUT, "crop.bin"), "wb") as f:
        f.write(blob)
    return entries


# The hub models' preprocessor_config.json files, in their original (feature extractor) format.
HUB_CONFIGS = {
    "clip-vit-base-patch32.json": {
        "crop_size": 224, "do_center_crop": True, "do_normalize": True, "do_resize": True,
        "feature_extractor_type": "CLIPFeatureExtractor",
        "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711],
        "resample": 3, "size": 224,
    },
    "vit-base-patch16-224.json": {
        "do_normalize": True, "do_resize": True, "feature_extractor_type": "ViTFeatureExtractor",
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "size": 224,
    },
}


def small_processors():
    """Non-default settings, saved by transformers itself: padding crop, other filters, scalar mean."""
    clip = CLIPImageProcessor(size={"shortest_edge": 40}, crop_size={"height": 48, "width": 36},
                              resample=PILImageResampling.LANCZOS, image_mean=[0.4, 0.5, 0.6],
                              image_std=[0.2, 0.25, 0.3])
    vit = ViTImageProcessor(size={"height": 30, "width": 50}, resample=PILImageResampling.HAMMING,
                            rescale_factor=1 / 127.5, image_mean=0.75, image_std=0.6)
    return {"clip-small.json": clip, "vit-small.json": vit}


def write_configs():
    """Writes configs/*.json and returns {config file: the HF processor loaded back from it}."""
    os.makedirs(os.path.join(OUT, "configs"), exist_ok=True)
    for name, config in HUB_CONFIGS.items():
        with open(os.path.join(OUT, "configs", name), "w") as f:
            json.dump(config, f, indent=2, sort_keys=True)
            f.write("\n")
    for name, processor in small_processors().items():
        with tempfile.TemporaryDirectory() as tmp:
            processor.save_pretrained(tmp)
            shutil.copy(os.path.join(tmp, "preprocessor_config.json"), os.path.join(OUT, "configs", name))
    loaded = {}
    for name in list(HUB_CONFIGS) + list(small_processors()):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(OUT, "configs", name), os.path.join(tmp, "preprocessor_config.json"))
            loaded[name] = AutoImageProcessor.from_pretrained(tmp, use_fast=False)
            assert type(loaded[name]).__name__ in ("CLIPImageProcessor", "ViTImageProcessor"), type(loaded[name])
    return loaded


def pixel_values(processor, rgb):
    return processor(images=Image.fromarray(rgb), return_tensors="np")["pixel_values"][0]


def value_table(processor):
    """HF's float for each 8-bit value of each channel: its output on all 256 values, unresized."""
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2).reshape(16, 16, 3)
    out = processor(images=Image.fromarray(ramp), do_resize=False, return_tensors="np",
                    **({"do_center_crop": False} if isinstance(processor, CLIPImageProcessor) else {}))
    table = out["pixel_values"][0].reshape(3, 256)
    assert table.dtype == np.float32 and np.all(np.diff(table, axis=1) > 0), "table must be strictly increasing"
    return table


def codes_of(values, table):
    """The 8-bit codes whose table lookup is exactly `values` (C, H, W) -> (H, W, C) uint8."""
    codes = np.stack([np.searchsorted(table[c], values[c]) for c in range(3)], axis=-1)
    assert codes.max() < 256
    rebuilt = np.stack([table[c][codes[..., c]] for c in range(3)], axis=0)
    assert np.array_equal(rebuilt.view(np.uint32), values.view(np.uint32)), "lossless code mapping failed"
    return codes.astype(np.uint8)


def food_rgb(path):
    return np.asarray(Image.open(os.path.join(SHARED_DATA, path)).convert("RGB"))


def processor_goldens(processors, decoded, have_sample):
    os.makedirs(os.path.join(OUT, "pixel_values"), exist_ok=True)
    cases = [(name, "fixture", image)
             for name in ("clip-small.json", "vit-small.json")
             for image in ("gradient_97x61.png", "noise_300x200.png", "square_224x224.png", "tall_61x150.png")]
    cases += [(name, "fixture", "tall_61x150.png") for name in HUB_CONFIGS]
    if have_sample:
        cases += [(name, "shared", path) for name in HUB_CONFIGS for path in FOOD_CASES]
    entries = []
    for config, origin, image in cases:
        rgb = decoded[image] if origin == "fixture" else food_rgb(image)
        values = pixel_values(processors[config], rgb)
        codes = codes_of(values, value_table(processors[config]))
        stem = f"{os.path.splitext(config)[0]}_{os.path.splitext(os.path.basename(image))[0]}"
        Image.fromarray(codes).save(os.path.join(OUT, "pixel_values", stem + ".png"), optimize=True)
        entries.append({"config": f"configs/{config}", origin: image, "codes": f"pixel_values/{stem}.png",
                        "shape": list(values.shape), "sum": float(values.astype(np.float64).sum()),
                        "head": [float(v) for v in values.reshape(-1)[:6]]})
    return entries


def sample_checksums(processors):
    """CRC-32 of Pillow's RGB and of HF's float32 pixel_values for every image of the sample."""
    entries = []
    root = os.path.join(SHARED_DATA, SAMPLE)
    for klass in sorted(os.listdir(root)):
        for file in sorted(os.listdir(os.path.join(root, klass))):
            path = f"{SAMPLE}/{klass}/{file}"
            rgb = food_rgb(path)
            entries.append({"image": path, "rgb": crc32(rgb),
                            "clip": crc32(pixel_values(processors["clip-vit-base-patch32.json"], rgb)),
                            "vit": crc32(pixel_values(processors["vit-base-patch16-224.json"], rgb))})
    return entries


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    have_sample = os.path.isdir(os.path.join(SHARED_DATA, SAMPLE))
    if not have_sample:
        print(f"warning: {SHARED_DATA}/{SAMPLE} not found; Food-101 goldens skipped", file=sys.stderr)
    decoded = write_synthetic_images()
    processors = write_configs()
    index = {
        "decode": decode_goldens(decoded),
        "resize": resize_goldens(decoded),
        "crop": crop_goldens(decoded),
        "value_tables": {f"configs/{name}": value_table(p).tolist() for name, p in processors.items()},
        "pixel_values": processor_goldens(processors, decoded, have_sample),
        "sample": sample_checksums(processors) if have_sample else [],
    }
    with open(os.path.join(OUT, "goldens.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT}: {total / 1e6:.2f} MB, {len(index['resize'])} resizes, "
          f"{len(index['pixel_values'])} pixel_values cases, {len(index['sample'])} sample images")


if __name__ == "__main__":
    main()
