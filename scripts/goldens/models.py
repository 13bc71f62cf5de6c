"""Reference checkpoints and goldens for vitclip's checkpoint layer and models, computed by Hugging Face
transformers itself, so that the Swift code is tested against what HF computes and needs no Python.

    python3 scripts/goldens/models.py                      # writes Tests/Fixtures/models/
    python3 scripts/goldens/models.py --full-size OUT_DIR  # full-size random checkpoints, for benchmarks

Every model is randomly initialised (there is no model hub here) with HF's real classes, so tensor names
and layouts are HF's. Parameters are drawn wider than HF's initialiser would (see `randomize_`) so that
attention is far from uniform and layer-norm scales and biases matter: a wrong transpose or a missing
bias shows up in the outputs. Forward goldens use models stored in float16 (small files); every output
is computed from those float16 weights upcast to float32, as the Swift side reads them. Gradient goldens
use float32 weights. Everything runs on the CPU in float32 with eager attention (plain softmax(QK^T)V).

Tests/Fixtures/models/README.md describes every file written here."""
import argparse
import copy
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import (
    CLIPConfig,
    CLIPForImageClassification,
    CLIPImageProcessor,
    CLIPModel,
    CLIPProcessor,
    CLIPTokenizer,
    ViTConfig,
    ViTForImageClassification,
    ViTImageProcessor,
)
from transformers.models.clip.modeling_clip import CLIPEncoderLayer
from transformers.models.vit.modeling_vit import ViTLayer

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "Tests" / "Fixtures" / "models"
TOKENIZER_FIXTURE = REPO / "Tests" / "Fixtures" / "clip-tokenizer"
# Paths of the real Food-101 images are recorded relative to the repo root's parent.
SHARED_PARENT = REPO.parent
FOOD_SAMPLE = Path("shared/data/food101-sample")

FOOD_LABELS = ["apple pie", "baby back ribs", "baklava", "beef carpaccio", "beef tartare"]
FOOD_TEMPLATE = "a photo of {}, a type of food."
REFERENCE_PROMPTS = ["a photo of a cat", "a photo of baklava, a type of food.", "Two DOGS playing in the snow!"]
ATTENTION = "eager"


# ---------------------------------------------------------------------------------------------
# Configurations: openai/clip-vit-base-patch32 and google/vit-base-patch16-224 as published, and the
# tiny variants of the fixtures.

def clip_base_patch32_config():
    """openai/clip-vit-base-patch32's config: HF's defaults except the legacy token ids (bos 0, eos 2),
    which make HF pool the text at the argmax of the ids."""
    return CLIPConfig(
        text_config=dict(bos_token_id=0, eos_token_id=2, pad_token_id=1),
        vision_config={},
        projection_dim=512,
        logit_scale_init_value=2.6592,
        architectures=["CLIPModel"],
    )


def vit_base_patch16_224_config():
    """google/vit-base-patch16-224's config: HF's defaults and ImageNet's 1000 classes (named LABEL_i
    here, as their names are not shipped)."""
    return ViTConfig(num_labels=1000, architectures=["ViTForImageClassification"])


def clip_tiny_config(vision=None, text=None, projection_dim=16):
    """The real geometry (224 px, 32 px patches, 49408 tokens, 77 positions) at tiny widths."""
    text_config = dict(vocab_size=49408, max_position_embeddings=77, hidden_size=16, num_hidden_layers=2,
                       num_attention_heads=2, intermediate_size=32, projection_dim=projection_dim,
                       hidden_act="quick_gelu", bos_token_id=0, eos_token_id=2, pad_token_id=1)
    vision_config = dict(image_size=224, patch_size=32, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=64, projection_dim=projection_dim, hidden_act="quick_gelu")
    text_config.update(text or {})
    vision_config.update(vision or {})
    return CLIPConfig(text_config=text_config, vision_config=vision_config, projection_dim=projection_dim,
                      architectures=["CLIPModel"])


def vit_tiny_config(**overrides):
    values = dict(image_size=224, patch_size=16, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                  intermediate_size=64, hidden_act="gelu", layer_norm_eps=1e-12, qkv_bias=True,
                  id2label=dict(enumerate(FOOD_LABELS)), label2id={label: i for i, label in enumerate(FOOD_LABELS)},
                  architectures=["ViTForImageClassification"])
    values.update(overrides)
    return ViTConfig(**values)


def clip_image_processor():
    """openai/clip-vit-base-patch32's preprocessing: shortest edge to 224 (bicubic), centre crop 224,
    scale to [0, 1], normalise with OpenAI's mean and std."""
    return CLIPImageProcessor(
        do_resize=True, size={"shortest_edge": 224}, resample=Image.Resampling.BICUBIC,
        do_center_crop=True, crop_size={"height": 224, "width": 224},
        do_rescale=True, rescale_factor=1 / 255, do_normalize=True,
        image_mean=[0.48145466, 0.4578275, 0.40821073], image_std=[0.26862954, 0.26130258, 0.27577711],
        do_convert_rgb=True)


def vit_image_processor():
    """google/vit-base-patch16-224's preprocessing: resize to 224x224 (bilinear), scale, normalise to [-1, 1]."""
    return ViTImageProcessor(
        do_resize=True, size={"height": 224, "width": 224}, resample=Image.Resampling.BILINEAR,
        do_rescale=True, rescale_factor=1 / 255, do_normalize=True, image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])


def clip_tokenizer():
    return CLIPTokenizer(str(TOKENIZER_FIXTURE / "vocab.json"), str(TOKENIZER_FIXTURE / "merges.txt"), model_max_length=77)


# ---------------------------------------------------------------------------------------------
# Models.

def randomize_(model, logit_scale=math.log(20.0)):
    """Draws every parameter so that it matters: weights with unit-variance outputs (attention logits of
    order 1), layer-norm scales around 1 and biases around 0 but far from HF's 1 and 0, embeddings of
    order 1, and a logit scale unlike the config's initial value."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("logit_scale"):
                parameter.fill_(logit_scale)
            elif name.endswith("bias"):
                parameter.normal_(0, 0.1)
            elif parameter.dim() == 1 and "norm" in name:
                parameter.normal_(1, 0.2)
            elif "patch_embedding" in name or parameter.dim() >= 2 and "embedding" not in name:
                parameter.normal_(0, 1 / math.sqrt(parameter[0].numel()))
            else:
                # class / cls token, position and token embeddings
                parameter.normal_(0, 0.5)
    return model


def save_float16_checkpoint(model, directory):
    """Saves `model` with float16 weights and returns it reloaded through HF as float32, so that every
    reference output comes from exactly the weights a reader of the file sees."""
    copy.deepcopy(model).half().save_pretrained(directory, safe_serialization=True)
    return type(model).from_pretrained(directory, dtype=torch.float32, attn_implementation=ATTENTION).eval()


def write_clip_tokenizer_files(directory, link_vocabulary):
    """tokenizer_config.json and special_tokens_map.json as CLIPTokenizer.save_pretrained writes them;
    vocab.json and merges.txt as relative links to the tokenizer fixture (or copies, outside the repo)."""
    with tempfile.TemporaryDirectory() as scratch:
        clip_tokenizer().save_pretrained(scratch)
        for name in ["tokenizer_config.json", "special_tokens_map.json"]:
            shutil.copyfile(os.path.join(scratch, name), directory / name)
    for name in ["vocab.json", "merges.txt"]:
        target = directory / name
        if target.is_symlink() or target.exists():
            target.unlink()
        if link_vocabulary:
            target.symlink_to(os.path.relpath(TOKENIZER_FIXTURE / name, directory))
        else:
            shutil.copyfile(TOKENIZER_FIXTURE / name, target)


def fresh_directory(path):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def make_clip_fixture():
    torch.manual_seed(1)
    model = randomize_(CLIPModel._from_config(clip_tiny_config(), attn_implementation=ATTENTION))
    directory = fresh_directory(FIXTURES / "clip")
    reloaded = save_float16_checkpoint(model, directory)
    clip_image_processor().save_pretrained(directory)
    write_clip_tokenizer_files(directory, link_vocabulary=True)
    return reloaded


def make_vit_fixture():
    torch.manual_seed(2)
    model = randomize_(ViTForImageClassification._from_config(vit_tiny_config(), attn_implementation=ATTENTION))
    directory = fresh_directory(FIXTURES / "vit")
    reloaded = save_float16_checkpoint(model, directory)
    vit_image_processor().save_pretrained(directory)
    return reloaded


# ---------------------------------------------------------------------------------------------
# Forward goldens.

def as_float32(tensor):
    return tensor.detach().to(torch.float32).contiguous().clone()


def clip_reference(model):
    """Inputs, intermediate activations and outputs of the CLIP fixture on random pixels and three prompts."""
    torch.manual_seed(3)
    pixel_values = torch.randn(2, 3, 224, 224)
    text = clip_tokenizer()(REFERENCE_PROMPTS, padding="longest", return_tensors="pt")
    input_ids, attention_mask = text["input_ids"], text["attention_mask"]
    with torch.no_grad():
        out = model(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values,
                    output_hidden_states=True)
        vision, text_model = model.vision_model, model.text_model
        patches = vision.embeddings.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        vision_embeddings = vision.embeddings(pixel_values)
        text_embeddings = text_model.embeddings(input_ids=input_ids)
        image_features = model.get_image_features(pixel_values=pixel_values)
        text_features = model.get_text_features(input_ids=input_ids, attention_mask=attention_mask)
    vision_out, text_out = out.vision_model_output, out.text_model_output
    hidden = vision.pre_layrnorm(vision_embeddings)
    assert torch.equal(vision_out.hidden_states[0], hidden)
    for layer, reported in zip(vision.encoder.layers, vision_out.hidden_states[1:]):
        with torch.no_grad():
            hidden = layer(hidden, None, None)[0]
        assert torch.allclose(reported, hidden, atol=1e-6), "vision hidden states are layer outputs"
    assert torch.equal(text_out.hidden_states[0], text_embeddings)
    tensors = {
        "pixel_values": pixel_values,
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "vision.patch_embeds": patches,
        "vision.embeddings": vision_embeddings,
        "vision.last_hidden_state": vision_out.last_hidden_state,
        "vision.pooler_output": vision_out.pooler_output,
        "image_features": image_features,
        "image_embeds": out.image_embeds,
        "text.embeddings": text_embeddings,
        "text.last_hidden_state": text_out.last_hidden_state,
        "text.pooler_output": text_out.pooler_output,
        "text_features": text_features,
        "text_embeds": out.text_embeds,
        "logits_per_image": out.logits_per_image,
        "logits_per_text": out.logits_per_text,
    }
    for i, hidden in enumerate(vision_out.hidden_states):
        tensors[f"vision.hidden_states.{i}"] = hidden
    for i, hidden in enumerate(text_out.hidden_states):
        tensors[f"text.hidden_states.{i}"] = hidden
    # The padding is "longest"; see the README for the conventions of hidden states.
    metadata = {"prompts": json.dumps(REFERENCE_PROMPTS)}
    return tensors, metadata


def vit_reference(model):
    """Inputs, per-layer activations and logits of the ViT fixture on random pixels."""
    torch.manual_seed(4)
    pixel_values = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        out = model(pixel_values=pixel_values, output_hidden_states=True)
        embeddings = model.vit.embeddings
        patches = embeddings.patch_embeddings.projection(pixel_values).flatten(2).transpose(1, 2)
        hidden = embeddings(pixel_values)
        layer_outputs = [hidden]
        for layer in model.vit.encoder.layer:
            hidden = layer(hidden)
            layer_outputs.append(hidden)
        final = model.vit.layernorm(hidden)
    # transformers 4.57 reports the last hidden state after the final layer norm; ours are layer outputs.
    assert all(torch.equal(ours, theirs) for ours, theirs in zip(layer_outputs[:-1], out.hidden_states[:-1]))
    assert torch.equal(out.hidden_states[-1], final)
    assert torch.allclose(model.classifier(final[:, 0]), out.logits, atol=1e-6)
    tensors = {"pixel_values": pixel_values, "embeddings.patches": patches, "layernorm": final, "logits": out.logits}
    for i, hidden in enumerate(layer_outputs):
        tensors[f"hidden_states.{i}"] = hidden
    metadata = {"note": "hidden_states.i is layer i's output, before the final layer norm (HF's own "
                        "output_hidden_states gives the last one after it); layernorm is after it."}
    return tensors, metadata


def save_tensors(tensors, path, metadata=None):
    # The reference library writes metadata keys in hash order: a single key keeps files reproducible.
    assert metadata is None or len(metadata) <= 1, "one metadata key at most"
    save_file({name: as_float32(t) for name, t in tensors.items()}, str(path), metadata=metadata)


# ---------------------------------------------------------------------------------------------
# Gradient goldens (float32 weights).

def layer_gradients(layer, run, x, metadata):
    """Output of `layer` on x, and the gradients of sum(output * g) for a random upstream gradient g,
    with respect to x and to every parameter (under its HF name within the layer)."""
    x = x.clone().requires_grad_(True)
    out = run(layer, x)
    g = torch.randn_like(out)
    (out * g).sum().backward()
    tensors = {"x": x, "g": g, "out": out, "grad.x": x.grad}
    for name, parameter in layer.named_parameters():
        tensors[name] = parameter
        tensors[f"grad.{name}"] = parameter.grad
    return tensors, metadata


def layer_description(module, config):
    """The layer's class and geometry, as one JSON metadata string."""
    keys = ["hidden_size", "num_attention_heads", "intermediate_size", "hidden_act", "layer_norm_eps", "qkv_bias"]
    values = {key: getattr(config, key) for key in keys if hasattr(config, key)}
    return {"config": json.dumps(dict(module=module, **values), sort_keys=True)}


def clip_layer_gradients():
    torch.manual_seed(5)
    config = clip_tiny_config().vision_config
    config._attn_implementation = ATTENTION
    layer = randomize_(CLIPEncoderLayer(config))
    x = torch.randn(2, 10, config.hidden_size)
    return layer_gradients(layer, lambda m, h: m(h, None, None)[0], x, layer_description("CLIPEncoderLayer", config))


def vit_layer_gradients():
    torch.manual_seed(6)
    config = vit_tiny_config()
    config._attn_implementation = ATTENTION
    layer = randomize_(ViTLayer(config))
    x = torch.randn(2, 10, config.hidden_size)
    return layer_gradients(layer, lambda m, h: m(h), x, layer_description("ViTLayer", config))


def parameter_gradients(model):
    return {f"grad.{name}": parameter.grad for name, parameter in model.named_parameters()}


def vit_step_gradients():
    """One training step of a small ViTForImageClassification: cross-entropy (mean) of 4 images."""
    torch.manual_seed(7)
    config = vit_tiny_config(image_size=32, patch_size=8)
    model = randomize_(ViTForImageClassification._from_config(config, attn_implementation=ATTENTION)).train()
    model.save_pretrained(fresh_directory(FIXTURES / "vit-grad"), safe_serialization=True)
    pixel_values = torch.randn(4, 3, 32, 32)
    labels = torch.tensor([0, 3, 1, 4])
    out = model(pixel_values=pixel_values, labels=labels)
    out.loss.backward()
    tensors = {"pixel_values": pixel_values, "labels": labels, "logits": out.logits, "loss": out.loss}
    tensors.update(parameter_gradients(model))
    return tensors, {"note": "loss is the mean cross-entropy of logits against labels (integers stored as F32); "
                             "grad.<name> is d loss / d <name> for every parameter of vit-grad/."}


def clip_step_gradients():
    """One contrastive step of a small CLIPModel (return_loss=True) on 3 image-caption pairs, with padded
    captions. The vocabulary is cut to 64 tokens to keep the embedding gradient small; as in openai's
    config, eos_token_id is 2, so the text is pooled at the argmax id, which ends each caption."""
    torch.manual_seed(8)
    vocab, max_positions = 64, 16
    config = clip_tiny_config(vision=dict(image_size=32, patch_size=8),
                              text=dict(vocab_size=vocab, max_position_embeddings=max_positions))
    model = randomize_(CLIPModel._from_config(config, attn_implementation=ATTENTION)).train()
    model.save_pretrained(fresh_directory(FIXTURES / "clip-grad"), safe_serialization=True)
    begin, end = vocab - 2, vocab - 1
    lengths = [5, 11, 8]
    width = max(lengths)
    input_ids = torch.full((len(lengths), width), end)
    attention_mask = torch.zeros(len(lengths), width, dtype=torch.long)
    for row, length in enumerate(lengths):
        input_ids[row, 0] = begin
        input_ids[row, 1:length - 1] = torch.randint(0, begin, (length - 2,))
        attention_mask[row, :length] = 1
    pixel_values = torch.randn(len(lengths), 3, 32, 32)
    out = model(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values, return_loss=True)
    out.loss.backward()
    tensors = {"pixel_values": pixel_values, "input_ids": input_ids, "attention_mask": attention_mask,
               "logits_per_image": out.logits_per_image, "loss": out.loss}
    tensors.update(parameter_gradients(model))
    return tensors, {"note": "loss is HF's clip_loss: the mean of the cross-entropies of logits_per_text and "
                             "logits_per_image against the diagonal. Captions are padded with the end token "
                             f"{end} (attention_mask 0); integers are stored as F32. grad.<name> is d loss / d <name> "
                             "for every parameter of clip-grad/, logit_scale included."}


def clip_head_gradients(recipe):
    """One cross-entropy step of a classifier on the image tower of the clip-grad fixture (4 images, 5
    classes), every parameter drawn by randomize_ (head and fc_norm included):
    huggingface: transformers' CLIPForImageClassification, the mean of last_hidden_state[:, 1:] into
    `classifier`; ft-clip: FT-CLIP's classifier (LightDXY/FT-CLIP, models/finetune_clip.py): a LayerNorm
    `fc_norm` (torch's default eps) on last_hidden_state[:, 1:], the mean over tokens, then `classifier`."""
    torch.manual_seed(9 if recipe == "huggingface" else 10)
    clip = CLIPModel.from_pretrained(FIXTURES / "clip-grad", attn_implementation=ATTENTION)
    config = copy.deepcopy(clip.config)
    config.num_labels = 5
    model = CLIPForImageClassification(config)
    model.vision_model.load_state_dict(clip.vision_model.state_dict())
    fc_norm = torch.nn.LayerNorm(config.vision_config.hidden_size)
    with torch.no_grad():
        for name, parameter in list(model.classifier.named_parameters()) + list(fc_norm.named_parameters()):
            parameter.normal_(0, 0.1) if name == "bias" else parameter.normal_(1, 0.2) if parameter.dim() == 1 \
                else parameter.normal_(0, 1 / math.sqrt(parameter.shape[1]))
    model.train()
    pixel_values = torch.randn(4, 3, 32, 32)
    labels = torch.tensor([0, 3, 1, 4])
    if recipe == "huggingface":
        out = model(pixel_values=pixel_values, labels=labels)
        logits, loss = out.logits, out.loss
    else:
        hidden = model.vision_model(pixel_values=pixel_values).last_hidden_state
        logits = model.classifier(fc_norm(hidden[:, 1:, :]).mean(1))
        loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    tensors = {"pixel_values": pixel_values, "labels": labels, "logits": logits, "loss": loss}
    tensors.update({f"classifier.{n}": p for n, p in model.classifier.named_parameters()})
    named = list(model.named_parameters())
    if recipe == "ft-clip":
        tensors.update({f"fc_norm.{n}": p for n, p in fc_norm.named_parameters()})
        named += [(f"fc_norm.{n}", p) for n, p in fc_norm.named_parameters()]
    tensors.update({f"grad.{n}": p.grad for n, p in named if p.grad is not None})
    return tensors, {"note": f"{recipe} head on the vision tower of clip-grad/: loss is the mean cross-entropy of logits "
                             "against labels (integers stored as F32); classifier.* (and fc_norm.*) are the head's "
                             "parameters; grad.<name> is d loss / d <name> for every parameter the loss reaches."}


# ---------------------------------------------------------------------------------------------
# End to end: real preprocessing, tokenisation and models on images, as the command-line tool runs them.

def make_synthetic_images():
    """Three deterministic 224x224 RGB pictures: smooth colour ramps, hard edges, and noise."""
    directory = fresh_directory(FIXTURES / "images")
    y, x = np.mgrid[0:224, 0:224]
    ramps = np.stack([x * 255 / 223, y * 255 / 223, 255 - (x + y) * 255 / 446], axis=-1)
    checks = np.where(((x // 28) + (y // 28)) % 2 == 0, 1, 0)[..., None] * np.array([230, 40, 40])
    disc = ((x - 140) ** 2 + (y - 90) ** 2 < 50 ** 2)[..., None] * np.array([0, 180, 250])
    edges = np.maximum(checks, disc) + 10
    noise = np.random.default_rng(9).integers(0, 256, size=(224, 224, 3))
    paths = []
    for name, pixels in [("ramps.png", ramps), ("edges.png", edges), ("noise.png", noise)]:
        Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), "RGB").save(directory / name)
        paths.append(directory / name)
    return paths


def food_sample_images():
    """The first test image of four classes, from the shared Food-101 sample."""
    listing = (SHARED_PARENT / FOOD_SAMPLE / "meta" / "test.txt").read_text().split()
    chosen = []
    for food_class in ["apple_pie", "baklava", "beef_tartare", "bibimbap"]:
        entry = next(line for line in listing if line.startswith(food_class + "/"))
        chosen.append(FOOD_SAMPLE / "images" / f"{entry}.jpg")
    return chosen


def end_to_end(clip_dir, vit_dir):
    synthetic = make_synthetic_images()
    food = food_sample_images()
    entries = [{"path": str(p.relative_to(FIXTURES)), "base": "fixtures"} for p in synthetic]
    entries += [{"path": str(p), "base": "repo-parent"} for p in food]
    images = [Image.open(p).convert("RGB") for p in synthetic] + [Image.open(SHARED_PARENT / p) for p in food]

    # Everything loaded back from the fixture directories, as a user of HF would.
    processor = CLIPProcessor(image_processor=CLIPImageProcessor.from_pretrained(clip_dir),
                              tokenizer=CLIPTokenizer.from_pretrained(clip_dir))
    clip = CLIPModel.from_pretrained(clip_dir, dtype=torch.float32, attn_implementation=ATTENTION).eval()
    prompts = [FOOD_TEMPLATE.format(label) for label in FOOD_LABELS]
    clip_inputs = processor(text=prompts, images=images, return_tensors="pt", padding=True)
    vit_processor = ViTImageProcessor.from_pretrained(vit_dir)
    vit = ViTForImageClassification.from_pretrained(vit_dir, dtype=torch.float32, attn_implementation=ATTENTION).eval()
    vit_inputs = vit_processor(images=images, return_tensors="pt")
    with torch.no_grad():
        clip_logits = clip(**clip_inputs).logits_per_image
        vit_logits = vit(**vit_inputs).logits
    vit_labels = [vit.config.id2label[i] for i in range(vit.config.num_labels)]

    for entry, image, clip_row, clip_pixels, vit_row, vit_pixels in zip(
            entries, images, clip_logits, clip_inputs["pixel_values"], vit_logits, vit_inputs["pixel_values"]):
        entry["size"] = list(image.size)
        entry["clip"] = {"logits_per_image": clip_row.tolist(), "label": FOOD_LABELS[int(clip_row.argmax())],
                         "pixel_mean_per_channel": clip_pixels.mean(dim=(1, 2)).tolist()}
        entry["vit"] = {"logits": vit_row.tolist(), "label": vit_labels[int(vit_row.argmax())],
                        "pixel_mean_per_channel": vit_pixels.mean(dim=(1, 2)).tolist()}
    golden = {
        "description": "Goldens of zero-shot CLIP and ViT classification, computed by transformers with "
                       "CLIPProcessor (CLIPImageProcessor, CLIPTokenizer; slow, non-fast versions) and "
                       "ViTImageProcessor on the fixture checkpoints. An image's path is relative to "
                       "Tests/Fixtures/models when its base is 'fixtures', to the repository's parent "
                       "directory when it is 'repo-parent'. pixel_mean_per_channel is the mean of the "
                       "preprocessed pixel_values, a check of preprocessing.",
        "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__},
        "clip": {"checkpoint": "clip", "template": FOOD_TEMPLATE, "labels": FOOD_LABELS, "prompts": prompts,
                 "input_ids": clip_inputs["input_ids"].tolist(), "attention_mask": clip_inputs["attention_mask"].tolist()},
        "vit": {"checkpoint": "vit", "labels": vit_labels},
        "images": entries,
    }
    with open(FIXTURES / "end-to-end.json", "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Goldens of the safetensors format itself.

def dtype_fixture():
    """The same values as F16, BF16 and F64, with their exact float32 values: normals, subnormals, signed
    zeros, extremes, infinities and NaN."""
    torch.manual_seed(10)
    special = [0.0, -0.0, 1.0, -2.5, 0.1, 65504.0, -65504.0, 6.103515625e-05, 5.960464477539063e-08,
               -3.0e-07, 1e-3, 3.14159265, float("inf"), float("-inf"), float("nan"), 1.0e30]
    values = torch.cat([torch.tensor(special, dtype=torch.float64), torch.randn(16, dtype=torch.float64) * 100]).reshape(4, 8)
    tensors = {"i64": torch.arange(6, dtype=torch.int64).reshape(2, 3)}
    for name, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16), ("f64", torch.float64)]:
        tensors[name] = values.to(dtype)
        tensors[f"{name}.as_f32"] = values.to(dtype).to(torch.float32)
    save_file(tensors, str(FIXTURES / "dtypes.safetensors"), metadata={"format": "pt"})


def writer_fixture():
    """Float32 tensors saved by the reference library, for a byte-for-byte comparison of the Swift writer."""
    torch.manual_seed(11)
    tensors = {"weight": torch.randn(3, 5), "bias": torch.randn(3), "scale": torch.tensor(2.5),
               'layers.0/"odd" name': torch.randn(2, 1, 2), "empty": torch.zeros(0, 4)}
    save_file(tensors, str(FIXTURES / "writer-reference.safetensors"), metadata={"format": "pt"})


def named_configs(directory):
    """The configs the Swift named constructors must equal, as HF writes them (only non-default keys)."""
    directory.mkdir(parents=True, exist_ok=True)
    clip_base_patch32_config().to_json_file(directory / "clip-vit-base-patch32.json")
    vit_base_patch16_224_config().to_json_file(directory / "vit-base-patch16-224.json")


# ---------------------------------------------------------------------------------------------

def make_fixtures():
    torch.set_num_threads(1)  # the same bits on every machine
    FIXTURES.mkdir(parents=True, exist_ok=True)
    named_configs(FIXTURES / "configs")
    dtype_fixture()
    writer_fixture()

    clip = make_clip_fixture()
    vit = make_vit_fixture()
    goldens = [("reference-clip", lambda: clip_reference(clip)), ("reference-vit", lambda: vit_reference(vit)),
               ("grad-clip-layer", clip_layer_gradients), ("grad-vit-layer", vit_layer_gradients),
               ("grad-vit-step", vit_step_gradients), ("grad-clip-step", clip_step_gradients),
               ("grad-clip-head-huggingface", lambda: clip_head_gradients("huggingface")),
               ("grad-clip-head-ft-clip", lambda: clip_head_gradients("ft-clip"))]
    for name, make in goldens:
        tensors, metadata = make()
        save_tensors(tensors, FIXTURES / f"{name}.safetensors", metadata)

    end_to_end(FIXTURES / "clip", FIXTURES / "vit")


def make_full_size(out_dir):
    """Random float32 checkpoints of the published geometries, with preprocessing and tokenizer files,
    for benchmarks (about 600 MB and 350 MB; not committed)."""
    torch.manual_seed(12)
    clip_dir = fresh_directory(out_dir / "clip-vit-base-patch32")
    CLIPModel._from_config(clip_base_patch32_config()).save_pretrained(clip_dir, safe_serialization=True)
    clip_image_processor().save_pretrained(clip_dir)
    write_clip_tokenizer_files(clip_dir, link_vocabulary=False)
    vit_dir = fresh_directory(out_dir / "vit-base-patch16-224")
    ViTForImageClassification._from_config(vit_base_patch16_224_config()).save_pretrained(vit_dir, safe_serialization=True)
    vit_image_processor().save_pretrained(vit_dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full-size", metavar="OUT_DIR", type=Path,
                        help="write full-size random checkpoints to OUT_DIR instead of the fixtures")
    args = parser.parse_args()
    if args.full_size:
        make_full_size(args.full_size.resolve())
    else:
        make_fixtures()


if __name__ == "__main__":
    main()
