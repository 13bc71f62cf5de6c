"""The transformers side of benchmarks/run.sh: the same jobs as the Swift `bench` executable, on the same
checkpoints, photos, batch and thread count, printing the same JSON line.

    bench_torch.py zero-shot --checkpoint DIR --labels FILE [--batch 32] [--repeat 3] [--threads 2] IMAGE...
    bench_torch.py train --checkpoint DIR [--batch 32] [--steps 3] [--optimizer sgd|adamw] [--threads 2] IMAGE...
    bench_torch.py blas [--threads 2]
"""
import argparse
import json
import resource
import sys
import time

# transformers imports torchvision when it is installed; a torchvision built for another torch breaks that
# import, and the slow (PIL) processors we compare with do not need it.
sys.modules["torchvision"] = None

import torch  # noqa: E402
from PIL import Image  # noqa: E402
from transformers import CLIPModel, CLIPProcessor, ViTForImageClassification, ViTImageProcessor  # noqa: E402

TEMPLATE = "a photo of {}, a type of food."


def current_rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_time():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def top_one(rows):
    indices, margins = [], []
    for row in rows:
        best = max(range(len(row)), key=row.__getitem__)
        indices.append(best)
        margins.append(row[best] - max((v for i, v in enumerate(row) if i != best), default=row[best]))
    return indices, margins


def zero_shot(args):
    model = CLIPModel.from_pretrained(args.checkpoint, dtype=torch.float32).eval()
    processor = CLIPProcessor.from_pretrained(args.checkpoint, use_fast=False)
    labels = [line for line in open(args.labels).read().split("\n") if line]
    after_load = current_rss_mb()
    times, cpu_times, logits = [], [], []
    with torch.inference_mode():
        for rep in range(args.repeat + 1):
            start, cpu_start = time.perf_counter(), cpu_time()
            text = processor(text=[TEMPLATE.format(label) for label in labels], return_tensors="pt", padding=True)
            text_embeds = model.get_text_features(**text)
            text_embeds = text_embeds / text_embeds.norm(dim=-1, keepdim=True)
            rows = []
            for i in range(0, len(args.images), args.batch):
                images = [Image.open(path).convert("RGB") for path in args.images[i:i + args.batch]]
                pixels = processor(images=images, return_tensors="pt")["pixel_values"]
                image_embeds = model.get_image_features(pixel_values=pixels)
                image_embeds = image_embeds / image_embeds.norm(dim=-1, keepdim=True)
                rows += (image_embeds @ text_embeds.T * model.logit_scale.exp()).tolist()
            if rep > 0:
                times.append(time.perf_counter() - start)
                cpu_times.append(cpu_time() - cpu_start)
            logits = rows
    top, margins = top_one(logits)
    return dict(images=len(args.images), seconds=times, images_per_second=len(args.images) / median(times), top1=top,
                cpu_seconds=cpu_times, cpu_seconds_per_image=median(cpu_times) / len(args.images),
                margins=margins, logits=logits, rss_after_load_mb=after_load, peak_rss_mb=peak_rss_mb())


def train(args):
    model = ViTForImageClassification.from_pretrained(args.checkpoint, dtype=torch.float32)
    model.train()
    processor = ViTImageProcessor.from_pretrained(args.checkpoint)
    paths = [args.images[i % len(args.images)] for i in range(args.batch)]
    pixels = processor(images=[Image.open(p).convert("RGB") for p in paths], return_tensors="pt")["pixel_values"]
    classes = model.config.num_labels
    labels = torch.tensor([(i * 37) % classes for i in range(args.batch)])
    lr = 1e-4
    if args.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    after_load = current_rss_mb()
    times, cpu_times, losses, after_step = [], [], [], []
    for step in range(args.steps + 1):
        start, cpu_start = time.perf_counter(), cpu_time()
        loss = torch.nn.functional.cross_entropy(model(pixel_values=pixels).logits, labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step > 0:
            times.append(time.perf_counter() - start)
            cpu_times.append(cpu_time() - cpu_start)
        losses.append(loss.item())
        after_step.append(current_rss_mb())
    return dict(batch=args.batch, seconds=times, seconds_per_step=median(times),
                cpu_seconds=cpu_times, cpu_seconds_per_step=median(cpu_times), images_per_second=args.batch / median(times),
                losses=losses, optimizer=args.optimizer, rss_after_load_mb=after_load, rss_after_steps_mb=after_step,
                peak_rss_mb=peak_rss_mb())


def blas(args):
    """The large products of a ViT-B/16 step and a B/32 batch (the shapes `bench blas` times), in GFLOP
    per CPU second of all threads: what MKL does where OpenBLAS runs on the Swift side."""
    shapes = [("qkv B/16", 6304, 2304, 768), ("fc1 B/16", 6304, 3072, 768), ("fc2 B/16", 6304, 768, 3072),
              ("fc1 B/32", 1600, 3072, 768)]
    rates = {}
    for name, m, n, k in shapes:
        a, b = torch.randn(m, k), torch.randn(n, k)
        a @ b.T
        reps = max(3, int(1e10 / (2 * m * n * k)))
        start = cpu_time()
        for _ in range(reps):
            a @ b.T
        rates[name] = 2 * m * n * k * reps / (cpu_time() - start) / 1e9
    return dict(gflops_per_cpu_second=rates, mkl=torch.backends.mkl.is_available())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["zero-shot", "train", "blas"])
    parser.add_argument("--checkpoint")
    parser.add_argument("--labels")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--optimizer", default="adamw", choices=["sgd", "adamw"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("images", nargs="*")
    args = parser.parse_intermixed_args()
    torch.set_num_threads(args.threads)
    if args.command != "blas" and not (args.checkpoint and args.images):
        parser.error(f"{args.command} needs --checkpoint and images")
    result = dict(zero_shot=zero_shot, train=train, blas=blas)[args.command.replace("-", "_")](args)
    result.update(torch_threads=torch.get_num_threads(), torch=torch.__version__)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
