"""NTU RGB+D reader: format-exact .skeleton files and reference arrays written by the tests."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from skelviz.dataset import SkeletonDataError
from skelviz.preprocess import normalize_sequence
from skelviz.readers import load_dataset
from skelviz.readers.ntu import load, motion_energy, read_skeleton_file, select_two_bodies
from skelviz.readers.ntu_preprocessed import load_label_pickle
from skelviz.readers.ntu_splits import NTU120_TRAIN_SUBJECTS, NTU_ACTIONS, parse_sample_name
from skelviz.skeleton import NTU25

# --- writing format-exact files --------------------------------------------------------------
BODY_INFO = "72057594037931101 0 1 1 1 1 0 -0.2 0.1 2"


def body_pose(a: float, s: float, t: int) -> np.ndarray:
    """(25, 3): x = a*t for every joint, y = s*j for joint j, z = 3."""
    j = np.arange(25)
    return np.stack([np.full(25, a * t), s * j, np.full(25, 3.0)], axis=1)


def skeleton_text(frames: list[list[np.ndarray]]) -> str:
    """The NTU text format: frames -> bodies -> (25, 3) xyz (other 9 values are filler)."""
    out = [str(len(frames))]
    for bodies in frames:
        out.append(str(len(bodies)))
        for xyz in bodies:
            out += [BODY_INFO, "25"]
            out += [f"{x:.6f} {y:.6f} {z:.6f} 250.1 200.2 950.3 500.4 0.1 0.2 0.3 0.4 2"
                    for x, y, z in xyz]  # fmt: skip
    return "\r\n".join(out) + "\r\n"  # the release uses CRLF line ends


# slot 0 still (a=0, s=0.01), slot 1 moving fast (a=1, s=0.01), slot 2 (a=0.5, s=0.02) absent in
# frame 0. Energies by hand: std of y over joints 0..24 is s*sqrt(52); std of x over frames is
# a*sqrt(2/3) (frames 0,1,2) or a*0.5 (frames 1,2).
THREE_BODIES = [
    [body_pose(0, 0.01, t), body_pose(1, 0.01, t)] + ([body_pose(0.5, 0.02, t)] if t else [])
    for t in range(3)
]
EXPECTED_ENERGY = [0.01 * np.sqrt(52), np.sqrt(2 / 3) + 0.01 * np.sqrt(52),
                   0.5 * 0.5 + 0.02 * np.sqrt(52)]  # fmt: skip
ONE_BODY = [[body_pose(0.2, 0.01, t)] for t in range(4)]


def write(folder, name, frames) -> str:
    path = folder / f"{name}.skeleton"
    path.write_bytes(skeleton_text(frames).encode())
    return path


# --- parsing and body selection --------------------------------------------------------------
def test_read_skeleton_file_places_bodies_by_slot(tmp_path):
    bodies = read_skeleton_file(write(tmp_path, "S001C001P001R001A001", THREE_BODIES))
    assert bodies.shape == (3, 3, 25, 3)
    np.testing.assert_allclose(bodies[1, 2], body_pose(1, 0.01, 2), atol=1e-6)
    assert not bodies[2, 0].any()  # slot 2 absent in frame 0
    np.testing.assert_allclose(bodies[2, 1], body_pose(0.5, 0.02, 1), atol=1e-6)


def test_motion_energy_matches_hand_values_and_keeps_two_largest(tmp_path):
    bodies = read_skeleton_file(write(tmp_path, "S001C001P001R001A001", THREE_BODIES))
    np.testing.assert_allclose(motion_energy(bodies), EXPECTED_ENERGY, rtol=1e-5)
    kept = select_two_bodies(bodies)
    assert kept.shape == (2, 3, 25, 3) and kept.dtype == np.float32
    np.testing.assert_allclose(kept[0], bodies[1], atol=1e-6)  # highest energy first
    np.testing.assert_allclose(kept[1], bodies[2], atol=1e-6)


def test_single_body_is_zero_filled_to_two_persons():
    bodies = np.stack([np.stack([body_pose(0.2, 0.01, t) for t in range(4)])])
    kept = select_two_bodies(bodies)
    assert kept.shape == (2, 4, 25, 3) and not kept[1].any()


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda lines: lines[:20], "truncated"),
        (lambda lines: lines[:3] + ["24"] + lines[4:], "line 4: expected 25 joints, got 24"),
        (lambda lines: lines[:6] + [lines[6].replace("0.000000", "nan", 1)] + lines[7:],
         "line 7: non-finite"),
        (lambda lines: lines[:7] + [" ".join(lines[7].split()[:11])] + lines[8:],
         "line 8: expected 12 numbers"),
        (lambda lines: ["three"] + lines[1:], "line 1: expected the frame count"),
    ],
)  # fmt: skip
def test_bad_files_name_the_file_and_line(tmp_path, corrupt, message):
    lines = skeleton_text(THREE_BODIES).splitlines()
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text("\n".join(corrupt(lines)) + "\n")
    with pytest.raises(SkeletonDataError, match=message) as info:
        read_skeleton_file(path)
    assert str(path) in str(info.value)


# --- whole dataset ---------------------------------------------------------------------------
@pytest.fixture
def raw_root(tmp_path):
    (tmp_path / "part1").mkdir()
    write(tmp_path / "part1", "S001C001P001R001A001", ONE_BODY)
    write(tmp_path / "part1", "S001C002P002R001A002", ONE_BODY)
    write(tmp_path, "S002C003P003R002A060", THREE_BODIES)
    write(tmp_path, "S018C001P045R001A061", ONE_BODY)  # NTU-120 only
    write(tmp_path, "S001C001P001R001A005", ONE_BODY)  # listed as missing below
    (tmp_path / "NTU_RGBD_samples_with_missing_skeletons.txt").write_text(  # official layout
        "1 of the captured samples in the dataset have missing or incomplete skeleton data.\n"
        "If you are working on skeleton-based analysis, please ignore these files.\n\n"
        "S001C001P001R001A005\n"
    )
    return tmp_path


def test_load_ntu60_labels_splits_and_bodies(raw_root):
    ds = load(raw_root, variant="ntu60", progress=False)
    assert ds.sample_names == ("S001C001P001R001A001", "S001C002P002R001A002",
                               "S002C003P003R002A060")  # fmt: skip
    assert ds.labels.tolist() == [0, 1, 59]
    assert ds.num_classes == 60 and ds.class_names[0] == "drink water"
    assert ds.num_persons == 2 and ds.layout is NTU25
    assert ds.subjects.tolist() == [1, 2, 3] and ds.views.tolist() == [1, 2, 3]
    train, test = ds.splits["cross_subject"]  # P001, P002 train; P003 test
    assert train.tolist() == [0, 1] and test.tolist() == [2]
    train, test = ds.splits["cross_view"]  # cameras 2, 3 train
    assert train.tolist() == [1, 2] and test.tolist() == [0]
    expected = np.zeros((2, 3, 25, 3), dtype=np.float32)
    expected[0] = [body_pose(1, 0.01, t) for t in range(3)]
    expected[1, 1:] = [body_pose(0.5, 0.02, t) for t in (1, 2)]
    want = normalize_sequence(expected, NTU25, "expected")
    np.testing.assert_allclose(ds.sequences[2], want, atol=1e-5)


def test_load_ntu120_and_missing_list_options(raw_root):
    ds = load(raw_root, variant="ntu120", missing_samples=False, progress=False)
    assert len(ds) == 5 and ds.num_classes == 120
    i = ds.sample_names.index("S018C001P045R001A061")
    assert ds.labels[i] == 60 and 45 in NTU120_TRAIN_SUBJECTS
    assert sorted(ds.splits) == ["cross_setup", "cross_subject"]
    train, _ = ds.splits["cross_setup"]  # only S002 and S018 are even setups
    assert sorted(ds.sample_names[k][:4] for k in train) == ["S002", "S018"]
    listed = load(raw_root, variant="ntu120", missing_samples=["S002C003P003R002A060"],
                  max_samples=2, progress=False)  # fmt: skip
    assert listed.sample_names == ("S001C001P001R001A001", "S001C001P001R001A005")


def test_one_frame_and_empty_files(tmp_path):
    write(tmp_path, "S001C001P001R001A001", ONE_BODY[:1])
    ds = load(tmp_path, progress=False)
    assert ds.lengths.tolist() == [1] and ds.sequences[0].shape == (2, 1, 25, 3)
    path = tmp_path / "S001C001P001R001A002.skeleton"
    path.write_text("2\r\n0\r\n0\r\n")  # two frames, nobody tracked: dropped and counted
    ds = load(tmp_path, progress=False)
    assert ds.sample_names == ("S001C001P001R001A001",)
    assert ds.load_report.one_frame == ["S001C001P001R001A001"]
    assert ds.load_report.empty_dropped == ["S001C001P001R001A002"]


def test_duplicate_sample_names_name_both_files(tmp_path):
    for folder in ("s001", "copy"):  # e.g. one archive unzipped twice
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, "S001C001P001R001A001", ONE_BODY)
    with pytest.raises(SkeletonDataError, match="S001C001P001R001A001 is in two files") as info:
        load(tmp_path, progress=False)
    assert str(tmp_path / "s001") in str(info.value) and str(tmp_path / "copy") in str(info.value)


def test_loop_pad_keeps_the_raw_frame_count_of_files_with_empty_frames(tmp_path):
    # docs/released-code.md#empty-frames-loop-padding-versus-trimming: frame 0 and the last two
    # frames track nobody; the released num_frame is the raw count, 6
    frames = [[]] + [[body_pose(0.2, 0.01, t)] for t in range(3)] + [[], []]
    write(tmp_path, "S001C001P001R001A001", frames)
    trimmed = load(tmp_path, progress=False)
    padded = load(tmp_path, progress=False, loop_pad=True)
    assert trimmed.lengths.tolist() == [3] and padded.lengths.tolist() == [6]
    raw = np.zeros((2, 6, 25, 3), dtype=np.float32)
    raw[0, 1:4] = [body_pose(0.2, 0.01, t) for t in range(3)]
    want = normalize_sequence(raw, NTU25, "expected", loop_pad=True)
    np.testing.assert_allclose(padded.sequences[0], want, atol=1e-5)
    np.testing.assert_allclose(padded.sequences[0][:, 3:], trimmed.sequences[0], atol=1e-5)


def test_loop_pad_is_refused_for_preprocessed_arrays(prep_root):
    root, _ = prep_root
    with pytest.raises(ValueError, match="already hold the released loop padding"):
        load(root, variant="ntu60", loop_pad=True)


def test_wrong_benchmark_names_the_ones_present(prep_root):
    root, _ = prep_root
    with pytest.raises(SkeletonDataError, match=r"preprocessed benchmarks found: \['xsub'\]"):
        load(root, variant="ntu60", benchmark="xview")


def test_registry_entry_reads_raw_files(raw_root):
    ds = load_dataset("ntu60", data_root=raw_root, progress=False)
    assert ds.name == "ntu60" and len(ds) == 3


def test_class_names_and_name_parsing():
    assert len(NTU_ACTIONS) == 120 and len(set(NTU_ACTIONS)) == 120
    assert NTU_ACTIONS[59] == "walking apart from each other" and NTU_ACTIONS[119].startswith(
        "finger-guessing"
    )
    sid = parse_sample_name("S017C003P020R002A060.skeleton")
    assert (sid.setup, sid.camera, sid.subject, sid.replication, sid.action) == (17, 3, 20, 2, 60)
    assert parse_sample_name("walk.skeleton") is None


# --- preprocessed arrays ---------------------------------------------------------------------
@pytest.fixture
def prep_root(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "xsub"
    folder.mkdir()
    parts = {"train": (["S001C001P001R001A001", "S001C002P002R001A003"], [0, 2], [12, 5]),
             "val": (["S001C001P003R001A060"], [59], [7])}  # fmt: skip
    arrays = {}
    for part, (names, labels, frames) in parts.items():
        data = rng.normal(size=(len(names), 3, 12, 25, 2)).astype(np.float32)
        np.save(folder / f"{part}_data_joint.npy", data)
        np.save(folder / f"{part}_num_frame.npy", np.array(frames))
        with open(folder / f"{part}_label.pkl", "wb") as f:
            pickle.dump((names, labels), f)
        arrays[part] = data
    return tmp_path, arrays


def test_preprocessed_round_trip_and_autodetect(prep_root):
    root, arrays = prep_root
    ds = load(root, variant="ntu60")  # auto-detected: xsub/train_data_joint.npy exists
    assert ds.sample_names[2] == "S001C001P003R001A060"
    assert ds.labels.tolist() == [0, 2, 59] and ds.lengths.tolist() == [12, 5, 7]
    np.testing.assert_array_equal(ds.sequences[1], arrays["train"][1, :, :5].transpose(3, 1, 2, 0))
    np.testing.assert_array_equal(ds.sequences[2], arrays["val"][0, :, :7].transpose(3, 1, 2, 0))
    train, test = ds.splits["cross_subject"]
    assert train.tolist() == [0, 1] and test.tolist() == [2]
    assert ds.subjects.tolist() == [1, 2, 3]
    only_val = load(root, variant="ntu60", preprocessed=True, part="val")
    assert len(only_val) == 1 and only_val.splits == {}


class Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "train_label.pkl"
    path.write_bytes(pickle.dumps((["a"], [Exploit(marker)])))
    with pytest.raises(SkeletonDataError, match="refusing to load global .*system") as info:
        load_label_pickle(path)
    assert str(path) in str(info.value)
    assert not marker.exists()


def test_numpy_labels_are_refused_with_a_hint(tmp_path):
    path = tmp_path / "val_label.pkl"
    path.write_bytes(pickle.dumps((["a", "b"], list(np.array([1.0, 2.0])))))
    with pytest.raises(SkeletonDataError, match="int\\(x\\)"):
        load_label_pickle(path)
    path.write_bytes(pickle.dumps((["a", "b"], [1])))
    with pytest.raises(SkeletonDataError, match="2 sample names but 1 labels"):
        load_label_pickle(path)


def test_preprocessed_duplicate_names_name_both_label_files(prep_root):
    root, _ = prep_root
    val = root / "xsub" / "val_label.pkl"
    val.write_bytes(pickle.dumps((["S001C002P002R001A003"], [2])))  # also in train
    with pytest.raises(SkeletonDataError, match="'S001C002P002R001A003' appears twice") as info:
        load(root, variant="ntu60")
    assert "train_label.pkl (entry 1)" in str(info.value) and str(val) in str(info.value)


def test_preprocessed_all_zero_sample_is_dropped_and_counted(prep_root):
    root, arrays = prep_root
    train = arrays["train"].copy()
    train[0] = 0.0
    np.save(root / "xsub" / "train_data_joint.npy", train)
    ds = load(root, variant="ntu60")
    assert ds.sample_names == ("S001C002P002R001A003", "S001C001P003R001A060")
    assert ds.load_report.empty_dropped == ["S001C001P001R001A001"]
    train_idx, test_idx = ds.splits["cross_subject"]
    assert train_idx.tolist() == [0] and test_idx.tolist() == [1]


def test_normalize_choice_is_a_raw_option_only(tmp_path, prep_root):
    raw = tmp_path / "raw"
    raw.mkdir()
    write(raw, "S001C001P001R001A001", ONE_BODY)
    assert load(raw, progress=False, normalize="robust").load_report.normalize == "robust"
    root, _ = prep_root
    assert load(root, variant="ntu60", normalize="first_frame").load_report.normalize == (
        "first_frame"
    )
    with pytest.raises(ValueError, match="already normalised .* needs the raw .skeleton files"):
        load(root, variant="ntu60", normalize="robust")
