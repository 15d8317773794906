"""A per-sample port of the released augmentation pipeline, the baseline of bench_augment.py.

Follows ``feeder/augmentations.py`` and the inter feeder's ``__getitem__`` of
fmthoker/skeleton-contrast with the operations ``docs/released-code.md#augmentations``
describes (paraphrased, not copied), so that it costs what the released code costs:
one sample ``(C, T, V, M)`` at a time; Python ``random`` for the coins and matrix entries, numpy's
legacy global-style generator for the crop and the joint choice; the shear and the joint map as
``np.dot`` on a ``(T, V, M, C)`` transposed copy with a float64 matrix; the resize as
``F.interpolate(mode="bilinear")`` on a ``(1, C*V*M, L, 1)`` tensor. The only change is the
NumPy 2 fix (``docs/released-code.md#defects-of-the-released-code``): the crop scale is drawn
as a Python float.
It exists to measure the speed of the released approach, not as library code.
"""

from __future__ import annotations

import random

import numpy as np
import torch
import torch.nn.functional as F


class ReleasedPipeline:
    """Two augmented views of one sample, as the released inter feeder makes them."""

    def __init__(self, seed: int = 0, out_frames: int = 64, l_ratio=(0.1, 1.0), min_crop: int = 64):
        self.coins = random.Random(seed)  # the released code uses the global `random` module
        self.np_random = np.random.RandomState(seed)  # ... and the global np.random
        self.out_frames, self.l_ratio, self.min_crop = out_frames, l_ratio, min_crop

    def temporal_cropresize(self, x: np.ndarray, num_frames: int) -> np.ndarray:
        """(C, T, V, M) -> (C, out_frames, V, M)."""
        c, _, v, m = x.shape
        low, high = self.l_ratio
        scale = float(self.np_random.rand()) * (high - low) + low
        length = min(max(int(np.floor(num_frames * scale)), self.min_crop), num_frames)
        start = self.np_random.randint(0, num_frames - length + 1)
        clip = torch.tensor(x[:, start : start + length], dtype=torch.float)
        clip = clip.permute(0, 2, 3, 1).contiguous().view(c * v * m, length)[None, :, :, None]
        clip = F.interpolate(clip, size=(self.out_frames, 1), mode="bilinear", align_corners=False)
        clip = clip.squeeze(dim=3).squeeze(dim=0).contiguous()
        return clip.view(c, v, m, self.out_frames).permute(0, 3, 1, 2).contiguous().numpy()

    def pose_shear(self, x: np.ndarray) -> np.ndarray:
        u = self.coins.uniform
        shear = np.array(
            [[1, u(-1, 1), u(-1, 1)], [u(-1, 1), 1, u(-1, 1)], [u(-1, 1), u(-1, 1), 1]]
        )
        return np.dot(x.copy().transpose([1, 2, 3, 0]), shear.transpose()).transpose(3, 0, 1, 2)

    def joint_corruption(self, x: np.ndarray, num_joints: int = 15) -> np.ndarray:
        out = x.copy()
        if self.coins.random() < 0.5:
            out[:, :, self.np_random.choice(x.shape[2], num_joints, replace=False), :] = 0
            return out
        joints = self.np_random.choice(x.shape[2], num_joints, replace=False)
        matrix = np.array([[self.coins.uniform(-1, 1) for _ in range(3)] for _ in range(3)])
        mapped = np.dot(out[:, :, joints, :].transpose([1, 2, 3, 0]), matrix)
        out[:, :, joints, :] = mapped.transpose(3, 0, 1, 2)
        return out

    def two_views(self, x: np.ndarray, num_frames: int) -> list[np.ndarray]:
        """The augmentation part of the inter feeder's ``__getitem__``: two independent views."""
        views = []
        for _ in range(2):
            clip = self.temporal_cropresize(x, num_frames)
            spatial = self.pose_shear if self.coins.random() < 0.5 else self.joint_corruption
            views.append(spatial(clip))
        return views

    @staticmethod
    def to_seq_and_graph(view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The feeder's formatting of one view: SEQ (T, 150) and STG (C, T, V, M), float32."""
        seq = view.transpose(1, 2, 0, 3).reshape(view.shape[1], -1).astype("float32")
        return seq, view.astype("float32")
