"""Reference values for the pieces ft-clip-code adds to Table 2, for Tests/Fixtures/training/ftclip.json.

Each piece is computed by the reference's own code, on small cases:
- layer-wise decay: FT-CLIP's own optim_factory.get_parameter_groups with its LayerDecayValueAssigner,
  run on a two-block module named as FT-CLIP's VisualTransformer names its tensors (patch embedding
  frozen, as FT-CLIP freezes conv1); each group's lr_scale and weight_decay is recorded under the
  Hugging Face name the same tensor has in a CLIP checkpoint;
- the schedule: FT-CLIP's own utils.cosine_scheduler;
- label smoothing: timm's LabelSmoothingCrossEntropy (and torch's cross_entropy with label_smoothing,
  which FT-CLIP does not use but agrees), loss and gradient;
- drop path: timm's drop_path on a sequence-first [L, N, D] input, as FT-CLIP's blocks call it; the
  mask it drew is recorded (positions whose output is zero), since the RNGs differ; and the
  per-block rates from torch.linspace as FT-CLIP's Transformer builds them;
- EMA: timm.utils.ModelEma (the class FT-CLIP imports) over a few updates.

Run: python3 scripts/goldens/ftclip_pieces.py Tests/Fixtures/training <FT-CLIP checkout>
     (git clone https://github.com/LightDXY/FT-CLIP)
"""
import ast
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
# timm imports torchvision's Python parts; see timm_models.py for why it lives outside site-packages.
TORCHVISION = REPO / ".build" / "goldens-torchvision"
if not (TORCHVISION / "torchvision").is_dir():
    sys.exit(f"ftclip_pieces.py: torchvision is missing; install it with\n"
             f"    pip install --no-deps --target {TORCHVISION.relative_to(REPO)} torchvision==0.28.0")
sys.path.insert(0, str(TORCHVISION))
for _operator in ("nms", "qnms"):
    torch.library.define(f"torchvision::{_operator}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
from timm.layers import drop_path  # noqa: E402
from timm.loss import LabelSmoothingCrossEntropy  # noqa: E402
from timm.utils import ModelEma  # noqa: E402

DEPTH = 2
WIDTH = 4


def values(tensor):
    return [float(str(x)) for x in tensor.detach().reshape(-1).numpy().astype(np.float32)]


def ftclip_definitions(path, *names):
    """Top-level functions and classes of an FT-CLIP source file, compiled on their own (the files'
    other imports need a timm or torch older than the pinned ones)."""
    tree = ast.parse(path.read_text())
    nodes = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name in names]
    scope = {"np": np, "math": math, "json": json}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), str(path), "exec"), scope)
    return [scope[name] for name in names]


class FTCLIPNamed(torch.nn.Module):
    """A module whose tensors carry FT-CLIP's VisualTransformer names (two blocks)."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, WIDTH, 2, 2, bias=False)
        self.class_embedding = torch.nn.Parameter(torch.zeros(WIDTH))
        self.positional_embedding = torch.nn.Parameter(torch.zeros(5, WIDTH))
        self.ln_pre = torch.nn.LayerNorm(WIDTH)
        blocks = []
        for _ in range(DEPTH):
            block = torch.nn.Module()
            block.attn = torch.nn.MultiheadAttention(WIDTH, 1)
            block.ln_1 = torch.nn.LayerNorm(WIDTH)
            block.mlp = torch.nn.Module()
            block.mlp.c_fc = torch.nn.Linear(WIDTH, 8)
            block.mlp.c_proj = torch.nn.Linear(8, WIDTH)
            block.ln_2 = torch.nn.LayerNorm(WIDTH)
            blocks.append(block)
        self.transformer = torch.nn.Module()
        self.transformer.resblocks = torch.nn.Sequential(*blocks)
        self.fc_norm = torch.nn.LayerNorm(WIDTH)
        self.head = torch.nn.Linear(WIDTH, 3)
        self.conv1.weight.requires_grad = False  # FT-CLIP freezes the patch embedding


def hugging_face_names(name):
    """The Hugging Face CLIP names of an FT-CLIP tensor (in_proj holds q, k and v)."""
    simple = {"class_embedding": "embeddings.class_embedding", "positional_embedding": "embeddings.position_embedding.weight",
              "conv1.weight": "embeddings.patch_embedding.weight"}
    if name in simple:
        return ["vision_model." + simple[name]]
    if name.startswith("ln_pre."):
        return ["vision_model.pre_layrnorm." + name.split(".")[-1]]
    if name.startswith(("fc_norm.", "head.")):
        return [name.replace("head.", "classifier.")]
    parts = name.split(".")
    block, rest = parts[2], ".".join(parts[3:])
    prefix = f"vision_model.encoder.layers.{block}."
    if rest.startswith("attn.in_proj_"):
        kind = "weight" if rest.endswith("weight") else "bias"
        return [prefix + f"self_attn.{p}_proj.{kind}" for p in "qkv"]
    renames = {"attn.out_proj.": "self_attn.out_proj.", "ln_1.": "layer_norm1.", "ln_2.": "layer_norm2.",
               "mlp.c_fc.": "mlp.fc1.", "mlp.c_proj.": "mlp.fc2."}
    for old, new in renames.items():
        if rest.startswith(old):
            return [prefix + new + rest[len(old):]]
    raise ValueError(name)


def layer_decay_case(ftclip, decay):
    LayerDecayValueAssigner, get_parameter_groups, _ = ftclip_definitions(
        ftclip / "optim_factory.py", "LayerDecayValueAssigner", "get_parameter_groups", "get_num_layer_for_vit")
    model = FTCLIPNamed()
    # run_class_finetuning.py: backbone_decay 1 by default, so values are decay^(layers + 1 - i).
    assigner = LayerDecayValueAssigner([decay ** (DEPTH + 1 - i) for i in range(DEPTH + 2)])
    skip = {"positional_embedding", "class_embedding"}  # VisualTransformer.no_weight_decay()
    groups = get_parameter_groups(model, 0.05, skip, assigner.get_layer_id, assigner.get_scale)
    by_tensor = {id(p): (group["lr_scale"], group["weight_decay"]) for group in groups for p in group["params"]}
    rows = []
    for name, parameter in model.named_parameters():
        trained = id(parameter) in by_tensor
        scale, weight_decay = by_tensor.get(id(parameter), (None, None))
        for hf_name in hugging_face_names(name):
            rows.append({"name": hf_name, "ftclip_name": name, "trained": trained, "lr_scale": scale, "weight_decay": weight_decay})
    return {"decay": decay, "depth": DEPTH, "weight_decay": 0.05, "parameters": rows}


def schedule_cases(ftclip):
    cosine_scheduler, = ftclip_definitions(ftclip / "utils.py", "cosine_scheduler")
    cases = []
    for base, final, epochs, per_epoch, warmup in [(1e-4, 1e-6, 10, 29, 5), (1.0, 0.01, 3, 4, 1), (0.5, 0.0, 2, 3, 0)]:
        schedule = cosine_scheduler(base, final, epochs, per_epoch, warmup_epochs=warmup)
        cases.append({"base": base, "final": final, "epochs": epochs, "steps_per_epoch": per_epoch, "warmup_epochs": warmup,
                      "values": [float(v) for v in schedule]})
    return cases


def label_smoothing_case(generator):
    logits = torch.randn(4, 5, generator=generator, requires_grad=True)
    labels = torch.tensor([0, 3, 4, 3])
    loss = LabelSmoothingCrossEntropy(smoothing=0.1)(logits, labels)
    loss.backward()
    torch_loss = torch.nn.functional.cross_entropy(logits.detach(), labels, label_smoothing=0.1)
    return {"smoothing": 0.1, "logits": values(logits), "shape": list(logits.shape), "labels": labels.tolist(),
            "loss": float(loss.detach()), "torch_loss": float(torch_loss), "gradient": values(logits.grad)}


def drop_path_case(generator):
    positions, batch, width, probability = 9, 2, 3, 0.4
    x = torch.randn(positions, batch, width, generator=generator) + 3  # no exact zeros
    torch.manual_seed(7)
    out = drop_path(x, probability, True)
    kept = [int(bool(out[p].abs().sum() > 0)) for p in range(positions)]
    depth, rate = 12, 0.1
    rates = [float(r) for r in torch.linspace(0, rate, depth)]
    return {"probability": probability, "shape_lnd": [positions, batch, width], "input": values(x), "output": values(out),
            "kept": kept, "depth": depth, "rate": rate, "rates": rates}


def ema_case(generator):
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
    initial = {n: values(p) for n, p in model.named_parameters()}
    ema = ModelEma(model, decay=0.9)
    steps = []
    for _ in range(4):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn(p.shape, generator=generator))
        ema.update(model)
        steps.append({"model": {n: values(p) for n, p in model.named_parameters()},
                      "ema": {n: values(p) for n, p in ema.ema.named_parameters()}})
    return {"decay": 0.9, "initial": initial, "steps": steps}


def main(out_dir, ftclip):
    ftclip = Path(ftclip).resolve()
    generator = torch.Generator().manual_seed(20261207)
    golden = {
        "layer_decay": layer_decay_case(ftclip, 0.9),
        "schedules": schedule_cases(ftclip),
        "label_smoothing": label_smoothing_case(generator),
        "drop_path": drop_path_case(generator),
        "ema": ema_case(generator),
    }
    out = Path(out_dir) / "ftclip.json"
    out.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
