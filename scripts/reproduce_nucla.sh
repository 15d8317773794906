#!/usr/bin/env bash
# The README's N-UCLA numbers: the default profile's inter SEQ+STG pretraining for three seeds,
# each evaluated by linear evaluation and 1-NN on the SEQ, STG and concatenated SEQ+STG features,
# plus the untrained encoders. Runs that exist are reused; an interrupted call continues.
#
#   bash scripts/reproduce_nucla.sh ../shared/data/nw-ucla [SEEDS...]    # default seeds: 0 1 2
#
# Then `.venv/bin/python -m skelviz.results outputs/default-nw-ucla --raw-floor 0.75` prints the
# tables (mean +- std over the seeds). Seeds can run side by side, one call each (the README's
# runs: `OMP_NUM_THREADS=1 bash scripts/reproduce_nucla.sh ROOT 0 &` and the same for 1 and 2).
# NUCLA_OPTIONS adds options to every task, for example the cross-view positives beyond the paper
# into their own folder (docs/experiments.md):
#   NUCLA_OPTIONS="--set cross_view_positives=0.5 --output-dir outputs/xview-nw-ucla" bash ...
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_ROOT="${1:?usage: reproduce_nucla.sh NUCLA_ROOT [SEEDS...]}"
shift
SEEDS=("$@")
[[ ${#SEEDS[@]} -gt 0 ]] || SEEDS=(0 1 2)
bash "$REPO_ROOT/scripts/setup.sh" >/dev/null
PY="$REPO_ROOT/.venv/bin/python"
read -r -a OPTIONS <<< "${NUCLA_OPTIONS:-}"
task() { "$PY" -m skelviz "$@" --profile default --data-root "$DATA_ROOT" --no-progress \
    --set dataset=nw-ucla --set representations=seq+stg "${OPTIONS[@]}"; }
for seed in "${SEEDS[@]}"; do
    task pretrain --set seed="$seed"
    for rep in seq stg seq+stg; do
        task linear --set seed="$seed" --set linear.representation="$rep"
        task knn --set seed="$seed" --set knn.representation="$rep"
    done
done
[[ " ${SEEDS[*]} " == *" 0 "* ]] || exit 0  # one call per seed side by side: seed 0's does these
for rep in seq stg; do  # the untrained encoders (seed 0's weights)
    task linear --set linear.representation="$rep" --set linear.pretrained=false
    task knn --set knn.representation="$rep" --set knn.pretrained=false
done
