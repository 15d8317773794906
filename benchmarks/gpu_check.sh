#!/usr/bin/env bash
# The prepared GPU check: on a CUDA machine, inside 8 minutes, one JSON of measurements.
#
#   bash benchmarks/gpu_check.sh [OUT_JSON]      # default: benchmarks/results/gpu_check.json
#
# Installs what it needs when missing (the project with its test extra, torch as the machine has
# it), then runs benchmarks/gpu_check.py: the CUDA-marked tests, the paper-preset inter SEQ+STG
# step at batch 64 and 256 with and without bf16 autocast (samples/s, peak memory), and a 2-epoch
# full-profile smoke run on a synthetic NTU-shaped set. Put the numbers in benchmarks/README.md.
# Never part of the test command: no test depends on a GPU.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-benchmarks/results/gpu_check.json}"
mkdir -p "$(dirname "$OUT")"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import skelviz, torch, pytest' 2>/dev/null; then
    echo "gpu_check: installing skelviz[test] (torch as installed)"
    "$PY" -m pip install -q -e ".[test]" || exit 1
fi
"$PY" -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"' || exit 1
export PYTHONUNBUFFERED=1
exec timeout 480 "$PY" benchmarks/gpu_check.py --out "$OUT"
