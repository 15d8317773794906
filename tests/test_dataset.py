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


def test_a_batch_holds_each_sequence_then_zeros():
    ds = make()
    x, lengths = ds.batch(range(len(ds)))
    assert x.shape == (3, 1, 5, 20, 3) and lengths.tolist() == [3, 5, 1]
    assert np.array_equal(x[0, :, :3], ds.sequences[0]) and not x[0, :, 3:].any()
    x4, l4 = ds.batch(range(len(ds)), max_frames=4)
    assert x4.shape[2] == 4 and l4.tolist() == [3, 4, 1]
    assert np.array_equal(x4[1], ds.sequences[1][:, :4])


def whole_split_cut(ds, indices, max_frames=None):
    """The old way: pad the whole split, take the rows, cut to the batch's longest sequence."""
    x_all, lengths_all = ds.batch(range(len(ds)), max_frames)
    lengths = lengths_all[indices]
    return x_all[indices, :, : lengths.max()], lengths


@pytest.mark.parametrize("max_frames", [None, 1, 4, 7, 1000])
def test_per_batch_padding_equals_whole_split_padding_cut_to_each_batch(max_frames):
    rng = np.random.default_rng(3)
    lengths = [1, 9, 4, 1, 12, 5, 1, 7, 3, 10, 2, 6]  # one-frame sequences among them
    persons = [rng.normal(size=(2, t, 20, 3)).astype(np.float32) for t in lengths]
    ds = make(lengths, sequences=persons)
    order = rng.permutation(len(ds))
    for start in range(0, len(ds), 5):  # batches of 5, 5 and 2, in shuffled order
        indices = order[start : start + 5]
        x, valid = ds.batch(indices, max_frames=max_frames)
        x_ref, valid_ref = whole_split_cut(ds, indices, max_frames)
        assert x.dtype == np.float32 and valid.dtype == np.int64
        assert x.shape == x_ref.shape and np.array_equal(x, x_ref)
        assert np.array_equal(valid, valid_ref)
        cap = max_frames or 1000
        assert x.shape[2] == min(max(lengths[i] for i in indices), cap)
        assert valid.tolist() == [min(lengths[i], cap) for i in indices]


def test_batch_of_one_frame_sequences_and_edge_selections():
    ds = make((1, 1, 4))
    x, valid = ds.batch([1, 0])
    assert x.shape == (2, 1, 1, 20, 3) and valid.tolist() == [1, 1]
    assert np.array_equal(x[0], ds.sequences[1]) and np.array_equal(x[1], ds.sequences[0])
    x, valid = ds.batch(np.array([2, 2]))  # repeats are fine
    assert x.shape == (2, 1, 4, 20, 3) and np.array_equal(x[0], x[1])
    x, valid = ds.batch([])
    assert x.shape == (0, 1, 0, 20, 3) and valid.shape == (0,)
    with pytest.raises(IndexError, match="index 3 outside 0..2"):
        ds.batch([0, 3])
    with pytest.raises(ValueError, match="max_frames"):
        ds.batch([0], max_frames=0)


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
        (dict(labels=np.array([0, 1, 2])), "sample 's2' has label 2; labels must lie in 0..1"),
        (dict(sample_names=["a", "b", "a"]), "not unique: 'a' is samples 0 and 2"),
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
