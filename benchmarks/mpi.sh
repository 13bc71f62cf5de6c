#!/usr/bin/env bash
# Data-parallel throughput on this machine: 1 rank against 2 ranks, each rank bound to one core
# (`--bind-to core`: TensorCore then runs one thread a rank, since it counts the cores of its affinity mask), for
#   train-dp      a ViT-B/16 fine-tuning step (forward, backward, all-reduce, AdamW) at a global batch of 32
#   zero-shot-dp  CLIP ViT-B/32 zero-shot scoring of the Food-101 sample's JPEGs
# The full-size random checkpoints are the ones benchmarks/run.sh writes. Prints one JSON line per
# run and the speed-ups. The goal for training is 2 ranks >= 1.8x one rank; on a machine shared
# with other work the ratio says as much about the load as about the code (the script prints it).
#
# Environment: VITCLIP_BENCH_CACHE (default ~/.cache/vitclip-bench), FOOD101_SAMPLE (default
# ../shared/data/food101-sample), STEPS (timed training steps, default 2), IMAGES (zero-shot images,
# default 64), JOBS (default "train-dp zero-shot-dp"), BUILD_FLAGS (more swift build flags).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${VITCLIP_BENCH_CACHE:-$HOME/.cache/vitclip-bench}
SAMPLE=${FOOD101_SAMPLE:-../shared/data/food101-sample}
STEPS=${STEPS:-2}
IMAGES=${IMAGES:-64}
for model in vit-base-patch16-224 clip-vit-base-patch32; do
    [ -f "$CACHE/models/$model/model.safetensors" ] || { echo "run benchmarks/run.sh first: it writes $CACHE/models/$model"; exit 1; }
done

swift build -c release ${BUILD_FLAGS:-} --product bench
BENCH=$(swift build -c release ${BUILD_FLAGS:-} --product bench --show-bin-path)/bench
mapfile -t JPEGS < <(find "$SAMPLE/images" -name '*.jpg' | sort | head -n "$IMAGES")
grep -v '^$' "$SAMPLE/meta/labels.txt" > "$CACHE/labels.txt"
MPIRUN=(mpirun --allow-run-as-root --bind-to core --map-by core -x OPENBLAS_CORETYPE)
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for job in ${JOBS:-train-dp zero-shot-dp}; do
    if [ "$job" = train-dp ]; then
        args=(--checkpoint "$CACHE/models/vit-base-patch16-224" --steps "$STEPS" "${JPEGS[@]:0:32}")
    else
        args=(--checkpoint "$CACHE/models/clip-vit-base-patch32" --labels "$CACHE/labels.txt" --repeat 2 "${JPEGS[@]}")
    fi
    for ranks in 1 2; do
        "${MPIRUN[@]}" -np "$ranks" "$BENCH" "$job" "${args[@]}" | tee "$CACHE/mpi-$job-$ranks.json"
        echo "load after $job on $ranks rank(s): $(cut -d' ' -f1-3 /proc/loadavg)"
    done
    python3 -c 'import json,sys; one,two=(json.load(open(f)) for f in sys.argv[2:]); print("%s: 2 ranks / 1 rank = %.2fx" % (sys.argv[1], two["images_per_second"]/one["images_per_second"]))' \
        "$job" "$CACHE/mpi-$job-1.json" "$CACHE/mpi-$job-2.json"
done
