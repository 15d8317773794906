"""PKU-MMD reader: recordings, label files and split files written by the tests."""

from __future__ import annotations

import numpy as np
import pytest

from skelviz.dataset import SkeletonDataError
from skelviz.preprocess import normalize_sequence
from skelviz.readers import load_dataset
from skelviz.readers.pku import load, parse_split_file, read_labels
from skelviz.skeleton import NTU25


def recording(frames: int, seed: int, two_persons: bool = False) -> np.ndarray:
    """(F, 150) rows: person 1 random around z = 3, person 2 zero unless ``two_persons``."""
    rng = np.random.default_rng(seed)
    rows = np.zeros((frames, 2, 25, 3))
    rows[:, 0] = rng.normal(size=(frames, 25, 3)) * 0.2 + [0.0, 0.0, 3.0]
    if two_persons:
        rows[:, 1] = rng.normal(size=(frames, 25, 3)) * 0.2 + [1.0, 0.0, 3.0]
    return rows.reshape(frames, 150)


@pytest.fixture
def root(tmp_path):
    for folder in ("skeleton", "label", "split"):
        (tmp_path / folder).mkdir()
    rec_a, rec_b = recording(10, 0), recording(6, 1, two_persons=True)
    np.savetxt(tmp_path / "skeleton" / "0002-L.txt", rec_a, fmt="%.6f")
    np.savetxt(tmp_path / "skeleton" / "0003-M.txt", rec_b, fmt="%.6f")
    (tmp_path / "label" / "0002-L.txt").write_text("3,0,4,1\n7,4,10,2\n")
    (tmp_path / "label" / "0003-M.txt").write_text("51,1,6,1\n")
    (tmp_path / "split" / "cross-subject.txt").write_text(  # official layout, official typo
        "Training videos: \n0002-L, 0002-M, 0002-R\nValidataion videos: \n0003-L, 0003-M, 0003-R\n"
    )
    (tmp_path / "split" / "cross-view.txt").write_text(
        "Training videos: 0002-L 0004-R.txt\n\nValidation videos:\n0005-M,\n"
    )
    return tmp_path, rec_a, rec_b


def as_sequence(rows: np.ndarray) -> np.ndarray:
    """(F, 150) -> (M=2, F, V, C), written independently of the reader."""
    return rows.reshape(len(rows), 2, 25, 3).transpose(1, 0, 2, 3).astype(np.float32)


def test_clips_are_cut_at_label_boundaries(root):
    folder, rec_a, rec_b = root
    ds = load(folder, progress=False)
    assert ds.sample_names == ("0002-L_0", "0002-L_1", "0003-M_0")
    assert ds.labels.tolist() == [2, 6, 50] and ds.num_classes == 51
    assert ds.lengths.tolist() == [4, 6, 5]  # rows 0..3, 4..9, 1..5 (end exclusive, like CMD)
    assert ds.views.tolist() == [0, 0, 1] and ds.num_persons == 2
    want = normalize_sequence(as_sequence(rec_a[4:10]), NTU25, "expected")
    np.testing.assert_allclose(ds.sequences[1], want, atol=1e-5)
    want = normalize_sequence(as_sequence(rec_b[1:6]), NTU25, "expected")
    np.testing.assert_allclose(ds.sequences[2], want, atol=1e-5)
    assert ds.sequences[2][1].any()  # the second person is kept


def test_splits_from_official_and_loose_split_files(root):
    folder, _, _ = root
    ds = load_dataset("pku-mmd", data_root=folder, progress=False)
    train, test = ds.splits["cross_subject"]
    assert train.tolist() == [0, 1] and test.tolist() == [2]
    train, test = ds.splits["cross_view"]  # 0003-M is listed in neither part: left out
    assert train.tolist() == [0, 1] and test.tolist() == []
    assert parse_split_file(folder / "split" / "cross-view.txt") == ({"0002-L", "0004-R"},
                                                                    {"0005-M"})  # fmt: skip


def test_max_samples_and_num_classes(root):
    folder, _, _ = root
    assert len(load(folder, max_samples=2, progress=False)) == 2
    with pytest.raises(SkeletonDataError, match="label 51 exceeds 41 classes"):
        load(folder, num_classes=41, progress=False)


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,0,4,1\n1,5,3,1\n", "line 2: bad frame range 5..3"),
        ("1,0,11,1\n", "line 1: bad frame range 0..11 for a recording of 10 frames"),
        ("1,4,4,1\n", "line 1: bad frame range 4..4"),
        ("0,0,4,1\n", "line 1: labels are 1-based"),
        ("walk,0,4\n", "line 1: expected 'label,start,end,conf'"),
    ],
)
def test_bad_label_lines_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "0002-L.txt"
    path.write_text(text)
    with pytest.raises(SkeletonDataError, match=message) as info:
        read_labels(path, num_frames=10)
    assert str(path) in str(info.value)


def test_bad_recordings_and_split_files(root):
    folder, rec_a, _ = root
    bad = rec_a.copy()
    bad[7, 3] = np.nan
    np.savetxt(folder / "skeleton" / "0002-L.txt", bad, fmt="%.6f")
    with pytest.raises(SkeletonDataError, match="0002-L.txt, line 8: non-finite"):
        load(folder, progress=False)
    np.savetxt(folder / "skeleton" / "0002-L.txt", rec_a[:, :149], fmt="%.6f")
    with pytest.raises(SkeletonDataError, match="expected 150 numbers per line, got 149"):
        load(folder, progress=False)
    (folder / "split" / "odd.txt").write_text("0002-L, 0003-M\n")
    with pytest.raises(SkeletonDataError, match="odd.txt: expected a 'Training videos:'"):
        parse_split_file(folder / "split" / "odd.txt")
