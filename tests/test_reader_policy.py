"""One policy for bad input in every reader: the load report, its printed line, the normalize
option (also through a run's dataset_options), and what a missing dataset folder says."""

from __future__ import annotations

import json

import numpy as np
import pytest

from skelviz.readers import load_dataset, resolve_data_root
from skelviz.readers.load_report import LoadReport
from skelviz.readers.synthetic import load as load_synthetic
from skelviz.skeleton import NTU25


def write_generic(folder, sequences: dict[str, np.ndarray], labels=None) -> None:
    """A two-joint generic dataset (joint 1 on top of joint 0) with one split."""
    names = list(sequences)
    meta = {
        "name": "mine",
        "joint_names": ["root", "top"],
        "edges": [[1, 0]],
        "class_names": ["a", "b"],
        "samples": [{"name": n, "label": (labels or {}).get(n, 0)} for n in names],
        "splits": {"half": {"train": names[::2], "test": names[1::2]}},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.json").write_text(json.dumps(meta))
    np.savez(folder / "sequences.npz", **sequences)


def take(t: int) -> np.ndarray:
    """(T, V=2, 3): joint 0 at z = 1, joint 1 above it, drifting along x."""
    x = np.linspace(0.0, 0.1, t)[:, None]
    return np.stack([np.hstack([x, 0 * x, 1 + 0 * x]), np.hstack([x, 0 * x, 1.5 + 0 * x])], 1)


@pytest.fixture
def odd_root(tmp_path):
    """Four takes: normal, one frame, all zeros, normal with one joint missing in a frame."""
    missing = take(6)
    missing[2, 1] = 0.0
    sequences = {"t0": take(5), "one": take(1), "zeros": np.zeros((4, 2, 3)), "t3": missing}
    write_generic(tmp_path / "mine", sequences)
    return tmp_path / "mine"


@pytest.mark.parametrize("normalize", ["first_frame", "robust", "center", "none"])
def test_one_policy_for_every_normalize_choice(odd_root, normalize):
    ds = load_dataset("generic", data_root=odd_root, normalize=normalize)
    assert ds.sample_names == ("t0", "one", "t3")  # the all-zero take is dropped
    assert ds.lengths.tolist() == [5, 1, 6]  # the one-frame take is kept
    report = ds.load_report
    assert (report.sequences, report.one_frame, report.empty_dropped) == (3, ["one"], ["zeros"])
    assert report.missing_joints == 1 and report.normalize == normalize
    train, test = ds.splits["half"]  # t0, zeros | one, t3: the dropped take leaves its split
    assert train.tolist() == [0] and test.tolist() == [1, 2]
    assert ds.split("half")[0].load_report is report  # subsets keep the load's report


def test_load_prints_one_line_once(odd_root, capsys):
    load_dataset("generic", data_root=odd_root)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "mine: 3 sequences (normalize=first_frame); 1 one-frame sequence (one) kept, "
        "1 empty sequence (zeros) dropped, 1 missing joint (zeros) kept"
    ]


def test_summary_names_at_most_three_samples_and_the_skips():
    report = LoadReport("d", "robust")
    for k in range(5):
        assert report.prepare(np.zeros((1, 2, 25, 3)), f"z{k}", NTU25) is None
    report.skip("s10_e02/carry", "'NaN NaN' range")
    assert report.summary() == (
        "d: 0 sequences (normalize=robust); 0 one-frame sequences kept, 5 empty sequences "
        "(z0, z1, z2, ...) dropped, 0 missing joints (zeros) kept, 1 listed entry "
        "(s10_e02/carry) without data skipped ('NaN NaN' range)"
    )
    assert report.as_dict()["skipped"] == [{"name": "s10_e02/carry", "reason": "'NaN NaN' range"}]
    json.dumps(report.as_dict())  # JSON-safe, for a run to record


def test_non_finite_coordinates_stay_an_error_naming_the_sample(tmp_path):
    bad = take(4)
    bad[1, 0, 2] = np.nan
    write_generic(tmp_path / "nan", {"good": take(3), "bad": bad})
    with pytest.raises(ValueError, match=r"sequences.npz\[bad\]: non-finite .* frame 1, joint 0"):
        load_dataset("generic", data_root=tmp_path / "nan")


def test_synthetic_reader_takes_the_normalize_option():
    raw = load_synthetic(samples_per_class=1, normalize="none")
    robust = load_synthetic(samples_per_class=1, normalize="robust")
    first = load_synthetic(samples_per_class=1)
    assert raw.load_report.normalize == "none" and first.load_report.normalize == "first_frame"
    assert not np.allclose(raw.sequences[0], first.sequences[0])
    assert all(np.allclose(a[0, :, NTU25.center], 0) for a in robust.sequences)  # centred
    with pytest.raises(ValueError, match="synthetic: normalize must be one of"):
        load_synthetic(samples_per_class=1, normalize="median")


def test_run_configuration_passes_normalize_to_the_reader():
    from skelviz.runs.cli import parse_overrides
    from skelviz.runs.config import resolve_config
    from skelviz.runs.data import load_run_data

    overrides = parse_overrides(['dataset_options={"normalize": "robust", "samples_per_class": 2}'])
    data = load_run_data(resolve_config("ci", **overrides))
    assert data.train.load_report.normalize == "robust"
    want = load_synthetic(samples_per_class=2, normalize="robust")
    train_idx = want.splits["cross_view"][0]
    for got, i in zip(data.train.sequences, train_idx):
        np.testing.assert_array_equal(got, want.sequences[i])


@pytest.mark.parametrize(
    "name, says",
    [
        ("nw-ucla", "download_dataset('nw-ucla', "),
        ("utkinect", "download_dataset('utkinect', "),
        ("ntu60", "https://rose1.ntu.edu.sg/dataset/actionRecognition/"),
        ("pku-mmd", "https://www.icst.pku.edu.cn/struct/Projects/PKUMMD.html"),
        ("generic", "save_generic"),
    ],
)
def test_a_missing_data_root_says_how_to_get_the_dataset(tmp_path, monkeypatch, name, says):
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        resolve_data_root(name, tmp_path / "nowhere")
    assert says in str(info.value) and str(tmp_path / "nowhere") in str(info.value)
    if name == "generic":
        return
    import skelviz.readers as readers

    monkeypatch.setattr(readers, "REPO_ROOT", tmp_path / "repo")
    for var in ("SKELVIZ_DATA", "SKELVIZ_NW_UCLA", "SKELVIZ_UTKINECT", "SKELVIZ_NTU60",
                "SKELVIZ_PKU_MMD"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(FileNotFoundError, match="dataset files not found") as info:
        resolve_data_root(name)
    assert says in str(info.value)


def test_an_empty_nucla_folder_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_dataset\\('nw-ucla'"):
        load_dataset("nw-ucla", data_root=tmp_path)
