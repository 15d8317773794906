"""Skeleton layouts and adjacency helpers (skelviz.skeleton)."""

import numpy as np
import pytest

from skelviz.skeleton import (
    KINECT_V1_20,
    LAYOUTS,
    NTU25,
    SkeletonLayout,
    edges_to_adjacency,
    get_layout,
    normalize_adjacency,
    spatial_partition,
)


@pytest.mark.parametrize("layout", list(LAYOUTS.values()), ids=list(LAYOUTS))
def test_bones_form_one_connected_tree(layout):
    v = layout.num_joints
    assert len(layout.edges) == v - 1  # a tree over V joints has V - 1 bones
    a = layout.adjacency()
    reached, frontier = {0}, [0]
    while frontier:
        j = frontier.pop()
        for k in np.nonzero(a[j])[0]:
            if k not in reached:
                reached.add(int(k))
                frontier.append(int(k))
    assert reached == set(range(v))


def test_one_based_edges_are_converted_once():
    # NTU's documented first bones, 1-based (1, 2) spine_base->spine_mid and (2, 21)
    assert NTU25.edges[0] == (0, 1)
    assert NTU25.edges[1] == (1, 20)
    assert NTU25.joint_names[20] == "spine_shoulder"
    # Kinect v1: (4, 3) head -> shoulder centre
    assert (3, 2) in KINECT_V1_20.edges
    assert KINECT_V1_20.joint_names[3] == "head"


@pytest.mark.parametrize("layout", list(LAYOUTS.values()), ids=list(LAYOUTS))
def test_left_right_permutation_is_an_involution_matching_names(layout):
    perm = layout.flip_permutation()
    assert np.array_equal(perm[perm], np.arange(layout.num_joints))
    for left, right in layout.left_right_pairs:
        assert layout.joint_names[left].replace("left", "right") == layout.joint_names[right]
        assert layout.side_of(left) == "left" and layout.side_of(right) == "right"
    assert layout.side_of(layout.center) == "center"


def test_landmarks_have_the_documented_names():
    assert NTU25.joint_names[NTU25.center] == "spine_mid"
    assert [NTU25.joint_names[j] for j in NTU25.shoulders] == ["right_shoulder", "left_shoulder"]
    assert [KINECT_V1_20.joint_names[j] for j in KINECT_V1_20.spine] == ["hip_center", "spine"]


def test_adjacency_normalisation_by_hand():
    # chain 0 - 1 - 2, inward edges (0 -> 1), (2 -> 1)
    a = edges_to_adjacency([(0, 1), (2, 1)], 3, symmetric=True)
    assert a.tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    n = normalize_adjacency(a)
    # column sums of a: 1, 2, 1 -> column j divided by its degree
    assert np.allclose(n, [[0, 0.5, 0], [1, 0, 1], [0, 0.5, 0]])


def test_spatial_partition_identity_inward_outward():
    parts = spatial_partition(NTU25)
    assert parts.shape == (3, 25, 25)
    assert np.array_equal(parts[0], np.eye(25))
    inward = parts[1] > 0
    # 2s-AGCN: inward edge (child, parent) sets A[parent, child]
    for child, parent in NTU25.edges:
        assert inward[parent, child] and not inward[child, parent]
    assert np.array_equal(parts[2] > 0, inward.T)
    # every column with an edge sums to 1 after normalisation
    col = parts[1].sum(axis=0)
    assert np.allclose(col[col > 0], 1.0)


def test_bad_layouts_and_names_are_clear_errors():
    with pytest.raises(ValueError, match="outside"):
        SkeletonLayout("bad", ("a", "b"), ((0, 2),), 0, (0, 1), (0, 1))
    with pytest.raises(ValueError, match="self-loops"):
        SkeletonLayout("bad", ("a", "b"), ((1, 1),), 0, (0, 1), (0, 1))
    with pytest.raises(ValueError, match="known"):
        get_layout("ntu26")
    assert get_layout("ntu25") is NTU25
