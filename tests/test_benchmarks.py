"""The benchmark scripts run, and the released-pipeline port they time behaves like the released code."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from skelviz.represent import to_sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from reference_augment import ReleasedPipeline


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
