"""skelviz.metrics: one JSON file per notebook, written atomically, JSON-safe, with provenance."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import torch

import skelviz
from skelviz.metrics import load_metrics, record_metrics, to_json_safe
from skelviz.paths import output_paths


def test_record_then_load_round_trip_with_provenance(tmp_path):
    path = record_metrics(
        tmp_path,
        "00_skeleton_data",
        {"num_sequences": 40, "mean_length": 61.5},
        profile="ci",
        dataset="synthetic",
        seed=3,
    )
    assert path == tmp_path / "metrics" / "00_skeleton_data.json"
    record = load_metrics(tmp_path, "00_skeleton_data")
    assert record["metrics"] == {"num_sequences": 40, "mean_length": 61.5}
    assert record["provenance"] == {
        "profile": "ci",
        "dataset": "synthetic",
        "seed": 3,
        "skelviz_version": skelviz.__version__,
    }
    assert record["notebook"] == "00_skeleton_data"


def test_keys_are_sorted_in_the_file(tmp_path):
    path = record_metrics(
        tmp_path, "01_augmentations_3d", {"zeta": 1, "alpha": 2, "mid": {"b": 1, "a": 2}}
    )
    text = path.read_text()
    assert text.index('"alpha"') < text.index('"mid"') < text.index('"zeta"')
    assert text.index('"a"') < text.index('"b"')
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_numpy_and_torch_values_become_plain_json(tmp_path):
    metrics = {
        "f32": np.float32(0.25),
        "i64": np.int64(7),
        "flag": np.bool_(True),
        "array": np.arange(3, dtype=np.int16),
        "tensor0": torch.tensor(2.5),
        "tensor1": torch.tensor([1, 2]),
        "tuple": (1, np.float64(0.5)),
        "nan": float("nan"),
        "inf": np.float64(np.inf),
        5: "int key",
    }
    record_metrics(tmp_path, "00_skeleton_data", metrics)
    stored = load_metrics(tmp_path, "00_skeleton_data")["metrics"]
    assert stored == {
        "f32": 0.25,
        "i64": 7,
        "flag": True,
        "array": [0, 1, 2],
        "tensor0": 2.5,
        "tensor1": [1, 2],
        "tuple": [1, 0.5],
        "nan": "nan",
        "inf": "inf",
        "5": "int key",
    }
    assert type(stored["i64"]) is int and type(stored["flag"]) is bool


def test_unknown_types_are_rejected_with_the_key_path_and_old_file_kept(tmp_path):
    path = record_metrics(tmp_path, "00_skeleton_data", {"a": 1})
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"nested\.bad"):
        record_metrics(tmp_path, "00_skeleton_data", {"nested": {"bad": object()}})
    assert path.read_bytes() == before


def test_a_failing_replace_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = record_metrics(tmp_path, "00_skeleton_data", {"a": 1})
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        record_metrics(tmp_path, "00_skeleton_data", {"a": 2})
    assert path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "metrics").iterdir()) == ["00_skeleton_data.json"]


def test_rerun_overwrites_and_leaves_one_file(tmp_path):
    record_metrics(tmp_path, "00_skeleton_data", {"a": 1})
    record_metrics(output_paths(tmp_path), "00_skeleton_data", {"a": 2})
    assert load_metrics(tmp_path, "00_skeleton_data")["metrics"] == {"a": 2}
    assert [p.name for p in (tmp_path / "metrics").iterdir()] == ["00_skeleton_data.json"]


@pytest.mark.parametrize("name", ["skeleton", "0_x", "00-Skeleton", "../00_x", ""])
def test_bad_notebook_names_are_rejected(tmp_path, name):
    with pytest.raises(ValueError, match="notebook name"):
        record_metrics(tmp_path, name, {})


def test_missing_metrics_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="05_inter.json"):
        load_metrics(tmp_path, "05_inter")


def test_to_json_safe_keeps_finite_floats_exact():
    assert to_json_safe(np.float64(0.1)) == 0.1
    assert to_json_safe(-0.0) == 0.0 and math.copysign(1, to_json_safe(-0.0)) == -1
    assert to_json_safe(float("-inf")) == "-inf"
