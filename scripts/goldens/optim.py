"""Reference AdamW trajectories from PyTorch for Tests/Fixtures/training/optim.json.

Each case starts from the same small set of parameters named as Hugging Face names a ViT's,
feeds the same random gradients for a few steps through torch.optim.AdamW, and records the
parameters after every step and the moments at the end. The parameter groups (no decay on
norms, biases and embeddings; layer-wise learning-rate decay) are built here from the names by
an independent implementation of the rules Sources/Training applies, so the Swift test checks
the rules and the update together. The schedule is transformers' cosine-with-warm-up.

Run: python3 scripts/goldens/optim.py Tests/Fixtures/training
"""
import json
import os
import re
import sys

import numpy
import torch
from transformers import get_cosine_schedule_with_warmup

SHAPES = [
    ("vit.embeddings.cls_token", [1, 1, 4]),
    ("vit.embeddings.position_embeddings", [1, 3, 4]),
    ("vit.embeddings.patch_embeddings.projection.weight", [4, 3, 1, 1]),
    ("vit.embeddings.patch_embeddings.projection.bias", [4]),
    ("vit.encoder.layer.0.attention.attention.query.weight", [4, 4]),
    ("vit.encoder.layer.0.attention.attention.query.bias", [4]),
    ("vit.encoder.layer.0.layernorm_before.weight", [4]),
    ("vit.encoder.layer.1.output.dense.weight", [4, 4]),
    ("vit.encoder.layer.1.output.dense.bias", [4]),
    ("vit.layernorm.weight", [4]),
    ("vit.layernorm.bias", [4]),
    ("classifier.weight", [3, 4]),
    ("classifier.bias", [3]),
]
STEPS = 6
DEPTH = 2

EXEMPT_PARTS = ("cls_token", "class_embedding", "position_embedding", "token_embedding", "logit_scale")


def exempt_from_decay(name):
    return name.endswith("bias") or "norm" in name.lower() or any(part in name for part in EXEMPT_PARTS)


def layer_id(name):
    match = re.search(r"encoder\.layers?\.(\d+)\.", name)
    if match:
        return int(match.group(1)) + 1
    if ".embeddings." in name or name.startswith("embeddings.") or "pre_layrnorm" in name:
        return 0
    return DEPTH + 1


CASES = [
    # exempt: no decay on norms, biases and embeddings; warmup: steps of cosine-with-warm-up over STEPS.
    dict(name="plain", lr=1e-2, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0),
    dict(name="weight_decay", lr=5e-2, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.05),
    dict(name="groups_without_decay", lr=5e-2, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.05, exempt=True),
    dict(name="warmup_cosine", lr=5e-2, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.05, exempt=True, warmup=2),
    dict(name="layer_decay", lr=5e-2, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.05, exempt=True, layer_decay=0.65),
    dict(name="clipped", lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05, exempt=True, max_grad_norm=1.0),
]


def values(tensor):
    """Float32 values written with the fewest digits that read back as the same Float32."""
    return [float(str(x)) for x in tensor.detach().reshape(-1).numpy().astype(numpy.float32)]


def run_case(case, initial, grads):
    params = {name: torch.nn.Parameter(initial[name].clone()) for name, _ in SHAPES}
    groups = []
    for name, _ in SHAPES:
        decay = 0.0 if case.get("exempt") and exempt_from_decay(name) else case["weight_decay"]
        scale = case["layer_decay"] ** (DEPTH + 1 - layer_id(name)) if "layer_decay" in case else 1.0
        groups.append({"params": [params[name]], "weight_decay": decay, "lr": case["lr"] * scale})
    optimizer = torch.optim.AdamW(groups, lr=case["lr"], betas=case["betas"], eps=case["eps"])
    scheduler = (get_cosine_schedule_with_warmup(optimizer, case["warmup"], STEPS) if "warmup" in case else None)

    after = {name: [] for name, _ in SHAPES}
    learning_rates = []
    for step in range(STEPS):
        for name, _ in SHAPES:
            params[name].grad = grads[name][step].clone()
        if "max_grad_norm" in case:
            torch.nn.utils.clip_grad_norm_(list(params.values()), case["max_grad_norm"])
        # The learning rate of a group with scale 1 (the last group is the classifier).
        learning_rates.append(optimizer.param_groups[-1]["lr"])
        optimizer.step()
        if scheduler:
            scheduler.step()
        for name, _ in SHAPES:
            after[name].append(values(params[name]))

    parameters = []
    for name, _ in SHAPES:
        state = optimizer.state[params[name]]
        parameters.append({
            "name": name,
            "after": after[name],
            "exp_avg": values(state["exp_avg"]),
            "exp_avg_sq": values(state["exp_avg_sq"]),
        })
    return {
        "name": case["name"],
        "learning_rate": case["lr"],
        "betas": list(case["betas"]),
        "eps": case["eps"],
        "weight_decay": case["weight_decay"],
        "exempt_norms_biases_embeddings": bool(case.get("exempt")),
        "layer_decay": case.get("layer_decay"),
        "warmup_steps": case.get("warmup"),
        "max_grad_norm": case.get("max_grad_norm"),
        "learning_rates": learning_rates,
        "parameters": parameters,
    }


def schedule_table(warmup, total):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = get_cosine_schedule_with_warmup(optimizer, warmup, total)
    multipliers = []
    for _ in range(total + 2):
        multipliers.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return {"warmup_steps": warmup, "total_steps": total, "multipliers": multipliers}


def main(out_dir):
    generator = torch.Generator().manual_seed(20240101)
    initial = {name: torch.randn(shape, generator=generator) for name, shape in SHAPES}
    # Gradients of mixed scale, so that the clipped case is actually clipped.
    grads = {name: [torch.randn(shape, generator=generator) * (1 + step) for step in range(STEPS)] for name, shape in SHAPES}
    golden = {
        "steps": STEPS,
        "parameters": [
            {"name": name, "shape": shape, "initial": values(initial[name]), "grads": [values(g) for g in grads[name]]}
            for name, shape in SHAPES
        ],
        "cases": [run_case(case, initial, grads) for case in CASES],
        "schedules": [schedule_table(3, 20), schedule_table(0, 7), schedule_table(10, 10)],
    }
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "optim.json")
    with open(path, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/training")
