"""The one visual language of skelviz skeleton figures, shared by plotly and matplotlib.

* body-side colours: left = blue, right = red, centre (spine, head) = dark grey, as in pyskl's
  ``visualize.py``; a bone takes the side of its child joint (the end away from the root);
* the second person is drawn with the same colours, fainter;
* z is up: after ``skelviz.preprocess`` the first-frame spine points (close to) +z and the vector
  from the left to the right shoulder along +x, so the actor faces +y; one fixed camera looks at
  the actor from the front, slightly from the actor's left;
* every 3D panel is an equal-aspect cube, so bone lengths are never distorted by the axes;
* missing joints (exactly zero, except the centre joint) are not drawn;
* interactive figures rotate on drag and zoom with the modebar, never with the mouse wheel
  (``PLOTLY_CONFIG``): the wheel scrolls the page, so a figure never traps a reader scrolling by.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import numpy as np

from skelviz.skeleton import SkeletonLayout

__all__ = [
    "SIDE_COLORS",
    "SIDES",
    "PERSON_OPACITY",
    "PLOTLY_CAMERA",
    "MPL_VIEW",
    "PLOTLY_CONFIG",
    "joint_colors",
    "bone_side",
    "bones_by_side",
    "present_persons",
    "visible_joints",
    "cube_bounds",
    "sample_frames",
]

SIDES = ("left", "right", "center")
SIDE_COLORS = {"left": "#1f63b4", "right": "#d62728", "center": "#3c3c3c"}
PERSON_OPACITY = (1.0, 0.5)  # person 0, person 1 (and any further person)
PLOTLY_CAMERA = {"eye": {"x": -0.8, "y": 1.75, "z": 0.45}, "up": {"x": 0, "y": 0, "z": 1}}
MPL_VIEW = {"elev": 12.0, "azim": 115.0}  # matplotlib view_init of about the same camera
PLOTLY_CONFIG = {"scrollZoom": False}  # plotly.js config wherever a figure is shown or saved


# ---------------------------------------------------------------------------------------------
def joint_colors(layout: SkeletonLayout) -> list[str]:
    """One colour per joint, from ``layout.side_of``."""
    return [SIDE_COLORS[layout.side_of(j)] for j in range(layout.num_joints)]


def bone_side(layout: SkeletonLayout, child: int, parent: int) -> str:
    """Side of a bone: its child joint's side, or the parent's when the child is central."""
    side = layout.side_of(child)
    return side if side != "center" else layout.side_of(parent)


def bones_by_side(layout: SkeletonLayout) -> dict[str, list[tuple[int, int]]]:
    """``{"left": [(child, parent), ...], "right": [...], "center": [...]}``."""
    groups: dict[str, list[tuple[int, int]]] = {side: [] for side in SIDES}
    for child, parent in layout.edges:
        groups[bone_side(layout, child, parent)].append((child, parent))
    return groups


def present_persons(seq: np.ndarray) -> list[int]:
    """Indices of persons with at least one recorded (non-zero) joint in ``seq`` (M, T, V, C).

    Person 0 is always kept so that an all-zero sequence still gets drawn (as a dot).
    """
    recorded = np.any(np.asarray(seq) != 0, axis=(1, 2, 3))  # (M,)
    return [m for m in range(len(recorded)) if recorded[m] or m == 0]


def visible_joints(pose: np.ndarray, layout: SkeletonLayout) -> np.ndarray:
    """(V,) bool: joints to draw in one pose ``(V, C)``. A joint stored as exactly (0, 0, 0) is
    missing (lost by the sensor, or zero-masked by joint jittering) and is not drawn, nor are its
    bones; the centre joint is always drawn, since centring puts it at the origin.
    """
    visible = np.any(np.asarray(pose) != 0, axis=-1)
    visible[layout.center] = True
    return visible


def cube_bounds(*seqs: np.ndarray, margin: float = 0.05) -> tuple[np.ndarray, float]:
    """``(centre (3,), half_width)`` of one cube holding every recorded joint of every sequence.

    Zero joints (missing persons / joints) are ignored; equal half-widths on x, y and z give an
    equal-aspect box.
    """
    points = [np.asarray(s, dtype=np.float64).reshape(-1, 3) for s in seqs]
    stacked = np.concatenate(points)  # (P, C)
    recorded = stacked[np.any(stacked != 0, axis=1)]
    if len(recorded) == 0:
        return np.zeros(3), 1.0
    low, high = recorded.min(axis=0), recorded.max(axis=0)
    half = float((high - low).max() / 2.0) * (1.0 + margin)
    return (low + high) / 2.0, max(half, 1e-3)


def sample_frames(num_frames: int, count: int | None) -> np.ndarray:
    """Up to ``count`` evenly spaced frame indices in ``0..num_frames-1`` (all when ``None``)."""
    if num_frames < 1:
        raise ValueError("cannot sample frames from an empty sequence")
    if count is None or count >= num_frames:
        return np.arange(num_frames)
    if count < 1:
        raise ValueError(f"frame count must be >= 1, got {count}")
    return np.unique(np.linspace(0, num_frames - 1, count).round().astype(int))
