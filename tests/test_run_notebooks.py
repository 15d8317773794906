"""The notebook runner (``scripts/run_notebooks.py``) and the metrics its runs leave behind.

Two groups:
- runner tests on throwaway notebooks written into ``tmp_path`` (one real papermill run: a
  passing and a failing notebook, so parameter injection, the kernel's interpreter and working
  directory, the failure report and the exit status are all observed, not assumed);
- ``run_outputs`` checks over ``outputs/*/run_summary.json`` (the papermill matrix of
  ``scripts/test.sh``, stage e): every notebook of the run finished and wrote fresh metrics, all
  finite and within loose bounds. Skipped when no run has left outputs; ``SKELVIZ_RUN_OUTPUTS``
  (space-separated folders) restricts them to given runs.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "scripts" / "run_notebooks.py"


def load_runner():
    spec = importlib.util.spec_from_file_location("run_notebooks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


runner = load_runner()


# --- Throwaway notebooks -----------------------------------------------------------------------


def write_notebook(path: Path, parameters: str, *code: str) -> None:
    def cell(kind, text, tags=()):
        extra = {"outputs": [], "execution_count": None} if kind == "code" else {}
        return {
            "cell_type": kind,
            "metadata": {"tags": list(tags)} if tags else {},
            "source": text,
            **extra,
        }

    notebook = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "cells": [
            cell("markdown", f"# {path.name[:2]} · Test"),
            cell("code", parameters, ["parameters"]),
        ]
        + [cell("code", c) for c in code],
    }
    path.write_text(json.dumps(notebook), encoding="utf-8")


STANDARD = (
    'PROFILE = "ci"\nDATASET = "synthetic"\nDATA_ROOT = ""\nDEVICE = "auto"\nSEED = 0\n'
    'OUTPUT_DIR = "outputs"\n'
)
RECORD = """
import json, os, sys, pathlib
folder = pathlib.Path(OUTPUT_DIR) / "metrics"
folder.mkdir(parents=True, exist_ok=True)
seen = dict(profile=PROFILE, seed=SEED, knob=KNOB, cwd=os.getcwd(), prefix=sys.prefix)
(folder / "00_records.json").write_text(json.dumps(seen))
"""


@pytest.fixture
def notebooks(tmp_path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "00_records.ipynb", STANDARD + "KNOB = 1\n", RECORD)
    write_notebook(
        folder / "01_fails.ipynb", STANDARD, "x = 1", "# the bad cell\nraise ValueError('boom')"
    )
    write_notebook(folder / "02_other.ipynb", STANDARD, "y = 2")
    (folder / "scratch.ipynb").write_text("{}")  # not NN_: never selected
    return folder


# --- Runner: pure parts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("3", 3),
        ("1e-3", 1e-3),
        ("True", True),
        ("seq+stg", "seq+stg"),
        ("'x'", "x"),
        ("[1]", "[1]"),
    ],
)
def test_parse_value(text, value):
    assert runner.parse_value(text) == value
    assert type(runner.parse_value(text)) is type(value)


def test_select_notebooks_orders_and_filters(notebooks):
    assert [p.name for p in runner.select_notebooks(notebooks, "")] == [
        "00_records.ipynb",
        "01_fails.ipynb",
        "02_other.ipynb",
    ]
    assert [p.name for p in runner.select_notebooks(notebooks, "2,00")] == [
        "00_records.ipynb",
        "02_other.ipynb",
    ]
    with pytest.raises(SystemExit, match="no notebook numbered 07"):
        runner.select_notebooks(notebooks, "00,07")


def test_declared_parameters(notebooks):
    index, names = runner.declared_parameters(notebooks / "00_records.ipynb")
    assert index == 1 and names == {
        "PROFILE",
        "DATASET",
        "DATA_ROOT",
        "DEVICE",
        "SEED",
        "OUTPUT_DIR",
        "KNOB",
    }


def test_unknown_extra_parameter_and_missing_data_root_are_refused(notebooks, capsys):
    base = ["--notebooks-dir", str(notebooks), "--list"]
    assert runner.main(base + ["-p", "KNOBB", "2"]) == 2
    assert "KNOBB" in capsys.readouterr().err
    assert runner.main(base + ["--data-root", str(notebooks / "absent")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert runner.main(base + ["--only", "02", "-p", "KNOB", "2"]) == 2, (
        "KNOB is declared only by 00"
    )
    assert runner.main(base + ["--dataset", "nw_ucla"]) == 2
    assert "unknown --dataset 'nw_ucla'" in capsys.readouterr().err
    assert runner.main(base + ["--dataset", "nw-ucla"]) == 0


# --- Runner: one real papermill run ------------------------------------------------------------


@pytest.mark.slow
def test_runs_in_order_injects_parameters_and_reports_failure(notebooks, tmp_path):
    out = tmp_path / "out"
    command = [
        sys.executable,
        str(SCRIPT),
        "--notebooks-dir",
        str(notebooks),
        "--profile",
        "ci",
        "--seed",
        "5",
        "--output-dir",
        str(out),
        "-p",
        "KNOB",
        "7",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    # Progress lines in order, then the failure named by notebook, cell and exception.
    lines = result.stdout.splitlines()
    progress = [
        ln.split() for ln in lines if re.match(r"\[\d/3\] \S+ (ok|failed) in [\d.]+ s$", ln)
    ]
    assert [p[1] for p in progress] == ["00_records.ipynb", "01_fails.ipynb", "02_other.ipynb"]
    assert [p[2] for p in progress] == ["ok", "failed", "ok"], "a failure does not stop the run"
    assert (
        "FAILED 01_fails.ipynb: cell 4 (" in result.stderr and "ValueError: boom" in result.stderr
    )
    assert "`# the bad cell`" in result.stderr

    # The kernel saw the injected values, ran in the repo root, on this environment's interpreter.
    seen = json.loads((out / "metrics" / "00_records.json").read_text())
    assert seen == {
        "profile": "ci",
        "seed": 5,
        "knob": 7,
        "cwd": str(REPO_ROOT),
        "prefix": sys.prefix,
    }

    # Executed notebooks land in OUTPUT_DIR/notebooks; -p goes only where it is declared.
    def injected(name):
        cells = json.loads((out / "notebooks" / name).read_text())["cells"]
        return next(
            "".join(c["source"])
            for c in cells
            if "injected-parameters" in c["metadata"].get("tags", [])
        )

    assert "KNOB = 7" in injected("00_records.ipynb")
    assert "KNOB" not in injected("02_other.ipynb") and 'PROFILE = "ci"' in injected(
        "02_other.ipynb"
    )

    summary = json.loads((out / "run_summary.json").read_text())
    assert [r["status"] for r in summary["results"]] == ["ok", "failed", "ok"]
    assert summary["parameters"]["OUTPUT_DIR"] == str(out)


@pytest.mark.slow
def test_a_kernel_that_dies_at_start_is_started_again_but_a_failing_cell_is_not(
    notebooks, tmp_path, monkeypatch
):
    import papermill

    calls = []

    def flaky(*args, **kwargs):  # the kernel start race seen once in CI, then a clean start
        calls.append(args[0])
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    monkeypatch.setattr(runner.time, "sleep", lambda seconds: None)
    args = runner.parse_args(["--notebooks-dir", str(notebooks)])
    notebook = runner.select_notebooks(notebooks, "00")[0]
    assert runner.run_notebook(notebook, tmp_path / "a.ipynb", {}, args, 60).status == "ok"
    assert len(calls) == 2

    def cell_error(*args, **kwargs):
        calls.append(args[0])
        raise ValueError("boom")

    monkeypatch.setattr(papermill, "execute_notebook", cell_error)
    calls.clear()
    result = runner.run_notebook(notebook, tmp_path / "b.ipynb", {}, args, 60)
    assert result.status == "failed" and "boom" in result.error and len(calls) == 1


# --- Metrics left by notebook runs (scripts/test.sh stage e) --------------------------------------


def run_folders() -> list[Path]:
    given = os.environ.get("SKELVIZ_RUN_OUTPUTS", "").split()
    folders = [Path(g) if Path(g).is_absolute() else REPO_ROOT / g for g in given]
    return folders or sorted(p.parent for p in (REPO_ROOT / "outputs").glob("*/run_summary.json"))


RUNS = run_folders()
ACCURACY_KEY = re.compile(r"(^|_)(acc|accuracy|top1|top5|knn\w*)(_|$)")


def numeric_leaves(value, key=""):
    """(key, number) for every number in a JSON value, keyed by the innermost dict key."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from numeric_leaves(v, str(k).lower())
    elif isinstance(value, list):
        for v in value:
            yield from numeric_leaves(v, key)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield key, value


def test_numeric_leaves_and_bounds_helpers():
    leaves = dict(
        numeric_leaves({"a": {"knn_acc": 0.5, "flag": True}, "loss": [1.0, 2.0], "n": "3"})
    )
    assert leaves == {"knn_acc": 0.5, "loss": 2.0}
    assert (
        ACCURACY_KEY.search("knn_acc")
        and ACCURACY_KEY.search("top1")
        and not ACCURACY_KEY.search("accelerator")
    )


def what_a_run_must_show(metrics: dict) -> list[str]:
    """Problems with a notebook's metrics: pretraining lowered the loss (last epoch below epoch 2,
    the first whose queue holds only real keys) and every 1-NN accuracy beat chance."""
    problems = []
    if "loss_epoch_2" in metrics and "loss_last_epoch" in metrics:
        if not metrics["loss_last_epoch"] < metrics["loss_epoch_2"]:
            problems.append(
                f"loss did not fall: epoch 2 {metrics['loss_epoch_2']:.4f}, "
                f"last {metrics['loss_last_epoch']:.4f}"
            )
    chance = metrics.get("chance")
    for key, value in metrics.items():
        if chance is not None and key.startswith("knn_1nn") and not value > chance:
            problems.append(f"{key} = {value:.3f} does not beat chance {chance:.3f}")
    return problems


def test_what_a_run_must_show_can_fail():
    good = {"loss_epoch_2": 5.0, "loss_last_epoch": 4.0, "chance": 0.1, "knn_1nn_pretrained": 0.3}
    assert what_a_run_must_show(good) == []
    assert "loss did not fall" in what_a_run_must_show({**good, "loss_last_epoch": 5.5})[0]
    assert (
        "does not beat chance" in what_a_run_must_show({**good, "knn_1nn_untrained[seq]": 0.1})[0]
    )


@pytest.mark.run_outputs
@pytest.mark.parametrize("run", RUNS, ids=[p.name for p in RUNS])
def test_every_notebook_run_wrote_sane_metrics(run):
    summary_path = run / "run_summary.json"
    assert summary_path.exists(), f"{run} has no run_summary.json: did the runner run there?"
    summary = json.loads(summary_path.read_text())
    assert summary["results"], f"{run}: no notebook ran"
    unfinished = [r["notebook"] for r in summary["results"] if r["status"] != "ok"]
    assert not unfinished, f"{run}: these notebooks failed, so wrote no metrics: {unfinished}"
    for result in summary["results"]:
        stem = Path(result["notebook"]).stem
        path = run / "metrics" / f"{stem}.json"
        assert path.exists(), f"{result['notebook']} ran but wrote no {path}"
        assert path.stat().st_mtime >= result["started_at"] - 2, (
            f"{path} is stale (older than the run)"
        )
        metrics = json.loads(path.read_text())
        leaves = list(numeric_leaves(metrics))
        assert leaves, f"{path} holds no number"
        for key, number in leaves:
            assert math.isfinite(number), f"{path}: {key} = {number}"
            if ACCURACY_KEY.search(key):  # skelviz stores accuracies as fractions
                assert 0 <= number <= 1, f"{path}: {key} = {number} is not an accuracy in [0, 1]"
            if "loss" in key:
                assert number >= 0, f"{path}: {key} = {number} (contrastive losses are >= 0)"
        for problem in what_a_run_must_show(metrics.get("metrics", {})):
            pytest.fail(f"{path}: {problem}")
        # skelviz.metrics.record_metrics writes {"notebook", "metrics", "provenance": {...}}.
        provenance = metrics.get("provenance", {})
        for key in ("profile", "dataset"):
            if key in provenance:
                expected = summary["parameters"][key.upper()]
                assert provenance[key] == expected, (
                    f"{path}: {key} {provenance[key]!r}, run used {expected!r}"
                )
        assert metrics.get("notebook", stem) == stem, (
            f"{path}: recorded for {metrics['notebook']!r}"
        )


def test_progress_echo_prints_what_the_engine_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "PROGRESS_EVERY_S", 0.05)
    path = tmp_path / "nb.progress"
    with runner.ProgressEcho("04_x", path, interactive=True):
        assert os.environ[runner.PROGRESS_FILE_VARIABLE] == str(path)  # the kernel inherits it
        path.write_text("pretrain intra_seq-1: epoch 1/4, loss 3.000, about 0.2 min left\n")
        time.sleep(0.3)
    assert runner.PROGRESS_FILE_VARIABLE not in os.environ and not path.exists()
    assert "    04_x: pretrain intra_seq-1: epoch 1/4" in capsys.readouterr().out


def test_the_engine_writes_progress_where_the_runner_reads_it(tmp_path, monkeypatch):
    from skelviz.runs.engine import PROGRESS_FILE_VARIABLE

    assert PROGRESS_FILE_VARIABLE == runner.PROGRESS_FILE_VARIABLE
    target = tmp_path / "p.txt"
    monkeypatch.setenv(PROGRESS_FILE_VARIABLE, str(target))
    from skelviz.runs.api import run
    from skelviz.runs.config import resolve_config

    cfg = resolve_config("ci", representations="seq", epochs=2, device="cpu")
    run("pretrain", cfg, output_dir=tmp_path, progress=False, say=lambda *_: None)
    line = target.read_text()
    assert line.startswith("pretrain intra_seq-") and "epoch 2/2" in line and "done" in line


def test_run_sh_answers_help_without_installing(tmp_path):
    venv = tmp_path / "venv"  # setup would create it; --help must not
    env = {**os.environ, "SKELVIZ_VENV": str(venv), "PYTHON": sys.executable}
    done = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "run.sh"), "--help"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and "--profile" in done.stdout
    assert not venv.exists() and "setup:" not in done.stdout + done.stderr


def test_kernels_get_every_core_only_on_an_idle_machine(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(runner.time, "sleep", lambda seconds: None)

    def samples(*pairs):  # successive (total, idle) CPU times, as /proc/stat would give them
        it = iter(pairs)
        monkeypatch.setattr(runner, "cpu_times", lambda: next(it))

    samples((1000.0, 800.0), (1100.0, 895.0))  # 95 of 100 ticks idle: 0.1 cores busy
    assert runner.default_threads() == "2"
    samples((1000.0, 800.0), (1100.0, 850.0))  # half the ticks busy: one core taken
    assert runner.default_threads() == "1"
    # no /proc/stat: the load average decides (a job that just ended still counts there)
    monkeypatch.setattr(runner, "cpu_times", lambda: open("/nonexistent/stat"))
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.5, 0.5))
    assert runner.default_threads() == "2"
    monkeypatch.setattr(os, "getloadavg", lambda: (1.3, 0.5, 0.5))
    assert runner.default_threads() == "1"


def test_the_html_report_fetches_nothing_and_embeds_its_figures(tmp_path):
    """The page the main job writes for the report opens offline: no <script> that loads code
    from the network (nbconvert's template links require.js, MathJax and mermaid on a CDN), the
    figure as an embedded PNG, the text and tables kept."""
    import base64

    import nbformat

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("| claim | verdict |\n|---|---|\n| inter | agrees |"),
        nbformat.v4.new_code_cell("fig", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": png, "text/plain": "<Figure>"})]),
    ]  # fmt: skip
    executed = tmp_path / "09_report.ipynb"
    nbformat.write(nb, executed)
    page = runner.render_html(executed).read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>.*?</script>", page, re.DOTALL)
    assert scripts == [s for s in scripts if "http://" not in s and "https://" not in s]
    assert f"data:image/png;base64,{png}" in page
    assert "agrees" in page and "<table" in page
    # the same page from nbconvert alone does link the network: the filter is what removes it
    from nbconvert import HTMLExporter

    assert "https://cdnjs" in HTMLExporter().from_filename(str(executed))[0]
