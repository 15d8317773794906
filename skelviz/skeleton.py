"""Skeleton topology: joint names, bones and body sides for every supported layout.

The single source of truth for "which joint is which" (paper Section 3: X in R^{T x J x 3}).
Edges are written 1-indexed, exactly as the dataset documentation and 2s-AGCN's
``graph/ntu_rgb_d.py`` list them, and converted to 0-indexed in one visible place
(:func:`_zero_based`). Adjacency helpers (edges -> matrix, the identity / inward / outward
partition used by A-GCN) live here too, modelled on ``pyskl/utils/graph.py``.

Canonical in-memory layout of one skeleton sequence, used everywhere in skelviz:

    (M, T, V, C)   M persons, T frames, V joints, C = 3 coordinates (x, y, z), float32

and a batch of them is ``(N, M, T, V, C)``. Only the representation builders convert away from it.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SkeletonLayout",
    "NTU25",
    "KINECT_V1_20",
    "LAYOUTS",
    "get_layout",
    "edges_to_adjacency",
    "normalize_adjacency",
    "spatial_partition",
]


def _zero_based(edges_one_based: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """The one place where 1-indexed (child, parent) pairs become 0-indexed."""
    return tuple((child - 1, parent - 1) for child, parent in edges_one_based)


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SkeletonLayout:
    """Names, bones and landmarks of one skeleton definition.

    Attributes:
        name: short identifier (``"ntu25"``, ``"kinect_v1_20"``, ...).
        joint_names: V names, index = joint id (0-based).
        edges: bones as 0-based ``(child, parent)`` pairs, pointing *inward* (towards the root).
        center: joint subtracted per frame when centring (the spine, as in the reference code).
        spine: ``(base, top)`` joints whose first-frame bone is rotated onto +z.
        shoulders: ``(right, left)`` joints whose first-frame bone is rotated onto +x.
        left_right_pairs: ``(left, right)`` joint pairs, for mirror flips and colouring.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    name: str
    joint_names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]
    center: int
    spine: tuple[int, int]
    shoulders: tuple[int, int]
    left_right_pairs: tuple[tuple[int, int], ...] = field(default=())

    def __post_init__(self) -> None:
        v = len(self.joint_names)
        joints = [j for e in self.edges for j in e] + [self.center, *self.spine, *self.shoulders]
        joints += [j for p in self.left_right_pairs for j in p]
        bad = [j for j in joints if not 0 <= j < v]
        if bad:
            raise ValueError(f"layout {self.name!r}: joint ids {bad} outside 0..{v - 1}")
        if any(c == p for c, p in self.edges):
            raise ValueError(f"layout {self.name!r}: self-loops do not belong in the edge list")

    # --- derived views --------------------------------------------------------------------
    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    def side_of(self, joint: int) -> str:
        """``"left"``, ``"right"`` or ``"center"`` for colouring a joint or a bone."""
        for left, right in self.left_right_pairs:
            if joint == left:
                return "left"
            if joint == right:
                return "right"
        return "center"

    def flip_permutation(self) -> np.ndarray:
        """Index array that swaps every left joint with its right partner (an involution)."""
        perm = np.arange(self.num_joints)
        for left, right in self.left_right_pairs:
            perm[left], perm[right] = right, left
        return perm

    def adjacency(self) -> np.ndarray:
        """Symmetric (V, V) 0/1 bone adjacency without self-loops."""
        return edges_to_adjacency(self.edges, self.num_joints, symmetric=True)


# ---------------------------------------------------------------------------------------------
# NTU RGB+D (Kinect v2), 25 joints. Edges: 2s-AGCN graph/ntu_rgb_d.py inward list.
_NTU25_NAMES = (
    "spine_base", "spine_mid", "neck", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
    "spine_shoulder", "left_hand_tip", "left_thumb", "right_hand_tip", "right_thumb",
)  # fmt: skip
_NTU25_EDGES_1B = (
    (1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9),
    (11, 10), (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18),
    (20, 19), (22, 23), (23, 8), (24, 25), (25, 12),
)  # fmt: skip
_NTU25_LR_1B = ((5, 9), (6, 10), (7, 11), (8, 12), (13, 17), (14, 18), (15, 19), (16, 20),
                (22, 24), (23, 25))  # fmt: skip

NTU25 = SkeletonLayout(
    name="ntu25",
    joint_names=_NTU25_NAMES,
    edges=_zero_based(_NTU25_EDGES_1B),
    center=1,  # spine_mid: reference pre_normalization centres on joint 1
    spine=(0, 1),  # zaxis=[0, 1]
    shoulders=(8, 4),  # xaxis=[8, 4]: right shoulder -> left shoulder
    left_right_pairs=_zero_based(_NTU25_LR_1B),
)

# Kinect SDK v1, 20 joints (N-UCLA all_sqe, UTKinect-Action3D). Edges: CTR-GCN's NW-UCLA graph
# without its (3, 3) self-loop.
_KINECT20_NAMES = (
    "hip_center", "spine", "shoulder_center", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
)  # fmt: skip
_KINECT20_EDGES_1B = (
    (1, 2), (2, 3), (4, 3), (5, 3), (6, 5), (7, 6), (8, 7), (9, 3), (10, 9), (11, 10),
    (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19),
)  # fmt: skip
_KINECT20_LR_1B = ((5, 9), (6, 10), (7, 11), (8, 12), (13, 17), (14, 18), (15, 19), (16, 20))

KINECT_V1_20 = SkeletonLayout(
    name="kinect_v1_20",
    joint_names=_KINECT20_NAMES,
    edges=_zero_based(_KINECT20_EDGES_1B),
    center=1,  # spine
    spine=(0, 1),  # hip_center -> spine
    shoulders=(8, 4),  # right shoulder -> left shoulder
    left_right_pairs=_zero_based(_KINECT20_LR_1B),
)

LAYOUTS: dict[str, SkeletonLayout] = {layout.name: layout for layout in (NTU25, KINECT_V1_20)}


def get_layout(name: str) -> SkeletonLayout:
    """Look a layout up by name, with a clear error listing the known ones."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown skeleton layout {name!r}; known: {sorted(LAYOUTS)}") from None


# ---------------------------------------------------------------------------------------------
# Pure adjacency helpers (pyskl/utils/graph.py, 2s-AGCN graph/tools.py)
def edges_to_adjacency(
    edges: tuple[tuple[int, int], ...] | list[tuple[int, int]], num_joints: int, symmetric: bool
) -> np.ndarray:
    """(V, V) float32 matrix with A[child, parent] = 1 (and A[parent, child] if symmetric)."""
    a = np.zeros((num_joints, num_joints), dtype=np.float32)
    for child, parent in edges:
        a[child, parent] = 1.0
        if symmetric:
            a[parent, child] = 1.0
    return a


def normalize_adjacency(a: np.ndarray) -> np.ndarray:
    """Column-normalise A by its in-degree: A D^{-1} (2s-AGCN ``normalize_digraph``).

    Columns with no edges stay zero.
    """
    degree = a.sum(axis=0)  # (V,)
    inv = np.where(degree > 0, 1.0 / np.maximum(degree, 1e-12), 0.0)
    return (a * inv[None, :]).astype(np.float32)


def spatial_partition(layout: SkeletonLayout) -> np.ndarray:
    """The (3, V, V) identity / inward / outward partition used by ST-GCN's successor A-GCN.

    ``A[0] = I``, ``A[1] = norm(inward)``, ``A[2] = norm(outward)``, where
    ``inward[child, parent] = 1``
    as in 2s-AGCN ``graph/tools.get_spatial_graph`` (there indexed ``[j, i]`` for edge ``(i, j)``).

    Introduced in ``notebooks/02_representations``.
    """
    v = layout.num_joints
    identity = np.eye(v, dtype=np.float32)
    # 2s-AGCN: inward edge (i, j) sets A[j, i] = 1, i.e. row = parent, column = child.
    inward = edges_to_adjacency([(p, c) for c, p in layout.edges], v, symmetric=False)
    outward = inward.T.copy()
    return np.stack([identity, normalize_adjacency(inward), normalize_adjacency(outward)])
