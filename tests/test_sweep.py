"""skelviz.sweep: planning, dry run, resuming after an interruption, and job locks (ci profile,
synthetic data, a few cells)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from skelviz import locks, sweep

FAST = {"epochs": 2, "linear.epochs": 2, "linear.milestones": [1]}  # a tiny ci schedule


def plan(out: Path, tables=("9",), seeds=(0,)) -> sweep.Plan:
    return sweep.plan_sweep("ci", seeds=seeds, tables=tables, output_dir=out, extra=FAST)


def finished_files(out: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime_ns for p in out.glob("runs/*/*/metrics.json")} | {
        str(p): p.stat().st_mtime_ns for p in out.glob("runs/*/*/weights.pt")
    }


def test_plan_shares_runs_between_tables(tmp_path):
    p = sweep.plan_sweep("ci", seeds=(0,), output_dir=tmp_path)
    pretrain = [r for r in p.runs if r.task == "pretrain"]
    # Table 5: 21; Table 6: 4 inter; Table 8: 4 (15 of 25 is Table 5's jitter run);
    # Table 9: 2 (ci's l_min 0.5 is Table 5's temporal run); Table 10: no new pretraining
    assert len(pretrain) == 21 + 4 + 4 + 2
    separately = [j for j in p.jobs if j.needs]
    assert len(separately) == 3 and all(len(j.needs) == 2 for j in separately)
    assert p.jobs[-3:] == separately  # they wait for their intra runs
    assert len({r.folder for r in p.runs}) == len(p.runs)
    with pytest.raises(ValueError, match="seeds"):
        sweep.plan_sweep("ci", seeds=(0, 0), tables=("9",), output_dir=tmp_path)
    img = sweep.plan_sweep("ci", seeds=(0,), tables=("5",), output_dir=tmp_path, reps=("img",))
    assert len(img.jobs) == 7 and all(j.reps == ("img",) for j in img.jobs)
    with pytest.raises(ValueError, match="reps"):
        sweep.plan_sweep("ci", tables=("9",), output_dir=tmp_path, reps=("seq",))


def test_dry_run_lists_runs_and_counts_the_existing(tmp_path, capsys):
    sweep.main(["--profile", "ci", "--tables", "9", "--seeds", "0", "--output-dir",
                str(tmp_path), "--dry-run"])  # fmt: skip
    text = capsys.readouterr().out
    assert "9 runs in 3 jobs: 0 already exist, 9 to run" in text
    assert text.count("pretrain intra_img-") == 3 and "modelled time left" in text
    assert not (tmp_path / "runs").exists()  # nothing trained


def test_interrupted_sweep_resumes_without_redoing_finished_runs(tmp_path, capsys):
    p = plan(tmp_path)
    sweep.run_sweep(p, stop_after_jobs=1, say=lambda *_: None)  # "interrupted" after one job
    done = [j for j in p.jobs if j.complete]
    assert len(done) == 1 and len(list(tmp_path.glob("runs/*/*/metrics.json"))) == 3
    before = finished_files(tmp_path)
    lines = []
    sweep.run_sweep(plan(tmp_path), say=lines.append)
    assert all(j.complete for j in plan(tmp_path).jobs)
    after = finished_files(tmp_path)
    assert {k: after[k] for k in before} == before  # finished runs were not trained again
    assert sum("start" in line for line in lines) == 2
    assert "9/9 runs done" in lines[-1]
    manifest = json.loads((tmp_path / "sweep-ablation.json").read_text())
    assert [c["row"] for c in manifest["cells"]] == ["l_min=0.1", "l_min=0.3", "l_min=0.5"]
    sweep.main(["--profile", "ci", "--tables", "9", "--seeds", "0", "--output-dir",
                str(tmp_path), "--dry-run", *sum((["--set", f"{k}={json.dumps(v)}"]
                                                  for k, v in FAST.items()), [])])  # fmt: skip
    assert "9 runs in 3 jobs: 9 already exist, 0 to run" in capsys.readouterr().out


def test_locks_are_exclusive_and_stale_ones_are_broken(tmp_path):
    first = locks.take_lock(tmp_path, "job")
    assert first is not None and locks.take_lock(tmp_path, "job") is None  # held by us, alive
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = json.loads(first.read_text()) | {"pid": dead.pid}
    first.write_text(json.dumps(holder))  # its process is gone: stale
    again = locks.take_lock(tmp_path, "job")
    assert again == first and json.loads(again.read_text())["pid"] == os.getpid()
    assert not (tmp_path / ".breaking").exists()
    assert locks.live_locks(tmp_path) == [first]


def test_argv_for_workers_drops_the_worker_count():
    argv = ["--profile", "ci", "--workers", "2", "--seeds", "0", "--workers=3"]
    assert sweep._without_workers(argv) == ["--profile", "ci", "--seeds", "0"]


@pytest.mark.slow
def test_killed_sweep_restarts_and_two_workers_share_the_jobs(tmp_path):
    """Kill a sweep (SIGKILL: no cleanup, a stale lock stays) after its first finished run, then
    finish it with two workers: finished runs are untouched and no job runs twice."""
    sets = sum((["--set", f"{k}={json.dumps(v)}"] for k, v in FAST.items()), [])
    args = [sys.executable, "-m", "skelviz.sweep", "--profile", "ci", "--tables", "9",
            "--seeds", "0", "1", "--output-dir", str(tmp_path), *sets]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("runs/knn/*/metrics.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    before = finished_files(tmp_path)
    assert before
    result = subprocess.run(args + ["--workers", "2"], env=env, capture_output=True, text=True)
    # the workers report a failed job's exception on stdout, the sweep's verdict on stderr
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    after = finished_files(tmp_path)
    assert {k: after[k] for k in before} == before
    starts = [line.split()[2] for line in result.stdout.splitlines() if line.endswith(": start")]
    assert len(starts) == len(set(starts)) and len(starts) >= 4  # 6 jobs, 1+ done before
    assert "[w0]" in result.stdout and "[w1]" in result.stdout
    assert "18/18 runs done" in result.stdout.splitlines()[-1]
    assert not list((tmp_path / "sweep" / "locks").glob("*.lock"))
