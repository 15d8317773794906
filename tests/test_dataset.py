"""The SkeletonDataset container: validation, subsets, splits and padding."""

import numpy as np
import pytest

from skelviz.dataset import SkeletonDataError, SkeletonDataset
from skelviz.skeleton import KINECT_V1_20


def make(lengths=(3, 5, 1), **overrides):
    rng = np.random.default_rng(0)
    n = len(lengths)
    kwargs = dict(
        name="toy",
        layout=KINECT_V1_20,
        sequences=[rng.normal(size=(1, t, 20, 3)).astype(np.float32) for t in lengths],
        labels=np.arange(n) % 2,
        class_names=("a", "b"),
        subjects=np.arange(n),
        views=np.ones(n),
        sample_names=[f"s{i}" for i in range(n)],
        splits={"half": (np.array([0, 1]), np.array([2]))},
    )
    kwargs.update(overrides)
    return SkeletonDataset(**kwargs)


def test_padded_batch_holds_each_sequence_then_zeros():
    ds = make()
    x, lengths = ds.padded()
    assert x.shape == (3, 1, 5, 20, 3) and lengths.tolist() == [3, 5, 1]
    assert np.array_equal(x[0, :, :3], ds.sequences[0]) and not x[0, :, 3:].any()
    x4, l4 = ds.padded(max_frames=4)
    assert x4.shape[2] == 4 and l4.tolist() == [3, 4, 1]
    assert np.array_equal(x4[1], ds.sequences[1][:, :4])


def test_split_and_subset_keep_metadata_aligned():
    ds = make()
    train, test = ds.split("half")
    assert train.sample_names == ("s0", "s1") and test.sample_names == ("s2",)
    assert test.labels.tolist() == [0] and test.lengths.tolist() == [1]
    assert "half" in repr(ds) and "N=3" in repr(ds)
    with pytest.raises(ValueError, match="unknown protocol 'x'"):
        ds.split("x")


@pytest.mark.parametrize(
    "overrides,message",
    [
        (dict(labels=np.array([0, 1, 2])), "labels must lie"),
        (dict(sample_names=["a", "a", "b"]), "not unique"),
        (dict(subjects=np.arange(2)), "subjects has shape"),
        (dict(splits={"bad": (np.array([0]), np.array([7]))}), "out of range"),
    ],
)
def test_inconsistent_metadata_is_rejected(overrides, message):
    with pytest.raises(SkeletonDataError, match=message):
        make(**overrides)


def test_nan_joint_names_the_sample():
    seqs = [np.zeros((1, 2, 20, 3), np.float32) for _ in range(3)]
    seqs[1][0, 1, 4, 2] = np.nan
    with pytest.raises(SkeletonDataError, match=r"toy/s1: non-finite .* frame 1, joint 4"):
        make(sequences=seqs)


def test_split_by_mask_gives_train_then_test_indices():
    from skelviz.dataset import split_by_mask

    train, test = split_by_mask([True, False, False, True])
    assert train.tolist() == [0, 3] and test.tolist() == [1, 2]
