"""UTKinect-Action3D reader: format-exact files written here, then the real release when present."""

import numpy as np
import pytest

from skelviz.dataset import SkeletonDataError
from skelviz.readers.utkinect import load, read_joint_file, read_label_file


def joint_line(frame_id: int, value: float) -> str:
    coords = np.full(60, value) + np.tile([0.0, 0.1, 2.0], 20) + np.repeat(np.arange(20), 3) * 0.01
    return " ".join([str(frame_id)] + [f"{c:.6f}" for c in coords])


@pytest.fixture
def tiny_root(tmp_path):
    joints = tmp_path / "joints"
    joints.mkdir()
    ids = [10, 14, 14, 18, 22, 26, 30]  # frame id 14 repeats: the first line is kept
    lines = [joint_line(fid, i) for i, fid in enumerate(ids)]
    (joints / "joints_s01_e01.txt").write_text("\n".join(lines) + "\n")
    (joints / "joints_s02_e01.txt").write_text("\n".join(lines) + "\n")
    labels = "s01_e01\nwalk: 10 18\nthrow: 22 30 \ns02_e01\nwalk: 14 26\ncarry:  NaN NaN\n"
    (joints / "actionLabel_modified.txt").write_text(labels)
    (joints / "actionLabel.txt").write_text(labels.replace("walk: 10 18", "walk: 10 30"))
    return tmp_path


def test_repeated_frame_ids_keep_the_first_line(tiny_root):
    ids, joints = read_joint_file(tiny_root / "joints" / "joints_s01_e01.txt")
    assert ids.tolist() == [10, 14, 18, 22, 26, 30]
    assert np.isclose(joints[1, 0, 0], 1.0) and joints.shape == (6, 20, 3)  # line 2, not line 3


def test_segments_labels_subjects_and_missing_range(tiny_root):
    ds = load(tiny_root)
    assert ds.sample_names == ("s01_e01/walk", "s01_e01/throw", "s02_e01/walk")
    assert ds.labels.tolist() == [0, 5, 0]
    assert ds.lengths.tolist() == [3, 3, 4]  # ids 10,14,18 | 22,26,30 | 14,18,22,26
    assert ds.subjects.tolist() == [1, 1, 2]
    assert ds.splits["cross_subject"][0].tolist() == [0, 1]
    assert load(tiny_root, label_file="original").lengths.tolist()[0] == 6
    assert ds.load_report.skipped == [
        ("s02_e01/carry", "'NaN NaN' range in actionLabel_modified.txt")
    ]


def test_missing_label_file_says_how_to_get_the_dataset(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_dataset\\('utkinect'"):
        load(tmp_path)


def test_label_table_parses_nan_ranges(tiny_root):
    table = read_label_file(tiny_root / "joints" / "actionLabel_modified.txt")
    assert table["s02_e01"] == [("walk", 14, 26), ("carry", None, None)]


@pytest.mark.parametrize(
    "labels,message",
    [
        ("s01_e01\nwalk: 18 10\n", "end frame 10 before start 18"),
        ("s01_e01\nwalk: 100 200\n", "holds no frame"),
        ("s01_e01\nfly: 10 20\n", "cannot parse"),
        ("s01_e01\nwalk: 10 x\n", "not integers"),
    ],
)
def test_bad_label_files_name_file_and_line(tiny_root, labels, message):
    (tiny_root / "joints" / "actionLabel_modified.txt").write_text(labels)
    with pytest.raises(SkeletonDataError, match=message):
        load(tiny_root)


def test_truncated_joint_line_names_file_and_line(tiny_root):
    path = tiny_root / "joints" / "joints_s01_e01.txt"
    path.write_text(path.read_text() + "34 0.1 0.2\n")
    with pytest.raises(SkeletonDataError, match=r"joints_s01_e01.txt:8: expected 61 numbers"):
        load(tiny_root)


def test_unknown_label_file_choice_is_an_error(tiny_root):
    with pytest.raises(ValueError, match="label_file"):
        load(tiny_root, label_file="fixed")


def test_real_release_matches_its_readme(utkinect_root):
    ds = load(utkinect_root)
    assert len(ds) == 199
    assert np.bincount(ds.labels).tolist() == [20, 20, 20, 20, 19, 20, 20, 20, 20, 20]
    train, test = ds.splits["cross_subject"]
    assert (len(train), len(test)) == (100, 99)
    assert ds.lengths.sum() == 5829 and ds.lengths.max() == 110  # modified ranges
    original = load(utkinect_root, label_file="original")
    assert original.lengths.sum() == 6053 and original.lengths.max() == 170
    assert "s10_e02/carry" not in ds.sample_names
    assert ds.load_report.skipped == [
        ("s10_e02/carry", "'NaN NaN' range in actionLabel_modified.txt")
    ]
    assert ds.load_report.sequences == 199 and ds.load_report.empty_dropped == []
    for k in range(10):  # the ten 5/5 random subject splits of tr_te_splits.mat
        tr, te = ds.splits[f"random_split_{k}"]
        assert len(tr) + len(te) == 199 and not set(ds.subjects[tr]) & set(ds.subjects[te])
