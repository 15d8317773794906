"""A per-sample port of the released augmentation pipeline, the baseline of bench_augment.py.

Follows ``feeder/augmentations.py`` of fmthoker/skeleton-contrast as described in
``shared/notes/reference-implementation.md`` section 2 (paraphrased, not copied): one sample
``(C, T, V, M)`` at a time, numpy shear / joint corruption and a torch ``F.interpolate`` resize.
The only change is the NumPy 2 fix the notes call for: the crop scale is drawn as a Python float.
It exists to measure the speed of the released approach, not as library code.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def temporal_cropresize(x, num_frames, rng, l_ratio=(0.1, 1.0), out_frames=64, min_crop=64):
    """(C, T, V, M) -> (C, out_frames, V, M)."""
    c, _, v, m = x.shape
    scale = float(rng.uniform(*l_ratio))
    length = min(max(int(np.floor(num_frames * scale)), min_crop), num_frames)
    start = int(rng.integers(0, num_frames - length + 1))
    clip = torch.from_numpy(np.ascontiguousarray(x[:, start : start + length]))  # (C, L, V, M)
    clip = clip.permute(0, 2, 3, 1).reshape(1, c * v * m, length, 1)
    out = F.interpolate(clip, size=(out_frames, 1), mode="bilinear", align_corners=False)
    return out.reshape(c, v, m, out_frames).permute(0, 3, 1, 2).numpy()


def pose_shear(x, rng, amplitude=1.0):
    s = np.eye(3) + rng.uniform(-amplitude, amplitude, (3, 3)) * (1 - np.eye(3))
    return np.einsum("dc,ctvm->dtvm", s, x)


def joint_corruption(x, rng, num_joints=15):
    out = x.copy()
    joints = rng.choice(x.shape[2], num_joints, replace=False)
    if rng.random() < 0.5:
        out[:, :, joints] = 0
    else:
        r = rng.uniform(-1, 1, (3, 3))
        out[:, :, joints] = np.einsum("ctvm,cd->dtvm", x[:, :, joints], r)
    return out


def two_views(x, num_frames, rng):
    """The inter feeder's ``__getitem__`` augmentation part: two independent views."""
    views = []
    for _ in range(2):
        clip = temporal_cropresize(x, num_frames, rng)
        views.append(pose_shear(clip, rng) if rng.random() < 0.5 else joint_corruption(clip, rng))
    return views
