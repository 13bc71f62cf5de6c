"""Reference checkpoints and goldens for vitclip's timm models (DeiT distilled, CaiT, DenseNet), computed by
timm itself, so that the Swift code is tested against what timm computes and needs no Python.

    python3 scripts/goldens/timm_models.py     # writes Tests/Fixtures/timm/

Every checkpoint is a tiny random configuration of the study's architectures (timm's own classes, built
through `timm.create_model(name, **model_args)`), saved with timm's `save_for_hf`: config.json with
`architecture`, `num_classes`, `model_args` and `pretrained_cfg`, and model.safetensors with timm's tensor
names. Parameters are drawn wider than timm's initialiser (LayerScale factors around 0.5 rather than 1e-5,
norm scales around 1 but not equal to it, batch-norm running statistics near the activations' real ones)
so that every parameter changes the outputs. Everything runs on the CPU in float32.

Tests/Fixtures/timm/README.md describes every file written here."""
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import save_file

REPO = Path(__file__).resolve().parents[2]

# timm imports torchvision, which is kept out of site-packages (see scripts/requirements-goldens.txt):
# there, transformers would find it and fail to import it. PyPI's torchvision wheel for Linux is built for
# CUDA, so its C++ operators cannot load beside the +cpu torch. timm needs only torchvision's Python parts
# (transforms, FrozenBatchNorm2d), but torchvision registers fake kernels for two of its operators at import
# whether or not they loaded, which fails unless the operators are declared: declare their schemas first.
TORCHVISION = REPO / ".build" / "goldens-torchvision"
if not (TORCHVISION / "torchvision").is_dir():
    sys.exit(f"timm_models.py: torchvision is missing; install it with\n"
             f"    pip install --no-deps --target {TORCHVISION.relative_to(REPO)} torchvision==0.28.0")
sys.path.insert(0, str(TORCHVISION))
for _operator in ("nms", "qnms"):
    torch.library.define(f"torchvision::{_operator}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
import timm  # noqa: E402
from timm.data import create_transform, resolve_model_data_config  # noqa: E402
from timm.models import save_for_hf  # noqa: E402

FIXTURES = REPO / "Tests" / "Fixtures" / "timm"
# Downscaled, landscape and upscaled portrait.
IMAGES = [REPO / "Tests" / "Fixtures" / "imaging" / name for name in ["square_224x224.png", "noise_300x200.png", "tall_61x150.png"]]
CIFAR10_LABELS = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

# The study's architectures at tiny sizes. DenseNet's final block has 3 layers so that the trained layer
# (the 2nd) is followed by a frozen one, as the study's denselayer16 of 32 is.
TINY = {
    "deit": ("deit_base_distilled_patch16_224",
             dict(embed_dim=16, depth=2, num_heads=4, mlp_ratio=2, img_size=32, patch_size=8, num_classes=10)),
    "cait": ("cait_s24_224",
             dict(embed_dim=16, depth=3, num_heads=4, mlp_ratio=2, mlp_ratio_token_only=3, img_size=32, patch_size=8,
                  num_classes=10)),
    "densenet": ("densenet201", dict(growth_rate=4, block_config=(2, 2, 2, 3), num_classes=10)),
}
DENSENET_TRAINED_LAYER = 2
# The real models and the study's trainable-parameter counts (Malpure et al. 2021).
REAL = {
    "deit_base_distilled_patch16_224": 7_103_252,
    "cait_s24_224": 1_775_376,
    "densenet201": 235_210,
}
STUDY_DENSENET_LAYER = 16


# ---------------------------------------------------------------------------------------------
# Models.

def randomize_(model, calibration):
    """Draws every parameter so that it matters, then sets batch-norm running statistics to those of a
    forward pass on `calibration` pixels, perturbed so that they differ from any batch's."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("bias"):
                parameter.normal_(0, 0.1)
            elif "gamma" in name:
                parameter.normal_(0.5, 0.2)
            elif parameter.dim() == 1:
                parameter.normal_(1, 0.2)
            elif name.endswith(("cls_token", "dist_token", "pos_embed")):
                parameter.normal_(0, 0.5)
            else:
                parameter.normal_(0, 1 / math.sqrt(parameter[0].numel()))
        norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        if norms:
            for norm in norms:
                norm.reset_running_stats()
                norm.momentum = None  # a cumulative average: after one pass, that pass's statistics
            model.train()(calibration)
            for norm in norms:
                norm.momentum = 0.1
                norm.running_mean.add_(torch.randn_like(norm.running_mean) * 0.1)
                norm.running_var.mul_(torch.empty_like(norm.running_var).uniform_(0.8, 1.25))
    return model.eval()


def make_checkpoint(key, seed):
    """The tiny model `key`, randomised, saved as a timm checkpoint, and reloaded through timm's own loader."""
    torch.manual_seed(seed)
    architecture, model_args = TINY[key]
    model = timm.create_model(architecture, pretrained=False, **model_args)
    calibration = torch.randn(8, 3, 64, 64) if key == "densenet" else None
    randomize_(model, calibration)
    directory = FIXTURES / key
    if directory.exists():
        shutil.rmtree(directory)
    data_config = dict(input_size=(3, 48, 48)) if key == "densenet" else None
    model_config = dict(label_names=CIFAR10_LABELS) if key == "deit" else None
    save_for_hf(model, directory, model_config=model_config, safe_serialization=True, data_config=data_config)
    reloaded = timm.create_model(f"local-dir:{directory}", pretrained=True).eval()
    for (name, ours), (_, theirs) in zip(model.state_dict().items(), reloaded.state_dict().items()):
        assert torch.equal(ours, theirs), f"{name} did not survive the round trip"
    return reloaded


# ---------------------------------------------------------------------------------------------
# Forward goldens: logits and the activations between stages.

def deit_reference(model, pixels):
    with torch.no_grad():
        tensors = {"pixel_values": pixels, "patch_embed": model.patch_embed(pixels)}
        x = model._pos_embed(tensors["patch_embed"])
        tensors["embeddings"] = x
        for i, block in enumerate(model.blocks):
            x = block(x)
            tensors[f"blocks.{i}"] = x
        tensors["norm"] = model.norm(x)
        tensors["logits"] = model(pixels)
        assert torch.allclose(model.forward_head(tensors["norm"]), tensors["logits"], atol=1e-6)
    return tensors


def cait_reference(model, pixels):
    with torch.no_grad():
        tensors = {"pixel_values": pixels, "patch_embed": model.patch_embed(pixels)}
        x = tensors["patch_embed"] + model.pos_embed
        tensors["embeddings"] = x
        for i, block in enumerate(model.blocks):
            x = block(x)
            tensors[f"blocks.{i}"] = x
        cls = model.cls_token.expand(x.shape[0], -1, -1)
        for i, block in enumerate(model.blocks_token_only):
            cls = block(x, cls)
            tensors[f"blocks_token_only.{i}"] = cls
        tensors["norm"] = model.norm(torch.cat((cls, x), dim=1))
        tensors["logits"] = model(pixels)
    return tensors


def densenet_reference(model, pixels):
    with torch.no_grad():
        tensors = {"pixel_values": pixels}
        x = pixels
        for name, stage in model.features.named_children():
            x = stage(x)
            if not name.startswith(("conv0", "norm0")):
                tensors[f"features.{name}"] = x
        tensors["pooled"] = model.global_pool(x)
        tensors["logits"] = model(pixels)
    return tensors


# ---------------------------------------------------------------------------------------------
# Single-block fine-tuning: the frozen trunk's features, and a training step of the rest.

def deit_trunk(model, pixels, block):
    x = model._pos_embed(model.patch_embed(pixels))
    for layer in model.blocks[:block]:
        x = layer(x)
    return x


def cait_trunk(model, pixels, block):
    x = model.patch_embed(pixels) + model.pos_embed
    for layer in model.blocks[:block]:
        x = layer(x)
    return x


def densenet_trunk(model, pixels, layer):
    x = pixels
    for name, stage in model.features.named_children():
        if name == "denseblock4":
            break
        x = stage(x)
    features = [x]
    for dense_layer in list(model.features.denseblock4.values())[:layer - 1]:
        features.append(dense_layer(features))
    return torch.cat(features, 1)


def fine_tuning_step(model, trained, after_trunk, trunk, seed):
    """Freezes all but the parameters whose names start with one of `trained`, puts the modules after the
    trunk in train mode (timm's fine-tuning; it matters only to batch norm), and runs one step of mean
    cross-entropy on 4 images over the 10 classes."""
    torch.manual_seed(seed)
    model.eval()
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name.startswith(trained))
    for module in after_trunk:
        module.train()
    size = model.pretrained_cfg["input_size"][1:] if model.pretrained_cfg.get("fixed_input_size") else (64, 56)
    pixels = random_pixels(4, *size)
    labels = torch.tensor([3, 0, 9, 3])
    with torch.no_grad():
        features = trunk(pixels)
    logits = model(pixels)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    tensors = {"pixel_values": pixels, "labels": labels, "features": features, "logits": logits, "loss": loss}
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            tensors[f"grad.{name}"] = parameter.grad
    for name, buffer in model.named_buffers():
        if name.endswith(("running_mean", "running_var")) and any(name.startswith(p) for p in after_names(model, after_trunk)):
            tensors[f"after.{name}"] = buffer
    return tensors


def after_names(model, modules):
    names = {module: name for name, module in model.named_modules()}
    return tuple(names[module] + "." for module in modules)


def deit_step(model):
    block = len(model.blocks) - 1
    return fine_tuning_step(model, (f"blocks.{block}.", "head.", "head_dist."), [model.blocks[block], model.norm],
                            lambda x: deit_trunk(model, x, block), seed=11)


def cait_step(model):
    block = len(model.blocks) - 1
    return fine_tuning_step(model, (f"blocks.{block}.", "head."), [model.blocks[block], model.blocks_token_only, model.norm],
                            lambda x: cait_trunk(model, x, block), seed=12)


def densenet_step(model):
    layers = list(model.features.denseblock4.values())
    prefix = f"features.denseblock4.denselayer{DENSENET_TRAINED_LAYER}."
    return fine_tuning_step(model, (prefix, "classifier."), layers[DENSENET_TRAINED_LAYER - 1:] + [model.features.norm5],
                            lambda x: densenet_trunk(model, x, DENSENET_TRAINED_LAYER), seed=13)


# ---------------------------------------------------------------------------------------------
# Preprocessing: timm's eval transform (torchvision on PIL images).

def random_pixels(count, height, width):
    """Normal pixel values rounded to float16, so that they are stored at half the size, exactly."""
    return torch.randn(count, 3, height, width).half().float()


def rgb(path):
    with Image.open(path) as image:
        return image.convert("RGB")


def preprocessing_goldens(models):
    """For each case, the settings (metadata) and the pixel values of every image. The tiny checkpoints'
    own configs are kept whole; the real models' 224 px configs are sampled at fixed positions."""
    cases = {key: resolve_model_data_config(models[key]) for key in ["deit", "cait"]}
    cases["squash-bilinear"] = dict(input_size=(3, 32, 32), interpolation="bilinear", crop_pct=0.9, crop_mode="squash",
                                    mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    for architecture in REAL:
        model = timm.create_model(architecture, pretrained=False, num_classes=0)
        cases[architecture] = resolve_model_data_config(model)
    tensors, settings = {}, {}
    positions = torch.from_numpy(np.random.default_rng(14).choice(3 * 224 * 224, size=1024, replace=False)).sort().values
    for name, config in cases.items():
        transform = create_transform(**config, is_training=False)
        pixels = torch.stack([transform(rgb(path)) for path in IMAGES])
        sampled = config["input_size"][1] > 64
        tensors[f"{name}.pixel_values"] = pixels.flatten(1)[:, positions] if sampled else pixels
        settings[name] = dict(input_size=list(config["input_size"]), interpolation=config["interpolation"],
                              crop_pct=config["crop_pct"], crop_mode=config["crop_mode"], mean=list(config["mean"]),
                              std=list(config["std"]), sampled=sampled)
    tensors["positions"] = positions
    metadata = {"cases": json.dumps(dict(images=[p.name for p in IMAGES], settings=settings), sort_keys=True)}
    return tensors, metadata


def end_to_end(model):
    """The deit checkpoint's logits for each image, preprocessed by its own pretrained_cfg."""
    transform = create_transform(**resolve_model_data_config(model), is_training=False)
    with torch.no_grad():
        logits = model(torch.stack([transform(rgb(path)) for path in IMAGES]))
    return {"logits": logits}, {"images": json.dumps([p.name for p in IMAGES])}


# ---------------------------------------------------------------------------------------------
# The real models: config.json as the hub has them, every tensor's name and shape, and the single-block
# trainable-parameter counts.

def real_geometry():
    configs = FIXTURES / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    summary = {}
    for architecture, study_count in REAL.items():
        model = timm.create_model(architecture, pretrained=False)
        save_for_hf(model, configs / "scratch", safe_serialization=True)
        config = json.loads((configs / "scratch" / "config.json").read_text())
        shutil.rmtree(configs / "scratch")
        config.pop("model_args")  # the hub's configs predate model_args
        (configs / f"{architecture}.json").write_text(json.dumps(config, indent=2) + "\n")
        tensors = {name: list(t.shape) for name, t in model.state_dict().items() if not name.endswith("num_batches_tracked")}
        model.reset_classifier(10)
        if architecture.startswith("deit"):
            trained = (f"blocks.{len(model.blocks) - 1}.", "head.", "head_dist.")
        elif architecture.startswith("cait"):
            trained = (f"blocks.{len(model.blocks) - 1}.", "head.")
        else:
            trained = (f"features.denseblock4.denselayer{STUDY_DENSENET_LAYER}.", "classifier.")
        count = sum(p.numel() for name, p in model.named_parameters() if name.startswith(trained))
        summary[architecture] = dict(tensors=tensors, trained=list(trained), trainable_parameters=count, study=study_count)
    (FIXTURES / "real-geometry.json").write_text(json.dumps(summary, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------------------------

def save_tensors(tensors, metadata=None, path=None):
    # The reference library writes metadata keys in hash order: a single key keeps files reproducible.
    assert metadata is None or len(metadata) <= 1, "one metadata key at most"
    def stored(name, tensor):
        tensor = tensor.detach().to(torch.float32).contiguous().clone()
        return tensor.half() if name == "pixel_values" and torch.equal(tensor.half().float(), tensor) else tensor
    save_file({name: stored(name, t) for name, t in tensors.items()}, str(path), metadata=metadata)


def main():
    torch.set_num_threads(1)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    models = {key: make_checkpoint(key, seed) for seed, key in enumerate(TINY, start=1)}
    torch.manual_seed(4)
    save_tensors(deit_reference(models["deit"], random_pixels(2, 32, 32)), path=FIXTURES / "reference-deit.safetensors")
    save_tensors(cait_reference(models["cait"], random_pixels(2, 32, 32)), path=FIXTURES / "reference-cait.safetensors")
    # Not square, and sized so that the transitions' pooling drops a remainder.
    save_tensors(densenet_reference(models["densenet"], random_pixels(2, 64, 56)), path=FIXTURES / "reference-densenet.safetensors")
    save_tensors(*preprocessing_goldens(models), path=FIXTURES / "preprocessing.safetensors")
    save_tensors(*end_to_end(models["deit"]), path=FIXTURES / "end-to-end-deit.safetensors")
    note = {"note": "A single-block fine-tuning step: grad.<name> for each trained parameter, features = the frozen "
                    "trunk's output, after.<name> = batch-norm running statistics after the step (train mode)."}
    save_tensors(deit_step(models["deit"]), note, FIXTURES / "grad-deit.safetensors")
    save_tensors(cait_step(models["cait"]), note, FIXTURES / "grad-cait.safetensors")
    save_tensors(densenet_step(models["densenet"]), note, FIXTURES / "grad-densenet.safetensors")
    real_geometry()


if __name__ == "__main__":
    main()
