"""View normalisation of raw skeleton sequences, as the reference pipeline does it.

Follows ``data_gen/preprocess.py`` of the released code (the 2s-AGCN NTU pipeline; see
``docs/released-code.md#data-and-preprocessing``), on one canonical ``(M, T, V, C)`` sequence:

1. per person: if its first frame is empty, move its non-empty frames to the front (persons who
   are never present go behind the present ones, as the released motion-energy sort puts them);
2. empty frames at the end (see below);
3. per-frame centring on person 0's centre joint (spine); joints that were missing stay zero;
4. rotate the whole sequence so person 0's first-frame spine bone points along +z;
5. rotate so person 0's first-frame shoulder vector (right minus left, i.e. pointing from the left
   to the right shoulder) lies along +x; the actor then faces +y.

Step 2 is where skelviz departs from the released code by default
(``docs/released-code.md#empty-frames-loop-padding-versus-trimming``). The released pipeline keeps
the raw file's frame count as ``num_frame`` and fills each person's empty tail by repeating that
person's frames from the start (loop padding, to 300 frames); its feeders then crop inside
``[0, num_frame)``, so where a raw file ends with empty frames, or starts with them (step 1 moves
the data forward and leaves the end empty), or one person leaves before the other, the crops can
contain those repeated frames. skelviz by default (``loop_pad=False``) leaves each person's tail
empty and drops the trailing frames where nobody is present, so a sequence ends at its last
recorded frame. ``normalize_sequence(..., loop_pad=True)`` reproduces the released behaviour
instead: the raw frame count is kept and every person's tail is loop-padded before centring.
Sequences are never padded beyond their raw length (the feeders never read past it).

Steps 4 and 5 read one frame, so a poor first frame (a mis-tracked or missing shoulder, the actor
half turned) turns the whole sequence the wrong way. ``alignment="robust"`` estimates the spine
and shoulder directions from every frame instead: the per-frame unit vectors of the frames where
both joints were recorded, their coordinate-wise median, normalised (:func:`body_axes`); the two
rotations are then built exactly as in steps 4-5. ``alignment="first_frame"`` (the default) is the
released behaviour. Readers take the choice as their ``normalize`` option, one of
:data:`NORMALIZATIONS` (:func:`normalize_for_reader`).

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import numpy as np

from skelviz.dataset import SkeletonDataError, check_sequence
from skelviz.skeleton import SkeletonLayout

__all__ = [
    "NORMALIZATIONS",
    "DEFAULT_NORMALIZATION",
    "rotation_onto",
    "compact_persons",
    "trim_empty_frames",
    "loop_pad_persons",
    "center_sequence",
    "body_axes",
    "alignment_rotation",
    "align_sequence",
    "normalize_sequence",
    "check_normalization",
    "normalize_for_reader",
]

# The readers' ``normalize`` option: what happens to every raw sequence on loading.
NORMALIZATIONS = {
    "first_frame": "centre, then turn the first frame's spine to +z and shoulders to +x (released)",
    "robust": "centre, then turn the median spine / shoulder direction over all frames",
    "center": "centre on the spine joint in every frame only, no rotation",
    "none": "raw coordinates, unchanged",
}
DEFAULT_NORMALIZATION = "first_frame"
ALIGNMENTS = ("first_frame", "robust")


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


def loop_pad_persons(seq: np.ndarray) -> np.ndarray:
    """Fill each person's empty tail by repeating its frames from the start (released padding).

    For each person present at all, the frames after its last recorded frame ``e`` become
    frames ``0, 1, ..., e, 0, 1, ...`` of the same person, up to the sequence's length; frames
    before ``e`` (including empty ones inside) are kept as they are. This is the padding step of
    the released ``data_gen/preprocess.py`` (``pre_normalization``) cut to the raw length; apply
    it after :func:`compact_persons`, as the released code does.
    """
    out = seq.copy()  # (M, T, V, C)
    frame_present = _present(seq).any(axis=-1)  # (M, T)
    length = seq.shape[1]
    for person in range(seq.shape[0]):
        recorded = np.flatnonzero(frame_present[person])
        if len(recorded) == 0:
            continue
        end = int(recorded[-1]) + 1  # frames [0, end) hold the person's data
        if end < length:
            out[person, end:] = seq[person, np.arange(length - end) % end]
    return out


def center_sequence(seq: np.ndarray, layout: SkeletonLayout) -> np.ndarray:
    """Subtract person 0's centre joint in the same frame from every joint (per-frame centring).

    Missing joints (all-zero) stay exactly zero.
    """
    present = _present(seq)[..., None]  # (M, T, V, 1)
    center = seq[0, :, layout.center]  # (T, C)
    return ((seq - center[None, :, None, :]) * present).astype(np.float32)


def body_axes(seq: np.ndarray, layout: SkeletonLayout, alignment: str = "robust"):
    """Person 0's spine (base -> top) and shoulder (left -> right) vectors, each ``(C,)`` float64.

    ``"first_frame"``: the bones of frame 0 as they are (a missing joint counts as the origin, as
    in the released code). ``"robust"``: the coordinate-wise median of the per-frame unit bone
    vectors over the frames where both joints were recorded (non-zero), normalised; a zero vector
    when no frame has both. Read ``seq`` before centring (centring zeroes the centre joint, which
    would then look missing); the vectors are the same either way, as centring is a translation.
    """
    base, top = layout.spine
    right, left = layout.shoulders
    person = np.asarray(seq[0], dtype=np.float64)  # (T, V, C)
    if alignment == "first_frame":
        return person[0, top] - person[0, base], person[0, right] - person[0, left]
    if alignment != "robust":
        raise ValueError(f"alignment must be one of {ALIGNMENTS}, got {alignment!r}")
    present = np.any(person != 0, axis=-1)  # (T, V)
    axes = []
    for a, b in ((top, base), (right, left)):
        bones = person[:, a] - person[:, b]  # (T, C)
        length = np.linalg.norm(bones, axis=-1)  # (T,)
        valid = present[:, a] & present[:, b] & (length > 1e-9)
        if not valid.any():
            axes.append(np.zeros(3))
            continue
        median = np.median(bones[valid] / length[valid, None], axis=0)  # (C,)
        axes.append(median / max(np.linalg.norm(median), 1e-12))
    return axes[0], axes[1]


def alignment_rotation(spine: np.ndarray, shoulders: np.ndarray) -> np.ndarray:
    """The 3x3 rotation (float64) that turns ``spine`` onto +z, then the turned ``shoulders``
    onto +x by the smallest rotation (steps 4-5 of the module docstring)."""
    r_z = rotation_onto(np.asarray(spine, dtype=np.float64), np.array([0.0, 0.0, 1.0]))
    r_x = rotation_onto(r_z @ np.asarray(shoulders, dtype=np.float64), np.array([1.0, 0.0, 0.0]))
    return r_x @ r_z


def align_sequence(
    seq: np.ndarray,
    layout: SkeletonLayout,
    axes: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Rotate so that person 0's spine is +z, then its shoulder vector (right - left) +x.

    Without ``axes`` the frame-0 bones of ``seq`` are used (the released behaviour); ``axes``
    gives the ``(spine, shoulders)`` vectors to use instead (:func:`body_axes`). As in the
    reference, the second rotation is the smallest one that puts the shoulders on +x; its axis is
    not z in general, so it tilts the spine slightly away from +z again.
    """
    out = seq.astype(np.float64)
    base, top = layout.spine
    right, left = layout.shoulders
    if axes is not None:
        return (out @ alignment_rotation(*axes).T).astype(np.float32)  # p' = R p
    # After centring, the centre joint is exactly zero, so test bones, not joints, for presence;
    # a zero-length bone (missing joints) leaves the sequence unrotated. (Kept as the released
    # code computes it, so first-frame results stay bit-identical.)
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
    loop_pad: bool = False,
    alignment: str = "first_frame",
) -> np.ndarray:
    """The reference preprocessing (module docstring) on one ``(M, T, V, C)`` sequence.

    ``loop_pad=False`` (skelviz's default): persons' tails stay empty and trailing frames where
    nobody is present are dropped. ``loop_pad=True``: the released behaviour, the raw frame count
    is kept and each person's tail is filled by :func:`loop_pad_persons` before centring.
    ``alignment``: ``"first_frame"`` (released) or ``"robust"`` (:func:`body_axes`).

    Raises :class:`SkeletonDataError` naming ``source`` for non-finite values or empty input.
    """
    if alignment not in ALIGNMENTS:
        raise ValueError(f"alignment must be one of {ALIGNMENTS}, got {alignment!r}")
    seq = compact_persons(check_sequence(seq, source, layout.num_joints))
    trimmed = trim_empty_frames(seq, source)  # raises when every frame is empty
    seq = loop_pad_persons(seq) if loop_pad else trimmed
    axes = body_axes(seq, layout, alignment) if align and alignment == "robust" else None
    if center:
        seq = center_sequence(seq, layout)
    if align:
        seq = align_sequence(seq, layout, axes)
    return seq


def check_normalization(normalize: str | bool, dataset: str) -> str:
    """The reader option ``normalize`` as one of :data:`NORMALIZATIONS`.

    ``True`` means :data:`DEFAULT_NORMALIZATION` and ``False`` means ``"none"`` (the options'
    earlier boolean form). Anything else is a ``ValueError`` naming the dataset and the choices.
    """
    if normalize is True:
        return DEFAULT_NORMALIZATION
    if normalize is False:
        return "none"
    if normalize not in NORMALIZATIONS:
        raise ValueError(
            f"{dataset}: normalize must be one of {', '.join(NORMALIZATIONS)} (or True / False), "
            f"got {normalize!r}"
        )
    return normalize


def normalize_for_reader(
    seq: np.ndarray,
    layout: SkeletonLayout,
    normalize: str,
    source: str = "sequence",
    loop_pad: bool = False,
) -> np.ndarray:
    """One raw ``(M, T, V, C)`` sequence as a reader returns it under option ``normalize``.

    ``"none"`` only checks the array; the others go through :func:`normalize_sequence`
    (``"center"`` without the rotations).
    """
    if normalize == "none":
        if loop_pad:
            raise ValueError(f"{source}: loop_pad needs a normalisation other than 'none'")
        return check_sequence(seq, source, layout.num_joints)
    if normalize == "center":
        return normalize_sequence(seq, layout, source, align=False, loop_pad=loop_pad)
    return normalize_sequence(seq, layout, source, loop_pad=loop_pad, alignment=normalize)
