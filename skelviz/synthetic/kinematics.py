"""Forward kinematics on the NTU 25-joint skeleton, for the synthetic action generator.

A body is a kinematic tree rooted at ``spine_base`` whose bones follow ``NTU25.edges`` (read as
undirected and re-rooted, since the 2s-AGCN list points at ``spine_shoulder``). Each bone has a
rest offset in the body frame (x = the person's left, y = up, z = the person's forward, metres)
and a local rotation per frame; rotations compose down the tree, so bone lengths are kept exactly
in every frame (the property the paper's shear augmentation, Section 3.1, deliberately breaks).

Angles are stored per *bone*, keyed by the bone's child joint: ``angles[..., j, :]`` turns the
bone that ends at joint ``j`` and everything beyond it (``angles[..., left_elbow, :]`` moves the
left upper arm). Euler order: ``R = Ry(y) @ Rz(z) @ Rx(x)``. Signs for the bones hanging down at
rest (arms, legs): ``x < 0`` swings the bone forward, ``z > 0`` swings it to the person's left; for
bones pointing up (spine, neck) ``x > 0`` leans forward. :func:`mirror_angles` maps a motion onto
the other side of the body.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skelviz.skeleton import NTU25

__all__ = [
    "ROOT",
    "JOINT",
    "PARENTS",
    "TOPOLOGICAL_ORDER",
    "REST_OFFSETS",
    "BodyShape",
    "sample_body_shapes",
    "bone_offsets",
    "euler_to_matrix",
    "rotation_y",
    "forward_kinematics",
    "mirror_angles",
]

JOINT = {name: j for j, name in enumerate(NTU25.joint_names)}
ROOT = JOINT["spine_base"]


# ---------------------------------------------------------------------------------------------
def _tree_from_edges(edges, num_joints: int, root: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Parent of every joint (root: -1) and a parents-first order, by breadth-first search."""
    neighbours: dict[int, list[int]] = {j: [] for j in range(num_joints)}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    parents = np.full(num_joints, -1, dtype=np.int64)
    order, frontier, seen = [root], [root], {root}
    while frontier:
        nxt = []
        for j in frontier:
            for k in sorted(neighbours[j]):
                if k not in seen:
                    seen.add(k)
                    parents[k] = j
                    nxt.append(k)
        order += nxt
        frontier = nxt
    if len(order) != num_joints:
        raise ValueError("NTU25 edges do not form a connected tree")
    return parents, tuple(order)


PARENTS, TOPOLOGICAL_ORDER = _tree_from_edges(NTU25.edges, NTU25.num_joints, ROOT)

# Rest pose (arms hanging, legs straight) of a 1.75 m adult: offset of each joint from its parent
# in the body frame, metres. Right-side joints mirror the left ones (x negated).
_LEFT_OFFSETS = {
    "spine_mid": (0.0, 0.26, 0.0), "spine_shoulder": (0.0, 0.24, -0.01),
    "neck": (0.0, 0.07, 0.01), "head": (0.0, 0.15, 0.01),
    "left_shoulder": (0.17, -0.03, 0.0), "left_elbow": (0.0, -0.27, 0.0),
    "left_wrist": (0.0, -0.25, 0.0), "left_hand": (0.0, -0.07, 0.0),
    "left_thumb": (0.0, -0.02, 0.035), "left_hand_tip": (0.0, -0.06, -0.035),
    "left_hip": (0.09, -0.06, 0.0), "left_knee": (0.0, -0.42, 0.0),
    "left_ankle": (0.0, -0.40, 0.0), "left_foot": (0.0, -0.06, 0.12),
}  # fmt: skip


def _rest_offsets() -> np.ndarray:
    out = np.zeros((NTU25.num_joints, 3))  # (V, C)
    for name, offset in _LEFT_OFFSETS.items():
        out[JOINT[name]] = offset
        if name.startswith("left_"):
            out[JOINT["right_" + name[5:]]] = (-offset[0], offset[1], offset[2])
    return out


REST_OFFSETS = _rest_offsets()  # (V, C); row ROOT is zero

# Which proportion scales which bone (keyed by the bone's child joint).
_GROUPS = {
    "torso": ("spine_mid", "spine_shoulder", "neck", "head"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "arm": ("elbow", "wrist", "hand", "thumb", "hand_tip"),
    "hips": ("left_hip", "right_hip"),
    "leg": ("knee", "ankle", "foot"),
}


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BodyShape:
    """Per-subject body proportions: overall height and limb ratios (1.0 = the rest pose).

    Introduced in ``notebooks/00_skeleton_data``.
    """

    height: float
    torso: float
    shoulders: float
    arm: float
    hips: float
    leg: float


def sample_body_shapes(num_subjects: int, rng: np.random.Generator) -> list[BodyShape]:
    """Draw ``num_subjects`` distinct bodies: heights 1.50-1.95 m, limb ratios +-10 %."""
    height = rng.uniform(0.86, 1.11, num_subjects)
    ratios = rng.uniform(0.9, 1.1, (num_subjects, 5))
    return [BodyShape(float(h), *map(float, r)) for h, r in zip(height, ratios)]


def bone_offsets(shape: BodyShape) -> np.ndarray:
    """(V, C) rest offsets of one body: the 1.75 m template scaled by its proportions."""
    scale = np.full(NTU25.num_joints, shape.height)
    for group, members in _GROUPS.items():
        ratio = getattr(shape, group)
        for j, name in enumerate(NTU25.joint_names):
            if name in members or name.split("_", 1)[-1] in members:
                scale[j] *= ratio
    return REST_OFFSETS * scale[:, None]


# ---------------------------------------------------------------------------------------------
def rotation_y(angle: np.ndarray) -> np.ndarray:
    """(..., 3, 3) rotations about the vertical y axis (yaw)."""
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack([np.stack([c, zero, s], -1), np.stack([zero, one, zero], -1),
                     np.stack([-s, zero, c], -1)], -2)  # fmt: skip


def euler_to_matrix(angles: np.ndarray) -> np.ndarray:
    """(..., 3) Euler angles (x, y, z) -> (..., 3, 3) rotations ``Ry(y) @ Rz(z) @ Rx(x)``."""
    cx, cy, cz = np.moveaxis(np.cos(angles), -1, 0)  # each (...)
    sx, sy, sz = np.moveaxis(np.sin(angles), -1, 0)
    r = np.empty(angles.shape[:-1] + (3, 3))  # (..., 3, 3), the product written out
    r[..., 0, 0], r[..., 0, 1] = cy * cz, sy * sx - cy * sz * cx
    r[..., 0, 2] = cy * sz * sx + sy * cx
    r[..., 1, 0], r[..., 1, 1], r[..., 1, 2] = sz, cz * cx, -cz * sx
    r[..., 2, 0], r[..., 2, 1] = -sy * cz, sy * sz * cx + cy * sx
    r[..., 2, 2] = cy * cx - sy * sz * sx
    return r


def forward_kinematics(
    offsets: np.ndarray, angles: np.ndarray, root_position: np.ndarray, facing: np.ndarray
) -> np.ndarray:
    """Joint positions from bone rotations, vectorised over samples and frames.

    Args:
        offsets: (P, V, C) rest offsets per body (:func:`bone_offsets`).
        angles: (P, T, V, 3) bone Euler angles (module docstring); row ROOT turns the whole body.
        root_position: (P, T, C) position of ``spine_base`` in the world.
        facing: (P,) yaw of the body frame in the world, radians.

    Returns:
        (P, T, V, C) world positions; every bone keeps its rest length in every frame.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    p, t, v, _ = angles.shape
    local = euler_to_matrix(angles)  # (P, T, V, 3, 3)
    world_rot = np.empty_like(local)  # (P, T, V, 3, 3) accumulated rotation of each bone
    pos = np.empty((p, t, v, 3))  # (P, T, V, C)
    world_rot[:, :, ROOT] = rotation_y(facing)[:, None] @ local[:, :, ROOT]
    pos[:, :, ROOT] = root_position
    for j in TOPOLOGICAL_ORDER[1:]:
        parent = PARENTS[j]
        if angles[:, :, j].any():
            world_rot[:, :, j] = world_rot[:, :, parent] @ local[:, :, j]
        else:  # a bone no motion turns (hands, hips, ...) follows its parent
            world_rot[:, :, j] = world_rot[:, :, parent]
        bone = np.einsum("ptij,pj->pti", world_rot[:, :, j], offsets[:, j])  # (P, T, C)
        pos[:, :, j] = pos[:, :, parent] + bone
    return pos


def mirror_angles(angles: np.ndarray) -> np.ndarray:
    """The left/right mirror image of a motion: swap sides, negate the y and z rotations."""
    flipped = angles[..., NTU25.flip_permutation(), :]  # (..., V, 3)
    return flipped * np.array([1.0, -1.0, -1.0])
