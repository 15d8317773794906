#!/usr/bin/env bash
# Create or refresh the project's virtual environment in .venv (idempotent, quiet).
#
#   bash scripts/setup.sh            # first run: creates .venv, installs torch + skelviz[notebooks,test]
#   bash scripts/setup.sh            # later runs: a no-op while pyproject.toml is unchanged
#   SKELVIZ_FORCE_SETUP=1 bash scripts/setup.sh   # reinstall anyway (SKELVIZ_SETUP_VERBOSE=1: pip's output)
#
# Environment knobs:
#   PYTHON              interpreter that creates the venv (default: python3; needs >= 3.10)
#   SKELVIZ_VENV        venv folder (default: <repo>/.venv)
#   SKELVIZ_TORCH_SPEC  torch requirement installed first (default: torch==2.13.0). The pin picks the
#                       CPU build where pip's configuration offers one (a local wheel folder or the
#                       PyTorch CPU index); a bare requirement would pull the multi-GB CUDA build from
#                       PyPI. For a GPU machine use e.g. SKELVIZ_TORCH_SPEC="torch==2.13.0" with the CUDA
#                       index in PIP_EXTRA_INDEX_URL. The project itself only requires a range.
#
# Registers nothing global: no Jupyter kernel is installed. The runner puts .venv/bin first on PATH,
# so the notebooks' "python3" kernel is this venv's interpreter.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SKELVIZ_VENV:-$REPO_ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${SKELVIZ_TORCH_SPEC:-torch==2.13.0}"
STAMP="$VENV/.skelviz-setup-stamp"

# --- Python version check ----------------------------------------------------------------------
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "setup: '$PYTHON' not found. Install Python >= 3.10 or set PYTHON=/path/to/python3." >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
    echo "setup: skelviz needs Python >= 3.10, but $PYTHON is $("$PYTHON" -c 'import platform; print(platform.python_version())')." >&2
    echo "       Set PYTHON=/path/to/python3.10+ and run again." >&2
    exit 1
fi

# --- Skip when nothing changed ---------------------------------------------------------------------
# The stamp holds a hash of everything that decides what gets installed.
want_stamp="$(cat "$REPO_ROOT/pyproject.toml" <(echo "$TORCH_SPEC") | "$PYTHON" -c \
    'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [[ -z "${SKELVIZ_FORCE_SETUP:-}" && -x "$VENV/bin/python" && -f "$STAMP" ]] \
    && [[ "$(cat "$STAMP")" == "$want_stamp" ]] \
    && "$VENV/bin/python" -c 'import importlib.util as u, sys
sys.exit(any(u.find_spec(m) is None for m in ("skelviz", "torch", "papermill", "jupytext", "ruff")))' 2>/dev/null; then
    echo "setup: $VENV is up to date"
    exit 0
fi

# --- Create the venv and install ---------------------------------------------------------------------
start=$SECONDS
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "setup: creating $VENV (first run only; the whole setup usually takes 2-4 minutes)"
    "$PYTHON" -m venv "$VENV"
fi
if [[ ! -f "$VENV/pyvenv.cfg" ]]; then  # never pip-install into an interpreter outside a venv
    echo "setup: $VENV is not a virtual environment (no pyvenv.cfg); remove it or set SKELVIZ_VENV." >&2
    exit 1
fi
# -qq: errors only (pip's warnings about the machine's own index configuration are noise here);
# SKELVIZ_SETUP_VERBOSE=1 shows everything.
PIP_QUIET=(-qq)
if [[ -n "${SKELVIZ_SETUP_VERBOSE:-}" ]]; then PIP_QUIET=(); fi
pip_install() {
    "$VENV/bin/python" -m pip install "${PIP_QUIET[@]}" --disable-pip-version-check "$@"
}
echo "setup: installing $TORCH_SPEC (the CPU build is about 200 MB; usually 1-2 minutes)"
pip_install "$TORCH_SPEC"
echo "setup: installing skelviz[notebooks,test] (editable): numpy, matplotlib, plotly, scikit-learn,"
echo "       jupyterlab, papermill, jupytext, pytest, ruff and their dependencies (usually 1-2 minutes)"
pip_install -e "$REPO_ROOT[notebooks,test]"
"$VENV/bin/python" -c 'import skelviz, torch; print(f"setup: skelviz {skelviz.__version__}, torch {torch.__version__}")'
echo "$want_stamp" >"$STAMP"
echo "setup: done in $((SECONDS - start)) s"
