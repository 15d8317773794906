"""Your own dataset, end to end: a generic-format dataset with a skeleton skelviz has never seen
and a protocol named as its authors name it pretrains, reloads and evaluates through the command
line and the notebooks alike (the run stores the layout itself, not a name)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from skelviz.dataset import SkeletonDataset
from skelviz.readers.generic import save_generic
from skelviz.runs.api import load_run
from skelviz.skeleton import LAYOUTS, SkeletonLayout

pytestmark = pytest.mark.slow  # command-line and notebook runs: the test command's slow stage
REPO = Path(__file__).resolve().parents[1]
TOY15 = SkeletonLayout(
    name="toy15",
    joint_names=("pelvis", "spine", "neck", "head", "l_shoulder", "l_elbow", "l_hand",
                 "r_shoulder", "r_elbow", "r_hand", "l_hip", "l_knee", "l_foot", "r_hip",
                 "r_knee"),
    edges=((1, 0), (2, 1), (3, 2), (4, 2), (5, 4), (6, 5), (7, 2), (8, 7), (9, 8), (10, 0),
           (11, 10), (12, 11), (13, 0), (14, 13)),
    center=1, spine=(0, 2), shoulders=(7, 4),
    left_right_pairs=((4, 7), (5, 8), (6, 9), (10, 13), (11, 14)),
)  # fmt: skip


@pytest.fixture(scope="module")
def toy_folder(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    rest = rng.normal(size=(15, 3)).astype(np.float32)
    n, classes = 48, 4
    seqs, labels = [], np.arange(n) % classes
    for i in range(n):
        t = int(rng.integers(12, 40))
        phase = np.linspace(0, 2 * np.pi, t)[:, None, None]
        motion = np.sin(phase * (1 + labels[i])) * 0.3 * (np.arange(15) % (labels[i] + 2))[:, None]
        seqs.append((rest + motion + 0.02 * rng.normal(size=(t, 15, 3)))[None].astype(np.float32))
    subjects = np.arange(n) % 6
    data = SkeletonDataset(
        "toy15", TOY15, seqs, labels, ("a", "b", "c", "d"), subjects, np.zeros(n),
        tuple(f"p{i:02d}" for i in range(n)),
        splits={"cross_subject": (np.flatnonzero(subjects < 4), np.flatnonzero(subjects >= 4))},
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("toy15")
    save_generic(data, folder)
    return folder


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "skelviz", *args], capture_output=True, text=True,
                          timeout=300, env=env, cwd=REPO)  # fmt: skip


def test_the_command_line_pretrains_reloads_and_evaluates_an_unknown_skeleton(toy_folder, tmp_path):
    assert "toy15" not in LAYOUTS
    common = ["--profile", "ci", "--data-root", str(toy_folder), "--output-dir", str(tmp_path),
              "--no-progress", "--set", "dataset=generic", "--set", "protocol=cross_subject",
              "--set", "epochs=2", "--set", "batch_size=8", "--set", "queue_size=16"]  # fmt: skip
    done = cli("pretrain", *common)
    assert done.returncode == 0, done.stderr[-2000:]
    knn = cli("knn", *common, "--json", str(tmp_path / "knn.json"))
    assert knn.returncode == 0, knn.stderr[-2000:]
    assert json.loads((tmp_path / "knn.json").read_text())["metrics"]["knn_1nn"] is not None
    pretrain_run = load_run(next((tmp_path / "runs" / "pretrain").iterdir()))
    assert pretrain_run.facts["protocol"] == "cross_subject"
    assert pretrain_run.facts["layout"]["name"] == "toy15"  # the layout itself travels
    encoders = pretrain_run.encoders()
    x = np.zeros((2, 1, 32, 15, 3), dtype=np.float32)
    assert encoders["stg"](torch.from_numpy(x)).shape[0] == 2


def test_the_notebooks_pretrain_and_evaluate_it_for_any_protocol_name(toy_folder, tmp_path):
    cmd = [sys.executable, str(REPO / "scripts" / "run_notebooks.py"), "--profile", "ci",
           "--dataset", "generic", "--data-root", str(toy_folder), "--only", "04,06",
           "--output-dir", str(tmp_path), "-p", "PROTOCOL", "cross_subject",
           "-p", "QUERIES", "1"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=REPO,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    metrics = json.loads((tmp_path / "metrics" / "06_linear_and_knn.json").read_text())
    assert metrics["provenance"]["dataset"] == "generic"
    assert 0 <= metrics["metrics"]["linear_top1_pretrained"] <= 1
