"""N-UCLA all_sqe reader: format-exact files written here, then the real release when present."""

import json
from pathlib import Path

import numpy as np
import pytest

from skelviz.dataset import SkeletonDataError
from skelviz.readers import load_dataset
from skelviz.readers.nucla import load, read_sequence


def write(folder: Path, name: str, frames: int, label: int, value=None) -> Path:
    rng = np.random.default_rng(frames)
    skel = rng.normal(size=(frames, 20, 3)) + [0, 0, 3]
    path = folder / f"{name}.json"
    obj = {
        "file_name": name,
        "skeletons": skel.tolist() if value is None else value,
        "label": label,
    }
    path.write_text(json.dumps(obj))
    return path


@pytest.fixture
def tiny_root(tmp_path):
    folder = tmp_path / "all_sqe"
    folder.mkdir()
    write(folder, "a01_s01_e00_v01", 5, 1)
    write(folder, "a12_s02_e01_v03", 7, 10)
    write(folder, "a08_s03_e00_v02", 1, 7)
    return tmp_path


def test_reads_labels_subjects_views_and_splits(tiny_root):
    ds = load(tiny_root)
    assert ds.sample_names == ("a01_s01_e00_v01", "a08_s03_e00_v02", "a12_s02_e01_v03")
    assert ds.labels.tolist() == [0, 6, 9]  # a01 -> 0, a08 -> 6, a12 -> 9
    assert ds.class_names[9] == "carry"
    assert ds.subjects.tolist() == [1, 3, 2] and ds.views.tolist() == [1, 2, 3]
    assert ds.lengths.tolist() == [5, 1, 7]
    train, test = ds.splits["cross_view"]
    assert train.tolist() == [0, 1] and test.tolist() == [2]
    assert ds.splits["cross_subject"][0].tolist() == [0, 1]  # odd subjects train
    assert ds.num_persons == 1 and ds.layout.num_joints == 20


def test_raw_read_is_unnormalised_and_load_normalises(tiny_root):
    raw, *_ = read_sequence(tiny_root / "all_sqe" / "a01_s01_e00_v01.json")
    ds = load(tiny_root)
    assert raw.shape == (1, 5, 20, 3) and raw[0, :, 1].any()
    assert np.allclose(ds.sequences[0][0, :, 1], 0.0, atol=1e-6)  # centred on the spine
    assert np.array_equal(load(tiny_root, normalize=False).sequences[0], raw)


@pytest.mark.parametrize("normalize", ["first_frame", "robust", "none"])
def test_all_zero_file_is_dropped_and_one_frame_kept_under_every_normalize(tiny_root, normalize):
    write(tiny_root / "all_sqe", "a02_s04_e00_v01", 3, 2, value=np.zeros((3, 20, 3)).tolist())
    ds = load(tiny_root, normalize=normalize)
    assert "a02_s04_e00_v01" not in ds.sample_names and len(ds) == 3
    assert ds.load_report.empty_dropped == ["a02_s04_e00_v01"]
    assert ds.load_report.one_frame == ["a08_s03_e00_v02"]
    assert ds.splits["cross_view"][0].tolist() == [0, 1]  # indices of the kept files


def test_root_may_be_all_sqe_itself_and_registry_finds_it(tiny_root):
    assert len(load(tiny_root / "all_sqe")) == 3
    assert len(load_dataset("nw-ucla", tiny_root)) == 3


@pytest.mark.parametrize(
    "content,message",
    [
        ('{"file_name": "x", "skeletons": [[[0, 0, 1]', "truncated JSON"),
        ('{"file_name": "x"}', "missing the 'skeletons' field"),
        ('{"skeletons": [[[0, 0, 1]]], "label": 1}', r"shape \(T, 20, 3\)"),
        ('{"skeletons": [], "label": 1}', r"shape \(T, 20, 3\)"),
    ],
)
def test_bad_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "a01_s01_e00_v01.json"
    path.write_text(content)
    with pytest.raises(SkeletonDataError, match=f"a01_s01_e00_v01.json: .*{message}"):
        load(tmp_path)


def test_label_contradicting_the_name_and_nan_joints_are_rejected(tmp_path):
    write(tmp_path, "a02_s01_e00_v01", 3, 5)
    with pytest.raises(SkeletonDataError, match="label 5 contradicts action a02"):
        load(tmp_path)
    (tmp_path / "a02_s01_e00_v01.json").unlink()
    skel = np.ones((2, 20, 3)).tolist()
    skel[1][3][0] = float("nan")
    write(tmp_path, "a01_s01_e00_v01", 2, 1, value=skel)
    with pytest.raises(SkeletonDataError, match="a01_s01_e00_v01.json: non-finite"):
        load(tmp_path)


def test_missing_folder_and_bad_names_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="no aXX_sYY_eZZ_vWW.json"):
        load(tmp_path)
    with pytest.raises(SkeletonDataError, match="not aXX_sYY_eZZ_vWW"):
        read_sequence(tmp_path / "walk.json")


def test_real_release_counts_match_its_readme(nucla_root):
    ds = load(nucla_root)
    assert len(ds) == 1484
    assert np.bincount(ds.labels).tolist() == [150, 152, 141, 173, 148, 149, 142, 142, 145, 142]
    assert np.bincount(ds.views).tolist()[1:] == [516, 504, 464]
    train, test = ds.splits["cross_view"]
    assert (len(train), len(test)) == (1020, 464)
    lengths = ds.lengths
    assert lengths.min() == 1 and lengths.max() == 201 and lengths.sum() == 58534
    one_frame = {ds.sample_names[i] for i in np.nonzero(lengths == 1)[0]}
    assert one_frame == {"a02_s09_e04_v02", "a02_s09_e04_v03"}
    assert all(np.isfinite(s).all() for s in ds.sequences)
    report = ds.load_report  # the README's quirks, counted at load time
    assert set(report.one_frame) == one_frame and report.empty_dropped == []
    assert report.missing_joints == 12 and report.sequences == 1484 and report.skipped == []
    assert report.summary().startswith(
        "nw-ucla: 1484 sequences (normalize=first_frame); 2 one-frame sequences "
        "(a02_s09_e04_v02, a02_s09_e04_v03) kept, 0 empty sequences dropped, 12 missing joints"
    )
