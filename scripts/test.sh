#!/usr/bin/env bash
# The test command: everything CI runs, runnable on any machine from a fresh clone.
#
#   bash scripts/test.sh
#
# Stages (all run; the script fails at the end if any failed):
#   setup     scripts/setup.sh (creates .venv on first use)
#   lint      ruff check + ruff format --check: package, tests, scripts, benchmarks, notebook sources
#   unit      pytest tests/ except the slow integration tests, 2 workers (with Chromium, installed
#             here when missing and allowed: root or passwordless sudo)
#   slow      the integration tests: two-process training, the notebook runner, the benchmarks
#   matrix    every notebook through papermill, ci profile: synthetic set, then N-UCLA when
#             ../shared/data/nw-ucla exists -> outputs/ci-synthetic, outputs/ci-nw-ucla
#   metrics   pytest over the metrics the matrix runs wrote: finite, accuracies in [0, 1], the
#             pretraining loss fell, every 1-NN beat chance
#   stripped  scripts/strip_notebooks.py --check --stored: what git stores has no outputs, counts
#             or plotly.js (a notebook a student ran in JupyterLab does not fail it)
#
# The notebooks' own assertions are their checks, so executing them (matrix) is their test; an
# nbval stage re-ran the same notebooks and compared nothing (they are stored without outputs).
#
# Environment: every stage runs two processes side by side (2 pytest workers, or the two matrix
# runs), so each gets OMP_NUM_THREADS=1 unless set: two torch threads per process on two cores
# made steps 10-40x slower (threads wait for each other). TQDM_DISABLE=1 when CI is set.
# MPLBACKEND is left unset on purpose: the kernel's inline backend works headless, a forced Agg
# drops figures.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
if [[ -n "${CI:-}" ]]; then export TQDM_DISABLE=1; fi
unset MPLBACKEND
export PATH="$REPO_ROOT/.venv/bin:$PATH"  # the python3 kernelspec starts "python" from PATH
PY="$REPO_ROOT/.venv/bin/python"
CELL_TIMEOUT=600
NUCLA="../shared/data/nw-ucla"

declare -a SUMMARY=()
FAILED=0
PASSED=0
SKIPPED=0

# stage NAME COMMAND...: print a header, run, record status and wall time.
stage() {
    local name="$1"; shift
    echo
    echo "=== $name: $*"
    local start=$SECONDS
    "$@"
    local rc=$?
    local took=$((SECONDS - start))
    if [[ $rc -eq 0 ]]; then
        PASSED=$((PASSED + 1)); SUMMARY+=("$(printf '%-16s ok      %4d s' "$name" "$took")")
    else
        FAILED=$((FAILED + 1)); SUMMARY+=("$(printf '%-16s FAILED  %4d s  (exit %d)' "$name" "$took" "$rc")")
    fi
    echo "=== $name: $([[ $rc -eq 0 ]] && echo ok || echo "FAILED (exit $rc)") in ${took} s"
    return 0
}

skip() {
    echo; echo "=== $1: skipped ($2)"
    SKIPPED=$((SKIPPED + 1)); SUMMARY+=("$(printf '%-16s skipped         (%s)' "$1" "$2")")
}

# pytest_stage ARGS...: pytest, where "no tests collected" (exit 5) is a failure with a message.
pytest_stage() {
    "$PY" -m pytest "$@"
    local rc=$?
    if [[ $rc -eq 5 ]]; then echo "pytest collected no tests: this stage must test something" >&2; fi
    return $rc
}

# run_matrix DATASET|ROOT...: every notebook through papermill (ci profile) once per dataset, the
# runs side by side; each run's log is printed when it ends. Fails if any run failed.
run_matrix() {
    local pids=() logs=() entry dataset root rc=0
    for entry in "$@"; do
        dataset="${entry%%|*}"; root="${entry#*|}"
        local log; log="$(mktemp)"; logs+=("$log")
        "$PY" scripts/run_notebooks.py --profile ci --dataset "$dataset" ${root:+--data-root "$root"} \
            --output-dir "outputs/ci-$dataset" --cell-timeout "$CELL_TIMEOUT" >"$log" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || rc=1
        echo "--- matrix run: ${1%%|*}"; shift
        cat "${logs[$i]}"; rm -f "${logs[$i]}"
    done
    return $rc
}

# --- Stages --------------------------------------------------------------------------------------

stage setup bash scripts/setup.sh
if [[ ! -x "$PY" ]]; then
    echo "test.sh: no usable environment in .venv; see the setup stage above" >&2
    exit 1
fi

# Chromium for tests/test_figures_browser.py (saved figures drawn offline in a real browser): installed
# quietly when missing and this user may (root, or sudo without a password); otherwise nothing, and
# that test skips saying why. Never fails the test command.
ensure_chromium() {
    local name
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$name" >/dev/null 2>&1; then return 0; fi
    done
    command -v apt-get >/dev/null 2>&1 || return 0
    local -a as_root=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); else return 0; fi
    fi
    echo "test.sh: installing chromium for the browser test (apt-get, about a minute)"
    quiet_apt_get() {
        ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get "$@" >/dev/null 2>&1
    }
    quiet_apt_get install -y -qq chromium \
        || { quiet_apt_get update -qq && quiet_apt_get install -y -qq chromium; } \
        || echo "test.sh: could not install chromium; the browser test will skip" >&2
    return 0
}
ensure_chromium

LINTED=(skelviz tests scripts benchmarks notebooks/[0-9][0-9]_*.py)
lint() { "$PY" -m ruff check "${LINTED[@]}" && "$PY" -m ruff format --check "${LINTED[@]}"; }
stage lint lint

stage unit pytest_stage tests -q -n 2 -m "not run_outputs and not slow" -p no:cacheprovider
stage slow pytest_stage tests -q -n 2 -m "slow and not run_outputs" -p no:cacheprovider

shopt -s nullglob
NOTEBOOKS=(notebooks/[0-9][0-9]_*.ipynb)
if [[ ${#NOTEBOOKS[@]} -gt 0 ]]; then
    RUNS=(outputs/ci-synthetic)
    MATRIX=("synthetic|")
    if [[ -d "$NUCLA" ]]; then
        RUNS+=(outputs/ci-nw-ucla)
        MATRIX+=("nw-ucla|$NUCLA")
    else
        skip matrix-nw-ucla "$NUCLA not found"
    fi
    stage matrix run_matrix "${MATRIX[@]}"

    SKELVIZ_RUN_OUTPUTS="${RUNS[*]}" stage metrics pytest_stage tests/test_run_notebooks.py \
        -q -m run_outputs -p no:cacheprovider
else
    skip matrix "no notebooks/NN_*.ipynb yet"
    skip metrics "no notebook ran"
fi

stage stripped "$PY" scripts/strip_notebooks.py --check --stored

# --- Summary -----------------------------------------------------------------------------------

echo
echo "=== summary"
printf '%s\n' "${SUMMARY[@]}"
echo "stages: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[[ $FAILED -eq 0 ]]
