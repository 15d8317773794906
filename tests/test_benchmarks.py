"""The benchmark scripts run, and the released-pipeline port they time behaves like the released
code."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from skelviz.represent import to_sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from reference_augment import ReleasedPipeline  # noqa: E402 (found through sys.path above)


def test_released_port_keeps_a_full_64_frame_window_and_the_released_seq_order():
    released = ReleasedPipeline(seed=0)
    x = np.random.default_rng(0).normal(size=(3, 64, 25, 2)).astype(np.float32)  # (C, T, V, M)
    assert np.allclose(released.temporal_cropresize(x, 64), x, atol=1e-6)  # L = 64 -> identity
    seq, graph = released.to_seq_and_graph(x)
    canonical = torch.from_numpy(x).permute(3, 1, 2, 0)[None]  # (1, M, T, V, C)
    assert np.array_equal(seq, to_sequence(canonical)[0].numpy())  # skelviz SEQ = released order
    assert graph.dtype == np.float32 and graph.shape == (3, 64, 25, 2)


def test_released_port_views_are_shears_or_joint_corruptions():
    released = ReleasedPipeline(seed=1)
    x = np.random.default_rng(1).normal(size=(3, 64, 25, 2))
    for _ in range(20):
        view = released.pose_shear(x)
        # S p with a unit diagonal: recover S from three points and check its diagonal
        points, mapped = x[:, 0, :3, 0], view[:, 0, :3, 0]
        shear = mapped @ np.linalg.inv(points)
        assert np.allclose(np.diag(shear), 1.0) and np.abs(shear).max() <= 1.0 + 1e-9
        corrupted = released.joint_corruption(x)
        changed = ~np.isclose(corrupted, x).all(axis=(0, 1, 3))  # (V,)
        assert changed.sum() <= 15


@pytest.mark.slow  # runs a benchmark script: the test command's slow stage
def test_bench_augment_runs_and_writes_every_row(tmp_path):
    out = tmp_path / "augment.json"
    cmd = [
        sys.executable,
        "benchmarks/bench_augment.py",
        "--batch",
        "4",
        "--rounds",
        "2",
        "--out",
        str(out),
    ]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
    results = json.loads(out.read_text())["results"]
    assert set(results) == {
        "released",
        "released+format",
        "skelviz-per-sample",
        "skelviz-batched",
    }
    assert all(
        row["cpu_ms_per_batch"] > 0 and row["speedup_vs_released"] > 0 for row in results.values()
    )


@pytest.mark.slow  # runs a benchmark script: the test command's slow stage
def test_bench_training_reports_the_augmentation_share_of_a_step(tmp_path):
    out = tmp_path / "training.json"
    cmd = [sys.executable, "benchmarks/bench_training.py", "--presets", "tiny", "--cases", "seq",
           "--steps", "1", "--warmup", "0", "--threads", "1", "--out", str(out)]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
    (row,) = json.loads(out.read_text())["results"]
    assert row["preset"] == "tiny" and row["profile"] == "ci"
    assert 0 < row["mean_augment_seconds"] < row["mean_step_seconds"]
    assert 0 < row["augment_share"] < 1


@pytest.mark.slow  # runs a benchmark script: the test command's slow stage
def test_bench_memory_runs_both_modes_and_writes_their_numbers(tmp_path):
    out = tmp_path / "memory.json"
    cmd = [sys.executable, "benchmarks/bench_memory.py", "--sequences", "300", "--encoder", "seq",
           "--out", str(out)]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
    results = {row["mode"]: row for row in json.loads(out.read_text())["results"]}
    assert set(results) == {"split", "batch"}
    for row in results.values():
        assert row["sequences"] == 300 and row["batches"] == 300 // 64 and row["full_epoch"]
        assert row["peak_rss_mib"] >= row["rss_loaded_mib"] > 0 and row["wall_s"] > 0
    # same batches, views and weights whichever way the batches were padded
    assert results["split"]["final_loss"] == results["batch"]["final_loss"]
    # the whole split padded to 300 frames is held only in split mode
    assert results["split"]["peak_rss_mib"] > results["batch"]["peak_rss_mib"]


def _tta_run(root: Path, recipe: str, key: str, cpu: str, test_knn: float) -> None:
    """A finished time-to-accuracy run folder as ``time_to_accuracy.run`` leaves it."""
    runs = root / "outputs" / "tta-nw-ucla-cross_view" / "runs"
    folder = runs / "pretrain" / f"{recipe}_s0-{key}"
    folder.mkdir(parents=True)
    epochs = [{"epoch": e, "train_cpu_seconds": 60.0 * e, "knn_val": {"seq": 0.5 + e / 100},
               "knn": {"seq": test_knn}} for e in (0, 10)]  # fmt: skip
    history = {"epochs": epochs, "train_cpu_seconds": 600.0, "train_seconds": 300.0}
    (folder / "history.json").write_text(json.dumps(history))
    meta = {"recipe": recipe, "seed": 0, "validation_linear": {"seq": 0.7}}
    (folder / "tta.json").write_text(json.dumps(meta))
    (folder / "metrics.json").write_text(json.dumps({"machine": {"cpu": cpu, "threads": 1}}))


def test_experiment_rows_survive_without_outputs_and_keep_test_numbers_of_final_recipes_only(
    tmp_path, monkeypatch
):
    import time_to_accuracy as tta

    stored = [{"recipe": "frames16-e200", "seed": 0, "threads": 1, "cpu": "old CPU",
               "dataset": "nw-ucla-cross_view", "key": "aaaaaaaaaaaa", "epochs": 200,
               "stopped": False, "cpu_min": 18.8, "untrained_val": {}, "val": {"seq": 0.673},
               "val_key": {}, "val_linear": {}, "test": {"seq": 0.828}, "curve": None}]  # fmt: skip
    store = tmp_path / "docs" / "results" / "experiments.json"
    store.parent.mkdir(parents=True)
    store.write_text(json.dumps(stored))
    monkeypatch.setattr(tta, "ROOT", tmp_path)
    monkeypatch.setattr(tta, "STORE", store)
    assert tta.rows() == stored  # a clone without outputs/ keeps every stored row

    _tta_run(tmp_path, "frames16-e200", "aaaaaaaaaaaa", "new CPU", test_knn=0.9)  # repeated
    _tta_run(tmp_path, "queue256", "bbbbbbbbbbbb", "new CPU", test_knn=0.95)  # not final
    rows = tta.rows()
    assert [(r["recipe"], r["cpu"]) for r in rows] == [
        ("frames16-e200", "old CPU"),
        ("frames16-e200", "new CPU"),
        ("queue256", "new CPU"),
    ]
    final, unread = rows[1], rows[2]
    assert final["test"] == {"seq": 0.9} and final["curve"][-1][3] == {"seq": 0.9}
    assert unread["test"] is None and all(point[3] is None for point in unread["curve"])
    assert "95.0" not in tta.table(tta.rows())  # a test number of an unchosen recipe is never shown

    # the same run on the same machine replaces its stored row in place
    store.write_text(json.dumps(rows[:1] + [{**rows[2], "cpu_min": 99.0}]))
    assert [(r["recipe"], r["cpu_min"]) for r in tta.rows()] == [
        ("frames16-e200", 18.8),
        ("queue256", 10.0),
        ("frames16-e200", 10.0),
    ]


def test_committed_experiment_store_renders_the_committed_table(monkeypatch):
    """docs/results/experiments.json and the table in docs/experiments.md say the same."""
    import time_to_accuracy as tta

    monkeypatch.setattr(tta, "output_rows", lambda: [])
    text = tta.TABLE.read_text()
    committed = text.split("<!-- experiments:begin -->\n")[1].split("\n<!-- experiments:end -->")[0]
    assert tta.table(tta.rows()) == committed
