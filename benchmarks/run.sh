#!/usr/bin/env bash
# vitclip against transformers on this machine, side by side (see benchmarks/NOTES.md):
#   zero-shot  CLIP ViT-B/32 over the Food-101 sample's JPEGs, decoding and preprocessing included
#   train      one ViT-B/16 fine-tuning step (forward, backward, AdamW) at batch 32
#   vision     the B/32 and B/16 vision towers alone at batch 32, random pixels, against transformers
#              eager, ONNX Runtime and OpenVINO (bench_vision.py; pip install onnxruntime openvino onnx)
# First it prints both product libraries' GEMM rates and the fp32 limit (the best oneDNN rate on the
# models' largest products), and the step's effective FLOP rate as a share of that limit.
# Builds the release `bench`, writes full-size random checkpoints with the project's reference
# script into a cache directory (not the repository), then runs benchmarks/compare.py once per
# OpenBLAS setting:
#   auto      OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: the kernel OpenBLAS picks itself
#   Haswell   the setting the tests and CI use (for the record)
#   SkylakeX  OpenBLAS's AVX-512 kernel, when the processor has AVX-512 (0.3.21 does not
#             recognise every AVX-512 processor, and falls back to an SSE3 kernel on those)
# Each setting first checks OpenBLAS's products against a float64 reference and is skipped if wrong.
#
# Environment: VITCLIP_BENCH_CACHE (default ~/.cache/vitclip-bench), FOOD101_SAMPLE (default
# ../shared/data/food101-sample), SETTINGS (default "auto Haswell SkylakeX"), ROUNDS (default 2),
# JOBS (default zero-shot,train,vision), COMPARE_ARGS (more options for compare.py, e.g. --train-steps 3).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${VITCLIP_BENCH_CACHE:-$HOME/.cache/vitclip-bench}
SAMPLE=${FOOD101_SAMPLE:-../shared/data/food101-sample}
SETTINGS=${SETTINGS:-auto Haswell SkylakeX}
ROUNDS=${ROUNDS:-2}
JOBS=${JOBS:-zero-shot,train,vision}

swift build -c release --product bench
BENCH=$(swift build -c release --product bench --show-bin-path)/bench

if [ ! -f "$CACHE/models/vit-base-patch16-224/model.safetensors" ] || [ ! -f "$CACHE/models/clip-vit-base-patch32/model.safetensors" ]; then
    echo "writing full-size random checkpoints to $CACHE/models"
    mkdir -p "$CACHE"
    # transformers imports torchvision when it is installed; one built for another torch breaks that
    # import, and these checkpoints do not need it.
    python3 -c '
import runpy, sys
sys.modules["torchvision"] = None
sys.argv = ["models.py", "--full-size", sys.argv[1]]
runpy.run_path("scripts/goldens/models.py", run_name="__main__")' "$CACHE/models"
fi

grep -v '^$' "$SAMPLE/meta/labels.txt" > "$CACHE/labels.txt"
mapfile -t IMAGES < <(ls "$SAMPLE"/images/*/*.jpg)
echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); ${#IMAGES[@]} photos, $(wc -l < "$CACHE/labels.txt") labels"

for setting in $SETTINGS; do
    echo
    case $setting in
        auto) prefix=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE) ;;
        SkylakeX|Cooperlake|SapphireRapids)
            if ! grep -q avx512f /proc/cpuinfo; then echo "== $setting: no AVX-512 here, skipped"; continue; fi
            prefix=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=$setting) ;;
        *) prefix=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=$setting) ;;
    esac
    echo "== OpenBLAS setting: $setting"
    "${prefix[@]}" python3 benchmarks/compare.py --bench "$BENCH" --models "$CACHE/models" --labels "$CACHE/labels.txt" \
        --rounds "$ROUNDS" --jobs "$JOBS" --json "$CACHE/results-$setting.json" ${COMPARE_ARGS:-} "${IMAGES[@]}"
done
