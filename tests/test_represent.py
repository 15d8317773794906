"""The three input representations: released feature order, exact inverses, graph partition."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skelviz.represent import (
    REPRESENTATIONS,
    check_batch,
    from_graph,
    from_image,
    from_sequence,
    graph_adjacency,
    to_graph,
    to_image,
    to_sequence,
)
from skelviz.skeleton import KINECT_V1_20, NTU25


def _batch(n: int, m: int, t: int, v: int, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, m, t, v, 3, generator=gen)


# --- X^SEQ ------------------------------------------------------------------------------------
def test_sequence_order_matches_released_feeder_loop():
    """Feature (v, c, m) at index (v*C + c)*M + m, i.e. [j0.x.p1, j0.x.p2, j0.y.p1, ...]."""
    x = _batch(2, 2, 5, 4)
    s = to_sequence(x)
    assert s.shape == (2, 5, 4 * 3 * 2)
    expected = np.zeros((2, 5, 24), dtype=np.float32)
    for v in range(4):
        for c in range(3):
            for m in range(2):
                expected[:, :, (v * 3 + c) * 2 + m] = x[:, m, :, v, c].numpy()
    np.testing.assert_array_equal(s.numpy(), expected)


def test_sequence_first_features_by_name():
    x = torch.zeros(1, 2, 1, 2, 3)
    x[0, 0, 0, 0] = torch.tensor([1.0, 2.0, 3.0])  # person 1, joint 0: x, y, z
    x[0, 1, 0, 0] = torch.tensor([10.0, 20.0, 30.0])  # person 2, joint 0
    x[0, 0, 0, 1, 0] = 100.0  # person 1, joint 1, x
    s = to_sequence(x)[0, 0]
    # [j0.x.p1, j0.x.p2, j0.y.p1, j0.y.p2, j0.z.p1, j0.z.p2, j1.x.p1]
    assert s[:7].tolist() == [1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 100.0]


@pytest.mark.parametrize("m,v", [(1, 20), (2, 20), (1, 25), (2, 25)])
def test_sequence_round_trip(m, v):
    x = _batch(3, m, 7, v)
    assert torch.equal(from_sequence(to_sequence(x), m, v), x)


def test_from_sequence_rejects_wrong_feature_size():
    with pytest.raises(ValueError, match="V\\*C\\*M"):
        from_sequence(torch.zeros(1, 4, 149), num_persons=2, num_joints=25)


# --- X^IMG / X^STG ----------------------------------------------------------------------------
def test_image_pixels_carry_xyz_as_channels():
    x = _batch(2, 2, 6, 20)
    img = to_image(x)
    assert img.shape == (2, 3, 6, 20, 2)  # (N, C, T, V, M)
    # pixel (t=4, v=7) of person 2's image in sample 1 is that joint's (x, y, z)
    assert torch.equal(img[1, :, 4, 7, 1], x[1, 1, 4, 7])


@pytest.mark.parametrize("m,v", [(1, 20), (2, 25)])
def test_image_and_graph_round_trip(m, v):
    x = _batch(2, m, 9, v)
    assert torch.equal(from_image(to_image(x)), x)
    assert torch.equal(from_graph(to_graph(x)), x)
    assert to_graph(x).shape == (2, 3, 9, v, m)


def test_numpy_input_is_accepted():
    x = _batch(1, 2, 3, 25).numpy()
    assert torch.equal(to_image(x), to_image(torch.from_numpy(x)))


@pytest.mark.parametrize(
    "shape,match",
    [((2, 3, 25, 3), "canonical"), ((1, 2, 4, 25, 2), "C = 3"), ((1, 2, 0, 25, 3), "no frames")],
)
def test_bad_batches_get_clear_errors(shape, match):
    with pytest.raises(ValueError, match=match):
        to_sequence(torch.zeros(shape))


def test_check_batch_names_the_mismatch():
    with pytest.raises(ValueError, match="V = 25 joints, got 20"):
        check_batch(torch.zeros(1, 2, 4, 20, 3), num_persons=2, num_joints=25)
    with pytest.raises(ValueError, match="M = 1 persons, got 2"):
        check_batch(torch.zeros(1, 2, 4, 20, 3), num_persons=1)


# --- graph adjacency --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", [NTU25, KINECT_V1_20], ids=lambda lay: lay.name)
def test_graph_adjacency_partition(layout):
    a = graph_adjacency(layout)
    v = layout.num_joints
    assert a.shape == (3, v, v) and a.dtype == torch.float32
    assert torch.equal(a[0], torch.eye(v))
    # inward and outward are transposed edge sets; together they are exactly the bone graph
    pattern = ((a[1] > 0) | (a[2] > 0)).float()
    assert torch.equal(pattern, torch.from_numpy(layout.adjacency()))
    assert torch.equal(a[1] > 0, (a[2] > 0).T)
    # column-normalised: every column of a non-empty subset sums to 1
    for k in (1, 2):
        sums = a[k].sum(dim=0)
        nonzero = sums > 0
        torch.testing.assert_close(sums[nonzero], torch.ones(int(nonzero.sum())))
    # in the inward subset each joint except the root has exactly one parent: V - 1 columns
    assert int((a[1].sum(dim=0) > 0).sum()) == v - 1


def test_representation_names():
    assert REPRESENTATIONS == ("seq", "img", "stg")
