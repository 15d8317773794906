"""View normalisation of raw skeleton sequences, as the reference pipeline does it.

Follows ``data_gen/preprocess.py`` of the released code (the 2s-AGCN NTU pipeline, described in
``shared/notes/reference-implementation.md`` section 3), on one canonical ``(M, T, V, C)`` sequence:

1. per person: if its first frame is empty, move its non-empty frames to the front;
2. trailing frames where nobody is present are dropped (they carry no motion);
3. per-frame centring on person 0's centre joint (spine); joints that were missing stay zero;
4. rotate the whole sequence so person 0's first-frame spine bone points along +z;
5. rotate so person 0's first-frame shoulder vector (right minus left, i.e. pointing from the left
   to the right shoulder) lies along +x; the actor then faces +y.

Unlike the reference we do not loop-pad to 300 frames: sequences keep their valid length, and
the temporal crop (``skelviz.augment``) only ever reads inside it, exactly like the released
feeders do with ``num_frame``.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import numpy as np

from skelviz.dataset import SkeletonDataError, check_sequence
from skelviz.skeleton import SkeletonLayout

__all__ = [
    "rotation_onto",
    "compact_persons",
    "trim_empty_frames",
    "center_sequence",
    "align_sequence",
    "normalize_sequence",
]


# ---------------------------------------------------------------------------------------------
def rotation_onto(vector: np.ndarray, target: np.ndarray) -> np.ndarray:
    """3x3 rotation matrix R (float64) with ``R @ vector`` parallel to ``target`` (Rodrigues).

    A zero vector gives the identity; an anti-parallel vector is turned by pi about an axis
    perpendicular to it.
    """
    a = np.asarray(vector, dtype=np.float64)
    b = np.asarray(target, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-9 or nb < 1e-9:
        return np.eye(3)
    a, b = a / na, b / nb
    axis = np.cross(a, b)
    sin, cos = np.linalg.norm(axis), float(np.clip(a @ b, -1.0, 1.0))
    if sin < 1e-9:
        if cos > 0:
            return np.eye(3)
        # anti-parallel: any axis perpendicular to a
        helper = np.array([1.0, 0.0, 0.0]) if abs(a[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
        axis = np.cross(a, helper)
        axis /= np.linalg.norm(axis)
        k = _cross_matrix(axis)
        return np.eye(3) + 2.0 * k @ k
    k = _cross_matrix(axis / sin)
    return np.eye(3) + sin * k + (1.0 - cos) * (k @ k)


def _cross_matrix(u: np.ndarray) -> np.ndarray:
    return np.array([[0.0, -u[2], u[1]], [u[2], 0.0, -u[0]], [-u[1], u[0], 0.0]])


# ---------------------------------------------------------------------------------------------
def _present(seq: np.ndarray) -> np.ndarray:
    """(M, T, V) bool: the joint was recorded (any coordinate non-zero)."""
    return np.any(seq != 0, axis=-1)


def compact_persons(seq: np.ndarray) -> np.ndarray:
    """Move each person's recorded frames to the front when its first frame is empty.

    Persons who are never present are moved behind the present ones, so person 0 is the main
    actor whenever anyone is recorded.
    """
    out = np.zeros_like(seq)  # (M, T, V, C)
    frame_present = _present(seq).any(axis=-1)  # (M, T)
    order = sorted(range(seq.shape[0]), key=lambda p: not frame_present[p].any())
    for slot, person in enumerate(order):
        if frame_present[person, 0]:
            out[slot] = seq[person]
        else:
            frames = seq[person, frame_present[person]]  # (T', V, C)
            out[slot, : len(frames)] = frames
    return out


def trim_empty_frames(seq: np.ndarray, source: str = "sequence") -> np.ndarray:
    """Drop trailing frames where no person has any joint; an all-empty sequence is an error."""
    any_present = _present(seq).any(axis=(0, 2))  # (T,)
    if not any_present.any():
        raise SkeletonDataError(f"{source}: every frame is empty (all joints are zero)")
    last = int(np.nonzero(any_present)[0][-1])
    return seq[:, : last + 1]


def center_sequence(seq: np.ndarray, layout: SkeletonLayout) -> np.ndarray:
    """Subtract person 0's centre joint in the same frame from every joint (per-frame centring).

    Missing joints (all-zero) stay exactly zero.
    """
    present = _present(seq)[..., None]  # (M, T, V, 1)
    center = seq[0, :, layout.center]  # (T, C)
    return ((seq - center[None, :, None, :]) * present).astype(np.float32)


def align_sequence(seq: np.ndarray, layout: SkeletonLayout) -> np.ndarray:
    """Rotate so that person 0's frame-0 spine is +z, then its shoulder vector (right - left) +x.

    As in the reference, the second rotation is the smallest one that puts the shoulders on +x;
    its axis is not z in general, so it tilts the spine slightly away from +z again.
    """
    out = seq.astype(np.float64)
    base, top = layout.spine
    right, left = layout.shoulders
    # After centring, the centre joint is exactly zero, so test bones, not joints, for presence;
    # a zero-length bone (missing joints) leaves the sequence unrotated.
    first = out[0, 0]  # (V, C)
    r_z = rotation_onto(first[top] - first[base], np.array([0.0, 0.0, 1.0]))
    out = out @ r_z.T  # p' = R p for every joint
    first = out[0, 0]
    r_x = rotation_onto(first[right] - first[left], np.array([1.0, 0.0, 0.0]))
    out = out @ r_x.T
    return out.astype(np.float32)


def normalize_sequence(
    seq: np.ndarray,
    layout: SkeletonLayout,
    source: str = "sequence",
    center: bool = True,
    align: bool = True,
) -> np.ndarray:
    """The reference preprocessing (module docstring) on one ``(M, T, V, C)`` sequence.

    Raises :class:`SkeletonDataError` naming ``source`` for non-finite values or empty input.
    """
    seq = check_sequence(seq, source, layout.num_joints)
    seq = trim_empty_frames(compact_persons(seq), source)
    if center:
        seq = center_sequence(seq, layout)
    if align:
        seq = align_sequence(seq, layout)
    return seq
