"""The vision tower alone, on the CPU runtimes vitclip is compared with: transformers eager (PyTorch),
ONNX Runtime and OpenVINO, fp32, same batch and thread count, random pixels, on the checkpoint the
Swift `bench vision` reads. The ONNX file is exported here from that checkpoint (once, kept beside it).

    bench_vision.py --checkpoint DIR --runtime torch|onnxruntime|openvino [--batch 32] [--repeat 3] [--threads 2]

Prints one JSON line like `bench vision`: CLIP's pooled output (B/32) or ViT's final-LayerNorm'd
[CLS] features (B/16), the outputs vitclip's tower computes."""
import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.modules["torchvision"] = None

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import AutoConfig, CLIPVisionModel, ViTModel  # noqa: E402


def cpu_time():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Tower(torch.nn.Module):
    """pixel values -> the tower's pooled features."""

    def __init__(self, checkpoint):
        super().__init__()
        if AutoConfig.from_pretrained(checkpoint).model_type == "clip":
            self.model, self.clip = CLIPVisionModel.from_pretrained(checkpoint, dtype=torch.float32), True
        else:
            self.model, self.clip = ViTModel.from_pretrained(checkpoint, dtype=torch.float32, add_pooling_layer=False), False
        self.model.eval()

    def forward(self, pixels):
        out = self.model(pixel_values=pixels)
        return out.pooler_output if self.clip else out.last_hidden_state[:, 0]


def onnx_file(checkpoint, batch):
    path = os.path.join(checkpoint, f"vision-batch{batch}.onnx")
    if not os.path.exists(path):
        tower = Tower(checkpoint)
        temporary = path + ".partial"
        with torch.inference_mode():
            torch.onnx.export(tower, (torch.zeros(batch, 3, 224, 224),), temporary, input_names=["pixels"],
                              output_names=["features"], opset_version=17, dynamo=False)
        os.replace(temporary, path)
    return path


def runner(args):
    if args.runtime == "torch":
        tower = Tower(args.checkpoint)

        def run(pixels):
            with torch.inference_mode():
                return tower(torch.from_numpy(pixels)).numpy()
        return run, torch.__version__
    path = onnx_file(args.checkpoint, args.batch)
    if args.runtime == "onnxruntime":
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = args.threads, 1
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        return (lambda pixels: session.run(None, {"pixels": pixels})[0]), onnxruntime.__version__
    import openvino
    core = openvino.Core()
    compiled = core.compile_model(path, "CPU", {"INFERENCE_NUM_THREADS": args.threads, "INFERENCE_PRECISION_HINT": "f32",
                                                "PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()
    return (lambda pixels: request.infer({0: pixels})[0]), openvino.__version__


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--runtime", required=True, choices=["torch", "onnxruntime", "openvino"])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run, version = runner(args)
    pixels = np.random.default_rng(2024).uniform(-2, 2, (args.batch, 3, 224, 224)).astype(np.float32)
    times, cpu_times = [], []
    for rep in range(args.repeat + 1):
        start, cpu_start = time.perf_counter(), cpu_time()
        run(pixels)
        if rep > 0:
            times.append(time.perf_counter() - start)
            cpu_times.append(cpu_time() - cpu_start)
    print(json.dumps(dict(runtime=args.runtime, version=version, batch=args.batch, seconds=times,
                          images_per_second=args.batch / statistics.median(times),
                          cpu_seconds_per_image=statistics.median(cpu_times) / args.batch,
                          peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), sort_keys=True))


if __name__ == "__main__":
    main()
