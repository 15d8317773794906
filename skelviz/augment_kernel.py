"""Fused CPU kernel for the spatio-temporal augmentation of paper Section 3.1 (Eqs. 1-4).

``augment.py`` renders a view in two torch steps: the temporal crop-resize (``resample_windows``,
a fused gather) and the per-joint 3x3 maps of shear / jittering (``apply_joint_maps``). On a CPU
each step is a pass over the whole batch in memory, and the 3x3 maps cannot use the vector units
in the ``(..., V, 3)`` layout. This module does both in **one pass per output frame**, compiled
with numba: for each output frame it interpolates the two source frames into a small buffer and
applies the block-diagonal per-joint map as five diagonals (``out[j] = sum_s coef[s, j] *
frame[j + s]``, ``s = -2..2``), two loops the compiler vectorises.

It computes the same numbers as ``apply_joint_maps(resample_windows(...), maps)`` (to float
rounding: the sum over a joint's three coordinates is done in a different order) and is used by
``augment.render_views`` for float32 CPU tensors. Without numba, or on other devices and dtypes,
``render_views`` runs the torch steps instead. ``numba`` is imported on first use (its import
takes about two seconds); the compiled kernel is cached on disk.

Introduced in ``notebooks/01_augmentations_3d`` (its last section, the cost of a training batch).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

# the columns of the uniform table: numba reads these globals as compile-time constants
from skelviz.augment import (
    U_COIN,
    U_JITTER,
    U_RATIO,
    U_SCORES,
    U_SHEAR,
    U_START,
    U_ZERO,
    jitter_joint_count,
)

__all__ = ["fused_kernel_available", "fused_views", "SPATIAL_CODES"]

SPATIAL_CODES = {"random": 0, "shear": 1, "jitter": 2}



@functools.cache
def _compiled_kernel():
    """The numba-compiled kernel, or None when numba is not installed."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; this guards odd platforms
        return None
    return numba.njit(cache=True, nogil=True, boundscheck=False)(_render_views)


def fused_kernel_available() -> bool:
    """True when numba is installed and the fused CPU kernel can run."""
    return _compiled_kernel() is not None


def _render_views(  # pragma: no cover - compiled by numba
    table, frames, nf, source, u, temporal, l_min, l_max, min_crop, spatial, p_shear, shear_amplitude,
    jitter_joints, p_mask, jitter_amplitude, windows, maps, out,
):  # fmt: skip
    """Kernel body. Per view b: parameters from ``u[b]`` exactly as ``augment.py`` derives them
    (same float32 operations), then crop-resize and per-joint map in one pass.

    table (N*M*T, V*C) float32: one row per (sample, person, frame); frames: T;
    nf, source (B,) int64: valid length and index of the sample view b reads;
    u (B, 22 + V) float32 uniforms; windows (B, 2) int64 and maps (B, V, C, C) float32 receive
    the derived (start, crop) and per-joint maps; out (B, M, T', V*C) float32 receives the views.
    """
    n_views, persons, out_frames, width = out.shape
    num_joints = width // 3
    f32 = np.float32
    coef = np.zeros((5, width), dtype=np.float32)  # the five diagonals of the (V*C)^2 block map
    frame = np.zeros(width + 4, dtype=np.float32)  # one interpolated frame, 2 zeros either side
    shear_low, shear_span = f32(-shear_amplitude), f32(2.0 * shear_amplitude)
    jitter_low, jitter_span = f32(-jitter_amplitude), f32(2.0 * jitter_amplitude)
    for b in range(n_views):
        # --- Eq. 3 window: crop_windows_from_uniforms
        length = nf[b]
        if temporal:
            ratio = f32(l_min) + f32(l_max - l_min) * u[b, U_RATIO]
            crop = max(min(max(math.floor(f32(length) * ratio), min_crop), length), 1)
            start = min(math.floor(u[b, U_START] * f32(length - crop + 1)), length - crop)
        else:
            crop, start = length, 0
        windows[b, 0], windows[b, 1] = start, crop
        # --- Eqs. 1-2 per-joint maps: joint_maps_from_uniforms
        use_shear = u[b, U_COIN] < f32(p_shear) if spatial == 0 else spatial == 1
        zero_mode = u[b, U_ZERO] < f32(p_mask)
        chosen = np.zeros(num_joints, dtype=np.bool_)
        chosen[np.argsort(u[b, U_SCORES : U_SCORES + num_joints])[:jitter_joints]] = True
        for v in range(num_joints):
            for d in range(3):
                for c in range(3):
                    if use_shear:  # S: ones on the diagonal
                        value = (
                            f32(1.0)
                            if d == c
                            else shear_low + shear_span * u[b, U_SHEAR + 3 * d + c]
                        )
                    elif not chosen[v]:
                        value = f32(1.0) if d == c else f32(0.0)
                    elif zero_mode:
                        value = f32(0.0)
                    else:  # R^T
                        value = jitter_low + jitter_span * u[b, U_JITTER + 3 * c + d]
                    maps[b, v, d, c] = value
                for s in range(5):
                    c = d + s - 2
                    coef[s, 3 * v + d] = maps[b, v, d, c] if 0 <= c <= 2 else f32(0.0)
        # zero-masking jitter (and no-op maps) scale coordinates one by one: one diagonal
        diagonal = (not use_shear) and (zero_mode or jitter_joints == 0)
        # --- crop-resize (resample_windows) and map (apply_joint_maps), one pass per frame
        scale = crop / out_frames  # float64, as resample_windows
        for t in range(out_frames):
            src = max((t + 0.5) * scale - 0.5, 0.0)
            i0 = math.floor(src)
            i1 = min(i0 + 1, crop - 1)
            w1 = f32(0.0) if i1 == i0 else f32(src - i0)
            w0 = f32(1.0) - w1
            for m in range(persons):
                first = (source[b] * persons + m) * frames + start
                row0 = table[first + i0]
                row1 = table[first + i1]
                o = out[b, m, t]
                if diagonal:
                    for j in range(width):
                        o[j] = coef[2, j] * (w0 * row0[j] + w1 * row1[j])
                    continue
                for j in range(width):
                    frame[j + 2] = w0 * row0[j] + w1 * row1[j]
                for j in range(width):
                    o[j] = (
                        coef[0, j] * frame[j]
                        + coef[1, j] * frame[j + 1]
                        + coef[2, j] * frame[j + 2]
                        + coef[3, j] * frame[j + 3]
                        + coef[4, j] * frame[j + 4]
                    )


def fused_views(
    x: torch.Tensor,
    lengths: torch.Tensor,
    source: torch.Tensor,
    u: torch.Tensor,
    config,
    return_params: bool = False,
):
    """``augment.render_views`` in one pass (float32, CPU): view b of ``x[source[b]]`` from ``u[b]``.

    x (N, M, T, V, C); lengths (N,); source (B,); u (B, 22 + V); config an ``AugmentConfig`` with
    ``spatial`` in ``random / shear / jitter``. Returns (B, M, out_frames, V, C), and with
    ``return_params`` also the derived ``(start (B,), crop (B,), maps (B, V, C, C))``.
    """
    kernel = _compiled_kernel()
    if kernel is None:
        raise RuntimeError("the fused augmentation kernel needs numba (pip install numba)")
    n, m, t, v, c = x.shape
    b = len(source)
    if u.shape != (b, U_SCORES + v):
        raise ValueError(f"u must have shape ({b}, {U_SCORES + v}), got {tuple(u.shape)}")
    source = source.to(torch.int64).cpu().contiguous()
    table = x.detach().contiguous().reshape(n * m * t, v * c)
    windows = torch.empty((b, 2), dtype=torch.int64)
    maps = torch.empty((b, v, 3, 3), dtype=torch.float32)
    out = torch.empty((b, m, config.out_frames, v * c), dtype=torch.float32)
    kernel(
        table.numpy(), t, lengths.cpu().to(torch.int64)[source].numpy(), source.numpy(),
        u.detach().cpu().to(torch.float32).contiguous().numpy(), config.temporal, config.l_min,
        config.l_max, config.min_crop_frames, SPATIAL_CODES[config.spatial], config.p_shear,
        config.shear_amplitude, jitter_joint_count(v, config.jitter_joints), config.jitter_p_mask,
        config.jitter_amplitude, windows.numpy(), maps.numpy(), out.numpy(),
    )  # fmt: skip
    views = out.view(b, m, config.out_frames, v, c)
    if return_params:
        return views, (windows[:, 0], windows[:, 1], maps)
    return views
