"""Recording a synthetic performance: Kinect-like camera views and sensor noise.

A view is a camera standing on a circle around the actors (yaw angle, distance, lens height),
looking horizontally at the origin. World points go into camera space by one rigid transform,
Kinect style: y up, z the depth away from the sensor, x completing a right-handed frame. The
sensor then adds Gaussian jitter (twice as strong in depth, growing with distance) and loses a
small fraction of extremity joints, which are stored as exact zeros as the real datasets do.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skelviz.synthetic.kinematics import JOINT

__all__ = ["CameraView", "camera_views", "to_camera", "add_sensor_noise", "DROPPABLE_JOINTS"]

# Hands, feet and the limbs' far ends lose tracking; the torso (used by view normalisation) never.
DROPPABLE_JOINTS = tuple(
    j for name, j in JOINT.items()
    if name.split("_", 1)[-1] in {"elbow", "wrist", "hand", "hand_tip", "thumb", "knee", "ankle",
                                  "foot"} or name == "head"
)  # fmt: skip


@dataclass(frozen=True)
class CameraView:
    """One camera: ``yaw`` (radians, 0 = in front of a person facing +z), ``distance`` to the
    origin and ``height`` of the lens above the floor, in metres.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    yaw: float
    distance: float
    height: float = 0.9

    def rotation(self) -> np.ndarray:
        """(3, 3) world -> camera rotation; rows are the camera's x, y (up) and z (depth) axes."""
        forward = -np.array([np.sin(self.yaw), 0.0, np.cos(self.yaw)])
        up = np.array([0.0, 1.0, 0.0])
        return np.stack([np.cross(up, forward), up, forward])

    def position(self) -> np.ndarray:
        """(3,) camera centre in world coordinates."""
        return np.array([self.distance * np.sin(self.yaw), self.height,
                         self.distance * np.cos(self.yaw)])  # fmt: skip


def camera_views(num_views: int) -> tuple[CameraView, ...]:
    """``num_views`` cameras spread over -45..+45 degrees (one view: straight in front), at
    distances cycling through 2.6, 3.0 and 3.4 m so views also differ in scale of the noise."""
    yaws = np.linspace(-np.pi / 4, np.pi / 4, num_views) if num_views > 1 else np.zeros(1)
    return tuple(CameraView(float(yaw), 2.6 + 0.4 * (v % 3)) for v, yaw in enumerate(yaws))


# ---------------------------------------------------------------------------------------------
def to_camera(world: np.ndarray, view: CameraView) -> np.ndarray:
    """Rigid transform of ``(..., C)`` world points into the view's camera space."""
    return (world - view.position()) @ view.rotation().T


def add_sensor_noise(
    seq: np.ndarray, present: np.ndarray, view: CameraView, noise: float, dropout: float,
    rng: np.random.Generator,
) -> np.ndarray:  # fmt: skip
    """Jitter and joint loss on one camera-space take.

    Args:
        seq: (M, T, V, C) camera-space joints.
        present: (M, T) bool, which persons are recorded in which frame; the rest stay zero.
        noise: standard deviation of the x/y jitter in metres at 3 m (depth gets twice that).
        dropout: probability that one droppable joint is lost in one frame (set to exactly 0).

    Introduced in ``notebooks/00_skeleton_data``.
    """
    scale = noise * view.distance / 3.0 * np.array([1.0, 1.0, 2.0])  # (C,)
    out = seq + rng.normal(size=seq.shape) * scale  # (M, T, V, C)
    lost = np.zeros(seq.shape[:3], dtype=bool)  # (M, T, V)
    lost[..., DROPPABLE_JOINTS] = rng.random(lost[..., DROPPABLE_JOINTS].shape) < dropout
    keep = present[..., None] & ~lost  # (M, T, V)
    return np.where(keep[..., None], out, 0.0)
