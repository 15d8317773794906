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
