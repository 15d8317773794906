"""The three input skeleton representations of the paper, built from the canonical batch.

Paper Section 3.3: one raw sequence is *represented* three ways, each read by its own encoder:

* ``X^SEQ``  sequence-based: a multi-dimensional time series ``(N, T, V*C*M)`` for the BiGRU;
* ``X^IMG``  image-based: a ``T x V`` pseudo-image whose channels are the 3 coordinates,
  ``(N, C, T, V, M)`` for HCN (one image per person);
* ``X^STG``  graph-based: the spatio-temporal graph ``(N, C, T, V, M)`` plus the 3-subset
  spatial adjacency ``(3, V, V)`` (identity / inward / outward) for A-GCN.

Orders follow the released code (fmthoker/skeleton-contrast, ``feeder/*.py``; see
``docs/released-code.md#the-three-representations``):
the SEQ feature of one frame is joint-major, then xyz, then person,
``[j0.x.p1, j0.x.p2, j0.y.p1, j0.y.p2, j0.z.p1, j0.z.p2, j1.x.p1, ...]`` (persons interleaved
per coordinate, not concatenated), obtained as ``(C, T, V, M) -> (T, V, C, M) -> (T, V*C*M)``.

Everything here is a pure permutation / reshape: no values change, so every builder has an exact
inverse and the round trips are tested.

Introduced in ``notebooks/02_representations``.
"""

from __future__ import annotations

import numpy as np
import torch

from skelviz.skeleton import SkeletonLayout, spatial_partition

__all__ = [
    "REPRESENTATIONS",
    "check_batch",
    "to_sequence",
    "from_sequence",
    "to_image",
    "from_image",
    "to_graph",
    "from_graph",
    "graph_adjacency",
]

REPRESENTATIONS = ("seq", "img", "stg")


# ---------------------------------------------------------------------------------------------
def check_batch(
    x: torch.Tensor | np.ndarray, num_persons: int | None = None, num_joints: int | None = None
) -> torch.Tensor:
    """Return the canonical batch ``(N, M, T, V, C)`` as a tensor, or raise a clear ``ValueError``.

    ``num_persons`` / ``num_joints``, when given, must match M / V (an encoder built for a layout
    cannot read another one).

    Introduced in ``notebooks/02_representations``.
    """
    x = torch.as_tensor(x)
    if x.dim() != 5:
        raise ValueError(f"expected a canonical batch (N, M, T, V, C), got shape {tuple(x.shape)}")
    _, m, t, v, c = x.shape
    if c != 3:
        raise ValueError(f"expected C = 3 coordinates in the last axis, got shape {tuple(x.shape)}")
    if t < 1:
        raise ValueError(f"batch has no frames: shape {tuple(x.shape)}")
    if num_persons is not None and m != num_persons:
        raise ValueError(f"expected M = {num_persons} persons, got {m} (shape {tuple(x.shape)})")
    if num_joints is not None and v != num_joints:
        raise ValueError(f"expected V = {num_joints} joints, got {v} (shape {tuple(x.shape)})")
    return x


# --- X^SEQ: a time series of V*C*M features ---------------------------------------------------
def to_sequence(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Canonical ``(N, M, T, V, C)`` -> ``(N, T, V*C*M)`` in the released feature order.

    Feature index ``f = (v * C + c) * M + m``: joint-major, then xyz, then person.

    Introduced in ``notebooks/02_representations``.
    """
    x = check_batch(x)
    n, m, t, v, c = x.shape
    return x.permute(0, 2, 3, 4, 1).reshape(n, t, v * c * m)  # (N, T, V, C, M) -> (N, T, V*C*M)


def from_sequence(s: torch.Tensor | np.ndarray, num_persons: int, num_joints: int) -> torch.Tensor:
    """Inverse of :func:`to_sequence`: ``(N, T, V*C*M)`` -> ``(N, M, T, V, C)``.

    Introduced in ``notebooks/02_representations``.
    """
    s = torch.as_tensor(s)
    if s.dim() != 3 or s.shape[-1] != num_joints * 3 * num_persons:
        raise ValueError(
            f"expected (N, T, V*C*M) = (N, T, {num_joints * 3 * num_persons}) for V={num_joints}, "
            f"M={num_persons}, got shape {tuple(s.shape)}"
        )
    n, t, _ = s.shape
    x = s.reshape(n, t, num_joints, 3, num_persons)  # (N, T, V, C, M)
    return x.permute(0, 4, 1, 2, 3)  # (N, M, T, V, C)


# --- X^IMG: coordinates as colour channels of a T x V picture, one per person --------------
def to_image(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Canonical ``(N, M, T, V, C)`` -> pseudo-image ``(N, C, T, V, M)`` (HCN input).

    Pixel ``(t, v)`` of person ``m``'s image has the colour ``(x, y, z)`` of joint v at frame t.

    Introduced in ``notebooks/02_representations``.
    """
    return check_batch(x).permute(0, 4, 2, 3, 1)  # (N, C, T, V, M)


def from_image(img: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Inverse of :func:`to_image`: ``(N, C, T, V, M)`` -> ``(N, M, T, V, C)``.

    Introduced in ``notebooks/02_representations``.
    """
    img = torch.as_tensor(img)
    if img.dim() != 5 or img.shape[1] != 3:
        raise ValueError(f"expected (N, C=3, T, V, M), got shape {tuple(img.shape)}")
    return img.permute(0, 4, 2, 3, 1)  # (N, M, T, V, C)


# --- X^STG: node features on the spatio-temporal graph -----------------------------------
def to_graph(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Canonical ``(N, M, T, V, C)`` -> graph node features ``(N, C, T, V, M)`` (A-GCN input).

    The same tensor layout as :func:`to_image` (the released feeders pass one array to both);
    the representations differ in how the encoder connects the entries: HCN convolves over the
    ``T x V`` grid, A-GCN aggregates over the bones in :func:`graph_adjacency` and over time.

    Introduced in ``notebooks/02_representations``.
    """
    return check_batch(x).permute(0, 4, 2, 3, 1)  # (N, C, T, V, M)


def from_graph(g: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Inverse of :func:`to_graph`: ``(N, C, T, V, M)`` -> ``(N, M, T, V, C)``.

    Introduced in ``notebooks/02_representations``.
    """
    return from_image(g)


def graph_adjacency(layout: SkeletonLayout) -> torch.Tensor:
    """The ``(3, V, V)`` float32 spatial partition: identity, normalised inward, normalised outward.

    Column-normalised as in 2s-AGCN ``graph/tools.py`` (see
    :func:`skelviz.skeleton.spatial_partition`); A-GCN registers it as a buffer and adds a learnable
    offset to it.

    Introduced in ``notebooks/02_representations``.
    """
    return torch.from_numpy(spatial_partition(layout))
