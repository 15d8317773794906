"""Generic format: save/load round trip, the worked example, and clear errors."""

from __future__ import annotations

import json
import runpy

import numpy as np
import pytest

from skelviz.dataset import SkeletonDataError
from skelviz.preprocess import normalize_sequence
from skelviz.readers import load_dataset
from skelviz.readers.generic import load, save_generic
from skelviz.readers.synthetic import load as load_synthetic
from skelviz.skeleton import KINECT_V1_20, NTU25

EXAMPLE = runpy.run_path(str(__import__("pathlib").Path(__file__).parents[1]
                             / "data" / "examples" / "convert_to_generic.py"))  # fmt: skip


def test_round_trip_of_a_reader_dataset_is_exact(tmp_path):
    ds = load_synthetic(samples_per_class=2, num_subjects=2, num_views=2, seed=1)
    save_generic(ds, tmp_path / "syn")
    back = load(tmp_path / "syn")
    assert back.name == ds.name and back.layout == ds.layout
    assert back.sample_names == ds.sample_names and back.class_names == ds.class_names
    for key in ("labels", "subjects", "views"):
        np.testing.assert_array_equal(getattr(back, key), getattr(ds, key))
    for a, b in zip(back.sequences, ds.sequences):
        np.testing.assert_array_equal(a, b)  # flagged normalized: read back unchanged
    assert sorted(back.splits) == sorted(ds.splits)
    for protocol, (train, test) in ds.splits.items():
        np.testing.assert_array_equal(back.splits[protocol][0], train)
        np.testing.assert_array_equal(back.splits[protocol][1], test)
    assert not list(tmp_path.glob("syn/*.tmp"))  # no temporary files left behind


def test_worked_example_loads_and_is_normalised(tmp_path):
    sequences, labels = EXAMPLE["make_example_arrays"]()
    EXAMPLE["write_generic"](tmp_path, sequences, labels)
    ds = load_dataset("generic", data_root=tmp_path)
    assert len(ds) == 6 and ds.num_persons == 1 and ds.layout.num_joints == 5
    assert ds.labels.tolist() == [0, 1, 0, 1, 0, 1] and ds.class_names == ("wave", "squat")
    assert ds.lengths.tolist() == [20, 25, 30, 35, 40, 45]
    train, test = ds.splits["by_take"]
    assert train.tolist() == [0, 1, 2, 3] and test.tolist() == [4, 5]
    np.testing.assert_allclose(ds.sequences[0][0, :, 0], 0.0, atol=1e-6)  # centred on pelvis
    want = normalize_sequence(sequences[3][None].astype(np.float32), ds.layout, "expected")
    np.testing.assert_allclose(ds.sequences[3], want, atol=1e-6)
    hands = ds.sequences[3][0, 0, 4] - ds.sequences[3][0, 0, 3]  # first frame: right - left
    np.testing.assert_allclose(hands / np.linalg.norm(hands), [1, 0, 0], atol=1e-5)


def test_mixed_person_counts_are_zero_padded(tmp_path):
    sequences, labels = EXAMPLE["make_example_arrays"]()
    sequences[1] = np.stack([sequences[1], sequences[1] + 1.0])  # (M=2, T, V, 3)
    EXAMPLE["write_generic"](tmp_path, sequences, labels)
    ds = load(tmp_path, normalize=False)
    assert ds.num_persons == 2 and not ds.sequences[0][1].any()
    np.testing.assert_allclose(ds.sequences[1][1], sequences[1][1], atol=1e-6)


def edit_meta(folder, change):
    meta = json.loads((folder / "dataset.json").read_text())
    change(meta)
    (folder / "dataset.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.update(edge=[]), r"unknown keys \['edge'\]"),
        (lambda m: m.pop("class_names"), r"missing keys \['class_names'\]"),
        (lambda m: m["samples"][0].pop("label"), r"samples\[0\] must be an object"),
        (lambda m: m["samples"][0].update(name="nope"), "no array for sample 'nope'"),
        (lambda m: m["splits"]["by_take"].update(test=["ghost"]), "unknown sample 'ghost'"),
        (lambda m: m.update(edges=[[1, 9]]), "bad skeleton description"),
        (
            lambda m: m.update(
                joint_names=m["joint_names"][:4], edges=[], shoulders=[0, 3], left_right_pairs=[]
            ),
            "expected 4 joints",
        ),
    ],
)
def test_bad_metadata_gets_a_clear_error(tmp_path, change, message):
    EXAMPLE["write_generic"](tmp_path, *EXAMPLE["make_example_arrays"]())
    edit_meta(tmp_path, change)
    with pytest.raises(SkeletonDataError, match=message):
        load(tmp_path)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda m: m["samples"][3].update(label="wave"),
            r"samples\[3\] \('take_003'\): label 'wave' is not an integer; give the index into "
            r"class_names \(0..1\), not the class name",
        ),
        (
            lambda m: m["samples"][1].update(label=7),
            r"samples\[1\] \('take_001'\): label 7 is outside 0..1 \(class_names has 2 entries\)",
        ),
        (lambda m: m["samples"][2].update(label=-1), r"samples\[2\] \('take_002'\): label -1"),
        (lambda m: m["samples"][0].update(label=1.0), r"samples\[0\] .*label 1.0 is not an int"),
        (lambda m: m["samples"][4].update(subject="s1"), r"\('take_004'\): subject 's1' is not"),
        (lambda m: m["samples"][5].update(view=True), r"\('take_005'\): view True is not an"),
        (
            lambda m: m["samples"][5].update(name="take_000"),
            r"samples\[0\] and samples\[5\] are both named 'take_000'",
        ),
        (lambda m: m["splits"]["by_take"].update(test=[9]), r"'by_take' index 9 outside 0..5"),
    ],
)
def test_bad_sample_fields_name_the_file_the_sample_and_the_field(tmp_path, change, message):
    EXAMPLE["write_generic"](tmp_path, *EXAMPLE["make_example_arrays"]())
    edit_meta(tmp_path, change)
    with pytest.raises(SkeletonDataError, match=message) as info:
        load(tmp_path)
    assert str(tmp_path / "dataset.json") in str(info.value)


def test_default_centre_is_the_top_of_the_spine_as_in_the_built_in_layouts(tmp_path):
    EXAMPLE["write_generic"](tmp_path, *EXAMPLE["make_example_arrays"]())
    edit_meta(tmp_path, lambda m: m.pop("center"))  # spine [0, 1]: centre on joint 1
    assert load(tmp_path).layout.center == 1
    edit_meta(tmp_path, lambda m: m.pop("spine"))  # no spine: joint 0
    assert load(tmp_path).layout.center == 0
    for built_in in (KINECT_V1_20, NTU25):
        assert built_in.center == built_in.spine[1]


def test_bad_arrays_get_a_clear_error(tmp_path):
    sequences, labels = EXAMPLE["make_example_arrays"]()
    sequences[2][5, 1, 0] = np.nan
    EXAMPLE["write_generic"](tmp_path, sequences, labels)
    with pytest.raises(SkeletonDataError, match=r"take_002\]: non-finite .* frame 5, joint 1"):
        load(tmp_path)
    names = [f"take_{k:03d}" for k in range(6)]
    objects = {n: np.array([None], dtype=object) for n in names}  # needs pickle to load
    np.savez(tmp_path / "sequences.npz", **objects)
    with pytest.raises(SkeletonDataError, match="sequences.npz: cannot read"):
        load(tmp_path)
    (tmp_path / "sequences.npz").unlink()
    with pytest.raises(FileNotFoundError, match="sequences.npz"):
        load(tmp_path)
