"""``python -m skelviz TASK``: one command line for every task; user errors are one line, exit 2."""

import json
import subprocess
import sys

import pytest

from skelviz.runs import cli
from skelviz.runs.config import ConfigError


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skelviz", *args], capture_output=True, text=True,
                          timeout=300, **kwargs)  # fmt: skip


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "learning_rate=0.1"], "unknown config field 'learning_rate'"),
        (["--set", "lr=-1"], "lr: must be a number > 0"),
        (["--set", "lr"], "--set needs FIELD=VALUE"),
        (["--set", "device=cuda:7"], "device: 'cuda:7'"),
        (["--set", "protocol=cross_galaxy"], "has no split 'cross_galaxy'"),
        (
            ["--set", "dataset=nw-ucla", "--data-root", "/nonexistent/nw-ucla"],
            "/nonexistent/nw-ucla",
        ),
        (["--stop-after", "0"], "--stop-after must be >= 1, got 0"),
        (["--data-root", "/some/folder"], "dataset 'synthetic' reads no files"),
        (["--set", "dataset=kinetics"], "dataset: unknown 'kinetics'"),
        (["--set", 'dataset_options={"normalization": "robust"}'], "reader does not take"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(tmp_path, args, message):
    done = run_cli("pretrain", "--profile", "ci", "--output-dir", str(tmp_path), *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("skelviz: error: ") and message in done.stderr


def test_no_cuda_fails_before_any_data_loads(tmp_path, monkeypatch, capsys):
    import torch

    import skelviz.runs.data as data

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(data, "load_run_data", lambda *a, **k: pytest.fail("data loaded"))
    with pytest.raises(SystemExit) as stop:
        cli.main(
            ["pretrain", "--profile", "ci", "--set", "device=cuda", "--output-dir", str(tmp_path)]
        )
    assert stop.value.code == 2 and "CUDA is not available" in capsys.readouterr().err


def test_an_unwritable_output_folder_fails_before_any_data_loads(tmp_path, monkeypatch, capsys):
    import skelviz.runs.data as data

    blocker = tmp_path / "file"
    blocker.write_text("a file where the output folder should go")
    monkeypatch.setattr(data, "load_run_data", lambda *a, **k: pytest.fail("data loaded"))
    with pytest.raises(SystemExit) as stop:
        cli.main(["pretrain", "--profile", "ci", "--output-dir", str(blocker / "out")])
    assert stop.value.code == 2 and "cannot write there" in capsys.readouterr().err


def test_unknown_task_is_refused_by_argparse():
    done = run_cli("finetune-everything")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_overrides_parse_json_values_and_keep_strings():
    items = ["lr=0.1", "milestones=[2,3]", "amp=true", "representations=seq+stg"]
    assert cli.parse_overrides(items) == {
        "lr": 0.1, "milestones": [2, 3], "amp": True, "representations": "seq+stg",
    }  # fmt: skip
    with pytest.raises(ConfigError):
        cli.parse_overrides(["=3"])


@pytest.mark.slow
def test_a_run_then_the_same_command_reuses_it(tmp_path):
    args = ["pretrain", "--profile", "ci", "--set", "epochs=1", "--set", "representations=seq",
            "--output-dir", str(tmp_path), "--no-progress",
            "--json", str(tmp_path / "s.json")]  # fmt: skip
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["complete"] and set(summary["metrics"]["knn"]) == {"seq"}
    assert summary["run"].startswith(str(tmp_path / "runs" / "pretrain" / "intra_seq-"))
    again = run_cli(*args)
    assert again.returncode == 0 and "reusing" in again.stdout
