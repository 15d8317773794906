"""The worked conversion data/examples/utkinect_to_generic.py: its generic folder loads back equal
to the built-in utkinect reader (small files written here, then the real release when present)."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

from skelviz.readers import load_dataset
from skelviz.readers.utkinect import load as load_utkinect
from skelviz.skeleton import KINECT_V1_20

EXAMPLE = runpy.run_path(
    str(Path(__file__).parents[1] / "data" / "examples" / "utkinect_to_generic.py")
)


def joint_line(frame_id: int, t: float) -> str:
    """A standing body (Kinect v1 order) drifting along x, as one line of a joint file."""
    pose = np.zeros((20, 3))
    pose[:, 1] = np.linspace(1.7, 0.1, 20)  # every joint at its own height
    pose[[4, 5, 6, 7, 12, 13, 14, 15], 0] = 0.2  # left side at +x
    pose[[8, 9, 10, 11, 16, 17, 18, 19], 0] = -0.2
    pose += [0.05 * t, 0.0, 3.0]
    return " ".join([str(frame_id)] + [f"{c:.6f}" for c in pose.ravel()])


@pytest.fixture
def tiny_root(tmp_path):
    joints = tmp_path / "utk" / "joints"
    joints.mkdir(parents=True)
    ids = [10, 14, 14, 18, 22, 26, 30]  # frame id 14 repeats: the first line is kept
    for recording in ("s01_e01", "s02_e01"):
        lines = [joint_line(fid, i) for i, fid in enumerate(ids)]
        (joints / f"joints_{recording}.txt").write_text("\n".join(lines) + "\n")
    labels = "s01_e01\nwalk: 10 18\nthrow: 22 30 \ns02_e01\nwalk: 14 26\ncarry:  NaN NaN\n"
    (joints / "actionLabel_modified.txt").write_text(labels)
    return tmp_path / "utk"


def assert_same(converted, built_in) -> None:
    assert converted.layout == built_in.layout == KINECT_V1_20  # the script's skeleton
    assert converted.sample_names == built_in.sample_names
    assert converted.class_names == built_in.class_names
    for key in ("labels", "subjects", "views"):
        np.testing.assert_array_equal(getattr(converted, key), getattr(built_in, key))
    for a, b in zip(converted.sequences, built_in.sequences, strict=True):
        np.testing.assert_array_equal(a, b)
    for part in (0, 1):
        np.testing.assert_array_equal(
            converted.splits["cross_subject"][part], built_in.splits["cross_subject"][part]
        )


def test_converted_folder_loads_back_equal(tiny_root, tmp_path):
    out = EXAMPLE["convert"](tiny_root, tmp_path / "generic")
    converted = load_dataset("generic", data_root=out)  # raw arrays: normalised when loaded
    assert_same(converted, load_utkinect(tiny_root))
    assert converted.sample_names == ("s01_e01/walk", "s01_e01/throw", "s02_e01/walk")
    robust = load_dataset("generic", data_root=out, normalize="robust")
    np.testing.assert_array_equal(
        robust.sequences[2], load_utkinect(tiny_root, normalize="robust").sequences[2]
    )


def test_real_release_converts_equal(utkinect_root, tmp_path):
    out = EXAMPLE["convert"](utkinect_root, tmp_path / "utk-generic")
    converted = load_dataset("generic", data_root=out)
    assert len(converted) == 199
    assert_same(converted, load_utkinect(utkinect_root))
