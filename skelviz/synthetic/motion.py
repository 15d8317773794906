"""Joint-angle trajectories for a batch of takes: timing curves and a body-part vocabulary.

Every action in :mod:`skelviz.synthetic.actions` is written with these pieces: a progress
variable ``u`` in [0, 1] per frame (``(S, T)``, S takes of one class padded to T frames), smooth
envelopes that switch a sub-motion on and off, and :class:`Motion`, which turns "flex the right arm
by 1.2 rad" into bone angles for :func:`skelviz.synthetic.kinematics.forward_kinematics`.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skelviz.synthetic.kinematics import JOINT, ROOT

__all__ = ["smoothstep", "ramp", "bump", "envelope", "take_progress", "TakeParams", "Motion"]


# ---------------------------------------------------------------------------------------------
def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, a C1-smooth S-curve in between."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def ramp(u: np.ndarray, start: float, end: float) -> np.ndarray:
    """Smoothly 0 before ``start`` and 1 after ``end``."""
    return smoothstep((u - start) / (end - start))


def bump(u: np.ndarray, start: float, end: float) -> np.ndarray:
    """Smoothly 0 -> 1 -> 0 over [start, end] (a raised-cosine window), 0 outside."""
    x = np.clip((u - start) / (end - start), 0.0, 1.0)
    return np.sin(np.pi * x) ** 2


def envelope(u: np.ndarray, edge: float = 0.15) -> np.ndarray:
    """1 in the middle of a take, smoothly 0 at both ends (periodic motions fade in and out)."""
    return ramp(u, 0.0, edge) * (1.0 - ramp(u, 1.0 - edge, 1.0))


def take_progress(
    lengths: np.ndarray, frames: int, onset: np.ndarray, tail: np.ndarray, warp: np.ndarray
) -> np.ndarray:
    """(S, T) action progress in [0, 1] for S takes padded to ``frames`` frames.

    A take idles for a fraction ``onset`` of its ``lengths`` frames, performs, then idles for
    ``tail``; ``warp`` in (-1, 1) bends time monotonically (early hurry or late hurry). Padded
    frames past a take's length stay at 1.
    """
    t = np.arange(frames)[None, :] / np.maximum(lengths[:, None] - 1, 1)  # (S, T) in [0, 1]
    u = np.clip((t - onset[:, None]) / (1.0 - onset[:, None] - tail[:, None]), 0.0, 1.0)
    return u + warp[:, None] * np.sin(2 * np.pi * u) / (2 * np.pi)  # derivative 1 + w cos > 0


@dataclass(frozen=True)
class TakeParams:
    """Per-take knobs, each ``(S, 1)``: amplitude scale, cycles (speed), phase, style in [0, 1)
    (which variant of the action), and ``gap``, the distance between two persons at the start."""

    amp: np.ndarray
    cycles: np.ndarray
    phase: np.ndarray
    style: np.ndarray
    gap: np.ndarray

    def wave(self, u: np.ndarray) -> np.ndarray:
        """sin of the take's own oscillation: ``cycles`` periods over the take, shifted by phase."""
        return np.sin(2 * np.pi * self.cycles * u + self.phase)


# ---------------------------------------------------------------------------------------------
_SIDE = {"left": 1.0, "right": -1.0}


class Motion:
    """Bone angles ``(S, P, T, V, 3)`` plus root displacement ``(S, P, T, 3)`` being composed.

    Body-part methods *add* to what is there, so sub-motions superpose. Root displacement is in
    each person's own body frame (x left, y up, z forward); its y part is height above the floor.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    def __init__(self, takes: int, persons: int, frames: int, joints: int) -> None:
        self.angles = np.zeros((takes, persons, frames, joints, 3))  # (S, P, T, V, 3)
        self.root = np.zeros((takes, persons, frames, 3))  # (S, P, T, C)

    def _add(self, person: int, joint: str | int, axis: int, value) -> None:
        j = JOINT[joint] if isinstance(joint, str) else joint
        self.angles[:, person, :, j, axis] += value

    def arm(self, person: int, side: str, flex=0.0, abduct=0.0, swing=0.0, elbow=0.0,
            forearm_up=0.0) -> None:  # fmt: skip
        """Upper arm forward (``flex``), out to the side (``abduct``), across the body
        (``swing``); forearm bent forward (``elbow``) or lifted in the arm's plane
        (``forearm_up``)."""
        s = _SIDE[side]
        self._add(person, f"{side}_elbow", 0, -flex)
        self._add(person, f"{side}_elbow", 2, s * abduct)
        self._add(person, f"{side}_elbow", 1, -s * swing)
        self._add(person, f"{side}_wrist", 0, -elbow)
        self._add(person, f"{side}_wrist", 2, s * forearm_up)

    def leg(self, person: int, side: str, hip=0.0, knee=0.0, abduct=0.0) -> None:
        """Thigh forward (``hip``) or out (``abduct``), shin bent backward (``knee``)."""
        s = _SIDE[side]
        self._add(person, f"{side}_knee", 0, -hip)
        self._add(person, f"{side}_knee", 2, s * abduct)
        self._add(person, f"{side}_ankle", 0, knee)
        self._add(person, f"{side}_foot", 0, -0.5 * knee)  # the foot stays roughly level

    def trunk(self, person: int, lean=0.0, twist=0.0, tilt=0.0) -> None:
        """Bend the spine forward (``lean``), turn it (``twist``), tilt it leftwards (``tilt``)."""
        for joint in ("spine_mid", "spine_shoulder"):
            self._add(person, joint, 0, 0.5 * lean)
            self._add(person, joint, 1, 0.5 * twist)
            self._add(person, joint, 2, -0.5 * tilt)

    def head(self, person: int, nod=0.0, turn=0.0) -> None:
        """Nod the head forward, turn it to the left."""
        self._add(person, "neck", 0, 0.5 * nod)
        self._add(person, "head", 0, 0.5 * nod)
        self._add(person, "neck", 1, turn)

    def body(self, person: int, lean=0.0) -> None:
        """Tip the whole body forward about the pelvis (legs included)."""
        self._add(person, ROOT, 0, lean)

    def move(self, person: int, forward=0.0, up=0.0, left=0.0) -> None:
        """Displace the root: walk forward, leave the floor (jump), step to the left."""
        self.root[:, person, :, 0] += left
        self.root[:, person, :, 1] += up
        self.root[:, person, :, 2] += forward
