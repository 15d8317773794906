#!/usr/bin/env bash
# The main job: set up the environment, then execute every notebook in order with papermill.
#
#   bash scripts/run.sh                                    # default profile on the synthetic set
#   bash scripts/run.sh --profile ci                       # seconds per notebook
#   bash scripts/run.sh --dataset nw-ucla --data-root ../shared/data/nw-ucla
#   bash scripts/run.sh --only 04 -p REPRESENTATION stg    # one notebook, one knob
#   bash scripts/run.sh --help                             # every option
#
# Executed notebooks, figures, metrics and checkpoints go to outputs/<profile>-<dataset>/.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for arg in "$@"; do  # --help needs no environment: answer it before installing anything
    if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
        exec "${PYTHON:-python3}" "$REPO_ROOT/scripts/run_notebooks.py" --help
    fi
done
bash "$REPO_ROOT/scripts/setup.sh"
exec "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/scripts/run_notebooks.py" "$@"
