"""Runs vitclip's `bench` and transformers' `bench_torch.py` side by side, interleaved, on the same
checkpoints, photos, batch and thread count, and prints the ratios (benchmarks/run.sh calls this).

Each round runs every job once on each side, alternating which side goes first, so that the load
of a shared machine falls on both alike; each run times several passes or steps after a warm-up,
and the tables report medians. The two sides must agree: the same top-1 label for every photo
(zero-shot) and the same losses (training)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command, env=None):
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command[:4])} ...")
    line = result.stdout.strip().splitlines()[-1]
    data = json.loads(line)
    data["wall_seconds"] = time.time() - started
    return data


def load_average():
    try:
        return float(open("/proc/loadavg").read().split()[0])
    except OSError:
        return float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", required=True, help="the Swift bench executable")
    parser.add_argument("--models", required=True, help="directory holding clip-vit-base-patch32 and vit-base-patch16-224")
    parser.add_argument("--labels", required=True, help="class names, one per line")
    parser.add_argument("--jobs", default="zero-shot,train")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--zero-shot-batch", type=int, default=32)
    parser.add_argument("--zero-shot-repeat", type=int, default=2)
    parser.add_argument("--train-batch", type=int, default=32)
    parser.add_argument("--train-steps", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--optimizer", default="adamw")
    parser.add_argument("--json", help="also write every run's output here")
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()

    clip = os.path.join(args.models, "clip-vit-base-patch32")
    vit = os.path.join(args.models, "vit-base-patch16-224")
    python = [sys.executable, os.path.join(HERE, "bench_torch.py")]
    commands = {
        "zero-shot": (["zero-shot", "--checkpoint", clip, "--labels", args.labels, "--batch", str(args.zero_shot_batch),
                       "--repeat", str(args.zero_shot_repeat)], "images_per_second"),
        "train": (["train", "--checkpoint", vit, "--batch", str(args.train_batch), "--steps", str(args.train_steps),
                   "--optimizer", args.optimizer], "images_per_second"),
    }
    jobs = [job for job in args.jobs.split(",") if job]

    blas = run([args.bench, "blas"])
    print(f"OpenBLAS kernel: {blas['blas_core']}, chosen by OpenBLAS at load: {blas['blas_core_chosen_at_load']} (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '<unset>')}, "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '<unset>')}); GEMM self-check "
          f"{'ok' if blas['gemm_ok'] else 'FAILED'} (max error {blas['gemm_max_error']:.1e}); sgemm GFLOP per CPU second "
          "(per wall second, split over the cores): "
          + ", ".join(f"{k} {blas['gflops_per_cpu_second'][k]:.0f} ({v:.0f})" for k, v in sorted(blas["gflops"].items())),
          flush=True)
    mkl = run(python + ["blas", "--threads", str(args.threads)])
    print("PyTorch's sgemm (MKL) on the same shapes, GFLOP per CPU second: "
          + ", ".join(f"{k} {v:.0f}" for k, v in sorted(mkl["gflops_per_cpu_second"].items())), flush=True)
    blas["torch_gflops_per_cpu_second"] = mkl["gflops_per_cpu_second"]
    if not blas["gemm_ok"]:
        raise SystemExit("OpenBLAS computes wrong products with this kernel: not benchmarking it")

    results = {job: {"swift": [], "torch": []} for job in jobs}
    for round_ in range(args.rounds):
        for job in jobs:
            arguments, _ = commands[job]
            sides = [("swift", [args.bench] + arguments + args.images),
                     ("torch", python + arguments + ["--threads", str(args.threads)] + args.images)]
            if round_ % 2 == 1:
                sides.reverse()
            for side, command in sides:
                load = load_average()
                data = run(command)
                data["load_before"] = load
                results[job][side].append(data)
                share = f", outside sgemm {100 * data['non_gemm_share']:4.1f}% of CPU" if "non_gemm_share" in data else ""
                print(f"  round {round_ + 1} {job:9s} {side:5s}: {data[commands[job][1]]:6.2f} images/s, "
                      f"peak RSS {data['peak_rss_mb']:6.0f} MB{share} (load average {load:.1f})", flush=True)

    print()
    print(f"{'job':10s} {'vitclip img/s':>14s} {'torch img/s':>12s} {'ratio':>6s} {'ratio range':>13s} "
          f"{'vitclip peak MB':>16s} {'torch peak MB':>14s}  agreement")
    summary = {"blas": blas, "jobs": {}}
    for job in jobs:
        key = commands[job][1]
        swift = [r[key] for r in results[job]["swift"]]
        torch = [r[key] for r in results[job]["torch"]]
        # Ratio per round (the two runs of a round saw about the same load).
        ratios = [s / t for s, t in zip(swift, torch)]
        if job == "zero-shot":
            first_s, first_t = results[job]["swift"][0], results[job]["torch"][0]
            same = sum(a == b for a, b in zip(first_s["top1"], first_t["top1"]))
            # A disagreement only counts where transformers' own margin is above float noise.
            clear = [i for i, m in enumerate(first_t["margins"]) if m > 1e-3]
            clear_same = sum(first_s["top1"][i] == first_t["top1"][i] for i in clear)
            worst = max(abs(a - b) for r, q in zip(first_s["logits"], first_t["logits"]) for a, b in zip(r, q))
            agreement = (f"top-1 {same}/{len(first_t['top1'])} photos ({clear_same}/{len(clear)} with margin > 1e-3), "
                         f"max |logit diff| {worst:.1e}")
            ok = clear_same == len(clear)
        else:
            first_s, first_t = results[job]["swift"][0], results[job]["torch"][0]
            worst = max(abs(a - b) / max(1, abs(b)) for a, b in zip(first_s["losses"], first_t["losses"]))
            agreement = f"losses {first_s['losses']} vs {[round(x, 6) for x in first_t['losses']]}, max rel diff {worst:.1e}"
            ok = worst < 1e-3
        non_gemm = statistics.median(r["non_gemm_share"] for r in results[job]["swift"])
        swift_peak = max(r["peak_rss_mb"] for r in results[job]["swift"])
        torch_peak = max(r["peak_rss_mb"] for r in results[job]["torch"])
        print(f"{job:10s} {statistics.median(swift):14.2f} {statistics.median(torch):12.2f} {statistics.median(ratios):6.2f} "
              f"{min(ratios):6.2f}-{max(ratios):<6.2f} {swift_peak:16.0f} {torch_peak:14.0f}  {'OK' if ok else 'MISMATCH'}: {agreement}")
        summary["jobs"][job] = dict(swift=swift, torch=torch, ratios=ratios, ratio=statistics.median(ratios),
                                    swift_peak_mb=swift_peak, torch_peak_mb=torch_peak, agreement=agreement, ok=ok,
                                    non_gemm_share=non_gemm)
        if job == "train":
            step_s = statistics.median(r["seconds_per_step"] for r in results[job]["swift"])
            step_t = statistics.median(r["seconds_per_step"] for r in results[job]["torch"])
            cpu_s = statistics.median(r["cpu_seconds_per_step"] for r in results[job]["swift"])
            cpu_t = statistics.median(r["cpu_seconds_per_step"] for r in results[job]["torch"])
            print(f"{'':10s} seconds per step: vitclip {step_s:.2f}, torch {step_t:.2f} "
                  f"(batch {args.train_batch}, forward + backward + {args.optimizer}); CPU seconds per step "
                  f"(all threads): vitclip {cpu_s:.2f}, torch {cpu_t:.2f}, ratio {cpu_t / cpu_s:.2f}")
        else:
            cpu_s = statistics.median(r["cpu_seconds_per_image"] for r in results[job]["swift"])
            cpu_t = statistics.median(r["cpu_seconds_per_image"] for r in results[job]["torch"])
            print(f"{'':10s} CPU seconds per image (all threads): vitclip {cpu_s:.3f}, torch {cpu_t:.3f}, "
                  f"ratio {cpu_t / cpu_s:.2f}")
        summary["jobs"][job]["cpu_ratio"] = cpu_t / cpu_s
        print(f"{'':10s} vitclip outside sgemm: {100 * non_gemm:.1f}% of its CPU time (median over runs)")

    # The goals, as this run measured them (ratios: median per round, wall clock; CPU in brackets).
    # A speed goal counts as met only when both ratios meet it: on a shared machine one round's wall
    # clock can favour either side by far more than the goal's margin.
    goals = []
    if "zero-shot" in summary["jobs"]:
        z = summary["jobs"]["zero-shot"]
        goals += [(f"zero-shot per image >= 2x transformers: {z['ratio']:.2f}x (CPU {z['cpu_ratio']:.2f}x)",
                   min(z["ratio"], z["cpu_ratio"]) >= 2),
                  (f"B/32 inference peak (batch {args.zero_shot_batch}) < 1.5 GB: {z['swift_peak_mb'] / 1024:.2f} GB "
                   f"(transformers {z['torch_peak_mb'] / 1024:.2f} GB)", z["swift_peak_mb"] < 1.5 * 1024)]
    if "train" in summary["jobs"]:
        t = summary["jobs"]["train"]
        goals += [(f"ViT-B/16 step >= 1.5x PyTorch: {t['ratio']:.2f}x (CPU {t['cpu_ratio']:.2f}x)",
                   min(t["ratio"], t["cpu_ratio"]) >= 1.5),
                  (f"non-GEMM share of the step < 25%: {100 * t['non_gemm_share']:.1f}%", t["non_gemm_share"] < 0.25),
                  (f"ViT-B/16 fine-tuning peak (batch {args.train_batch}) < 8 GB: {t['swift_peak_mb'] / 1024:.2f} GB "
                   f"(PyTorch {t['torch_peak_mb'] / 1024:.2f} GB)", t["swift_peak_mb"] < 8 * 1024)]
    print(f"\ngoals (OpenBLAS {blas['blas_core']}):")
    for text, met in goals:
        print(f"  {'met    ' if met else 'NOT met'}  {text}")
    summary["goals"] = [dict(goal=text, met=met) for text, met in goals]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(summary=summary, runs=results), f)


if __name__ == "__main__":
    main()
