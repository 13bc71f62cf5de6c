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
    parser.add_argument("--vision-batch", type=int, default=32)
    parser.add_argument("--vision-repeat", type=int, default=3)
    parser.add_argument("--vision-runtimes", default="torch,onnxruntime,openvino",
                        help="the peers of the model-only forward (bench_vision.py)")
    parser.add_argument("--bench-args", default="", help="more options for every `bench` run, e.g. '--library openblas'")
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
    bench = [args.bench] + args.bench_args.split()

    blas = run(bench + ["blas"])
    limit = blas["limit_gflops"]
    print(f"products: {blas['library']}, precision {blas['precision']}; oneDNN implementations "
          f"{blas['onednn_implementations']}; fp32 limit (best oneDNN rate on the largest products, {args.threads} "
          f"threads): {limit:.0f} GFLOP/s ({blas['limit_gflops_per_cpu_second']:.0f} per CPU second)")
    for library in sorted(blas["gflops"]):
        print(f"  {library:8s} GFLOP per CPU second (per wall second): "
              + ", ".join(f"{k} {blas['gflops_per_cpu_second'][library][k]:.0f} ({v:.0f})"
                          for k, v in sorted(blas["gflops"][library].items())))
    print(f"OpenBLAS kernel: {blas['blas_core']}, chosen by OpenBLAS at load: {blas['blas_core_chosen_at_load']} (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '<unset>')}, "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '<unset>')}); GEMM self-check "
          f"{'ok' if blas['gemm_ok'] else 'FAILED'} (max error {blas['gemm_max_error']:.1e})", flush=True)
    mkl = run(python + ["blas", "--threads", str(args.threads)])
    print("PyTorch's sgemm (MKL) on the same shapes, GFLOP per CPU second: "
          + ", ".join(f"{k} {v:.0f}" for k, v in sorted(mkl["gflops_per_cpu_second"].items())), flush=True)
    blas["torch_gflops_per_cpu_second"] = mkl["gflops_per_cpu_second"]
    if not blas["gemm_ok"]:
        raise SystemExit("a library computes wrong products here: not benchmarking it")
    if "vision" in jobs:
        jobs.remove("vision")
        summary_vision = vision(args, bench, python)
    else:
        summary_vision = None

    results = {job: {"swift": [], "torch": []} for job in jobs}
    for round_ in range(args.rounds):
        for job in jobs:
            arguments, _ = commands[job]
            sides = [("swift", bench + arguments + args.images),
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
    summary = {"blas": blas, "jobs": {}, "vision": summary_vision}
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
            effective = statistics.median(r["effective_gflops"] for r in results[job]["swift"])
            summary["jobs"][job]["flop_share"] = effective / limit
            print(f"{'':10s} vitclip's products: {results[job]['swift'][0]['gemm_flops_per_step'] / 1e12:.2f} TFLOP per step, "
                  f"effective {effective:.0f} GFLOP/s over the step's wall time = {100 * effective / limit:.0f}% of the "
                  f"fp32 limit ({limit:.0f})")
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
        goals += [(f"zero-shot per image >= 1.5x transformers: {z['ratio']:.2f}x (CPU {z['cpu_ratio']:.2f}x)",
                   min(z["ratio"], z["cpu_ratio"]) >= 1.5),
                  (f"B/32 inference peak (batch {args.zero_shot_batch}) < 1.5 GB: {z['swift_peak_mb'] / 1024:.2f} GB "
                   f"(transformers {z['torch_peak_mb'] / 1024:.2f} GB)", z["swift_peak_mb"] < 1.5 * 1024)]
    if "train" in summary["jobs"]:
        t = summary["jobs"]["train"]
        goals += [(f"ViT-B/16 step >= 1.7x PyTorch: {t['ratio']:.2f}x (CPU {t['cpu_ratio']:.2f}x)",
                   min(t["ratio"], t["cpu_ratio"]) >= 1.7),
                  (f"effective FLOP rate of the step >= 80% of the fp32 limit: {100 * t['flop_share']:.0f}%",
                   t["flop_share"] >= 0.8),
                  (f"non-GEMM share of the step < 25%: {100 * t['non_gemm_share']:.1f}%", t["non_gemm_share"] < 0.25),
                  (f"ViT-B/16 fine-tuning peak (batch {args.train_batch}) < 8 GB: {t['swift_peak_mb'] / 1024:.2f} GB "
                   f"(PyTorch {t['torch_peak_mb'] / 1024:.2f} GB)", t["swift_peak_mb"] < 8 * 1024)]
    if summary_vision and "clip-vit-base-patch32" in summary_vision:
        v = summary_vision["clip-vit-base-patch32"]
        goals.append((f"B/32 vision tower alone >= 1.15x the fastest peer ({v['fastest']}): {v['ratio']:.2f}x "
                      f"(CPU {v['cpu_ratio']:.2f}x)", min(v["ratio"], v["cpu_ratio"]) >= 1.15))
    print(f"\ngoals (products: {blas['library']}, precision {blas['precision']}; OpenBLAS {blas['blas_core']}; "
          f"load average now {load_average():.1f}):")
    for text, met in goals:
        print(f"  {'met    ' if met else 'NOT met'}  {text}")
    summary["goals"] = [dict(goal=text, met=met) for text, met in goals]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(summary=summary, runs=results), f)


def vision(args, bench, python):
    """The vision towers alone (B/32 and B/16), vitclip against each runtime of bench_vision.py, interleaved
    round by round; returns per checkpoint the median rates and vitclip's ratio to the fastest peer."""
    runtimes = ["vitclip"] + [r for r in args.vision_runtimes.split(",") if r]
    summary = {}
    for name in ["clip-vit-base-patch32", "vit-base-patch16-224"]:
        checkpoint = os.path.join(args.models, name)
        common = ["--checkpoint", checkpoint, "--batch", str(args.vision_batch), "--repeat", str(args.vision_repeat)]
        runs = {runtime: [] for runtime in runtimes}
        for round_ in range(args.rounds):
            order = runtimes if round_ % 2 == 0 else list(reversed(runtimes))
            for runtime in order:
                command = (bench + ["vision"] + common if runtime == "vitclip" else
                           [sys.executable, os.path.join(HERE, "bench_vision.py"), "--runtime", runtime,
                            "--threads", str(args.threads)] + common)
                load = load_average()
                data = run(command)
                runs[runtime].append(data)
                print(f"  round {round_ + 1} vision {name} {runtime:11s}: {data['images_per_second']:6.2f} images/s, "
                      f"{data['cpu_seconds_per_image']:.3f} CPU s/image (load average {load:.1f})", flush=True)
        rate = {r: statistics.median(d["images_per_second"] for d in runs[r]) for r in runtimes}
        cpu = {r: statistics.median(d["cpu_seconds_per_image"] for d in runs[r]) for r in runtimes}
        peers = runtimes[1:]
        fastest = max(peers, key=rate.get) if peers else "vitclip"
        summary[name] = dict(rate=rate, cpu_seconds_per_image=cpu, fastest=fastest, ratio=rate["vitclip"] / rate[fastest],
                             cpu_ratio=cpu[fastest] / cpu["vitclip"], versions={r: runs[r][0].get("version") for r in peers})
        print(f"vision {name}, batch {args.vision_batch}: " + ", ".join(f"{r} {rate[r]:.2f} img/s ({cpu[r]:.3f} CPU s/img)"
              for r in runtimes) + f"; vitclip / fastest peer ({fastest}): {summary[name]['ratio']:.2f}x wall, "
              f"{summary[name]['cpu_ratio']:.2f}x CPU", flush=True)
    return summary


if __name__ == "__main__":
    main()
