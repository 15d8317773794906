"""Projection head and the embedding network MoCo trains (paper Section 3.2, Eq. 5).

The released scripts pass ``--mlp`` (fmthoker/skeleton-contrast, MoCo v2 style; notes Sections 1.1
and 4): the encoder's classifier is replaced by ``Linear(D, D) -> ReLU -> Linear(D, 128)`` and the
embedding is L2-normalised before the InfoNCE dot products. Downstream tasks drop the head and keep
``.encoder`` (notes Section 1.2: all ``fc*`` keys are discarded).

Introduced in ``notebooks/03_encoders``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["ProjectionHead", "EmbeddingNet"]


class ProjectionHead(nn.Sequential):
    """``Linear(in_dim, hidden) -> ReLU -> Linear(hidden, out_dim)``: ``(N, D) -> (N, out_dim)``.

    The released head uses ``hidden_dim = in_dim`` (2048, 4096, 256) and PyTorch's default init.

    Introduced in ``notebooks/03_encoders``.
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int = 128) -> None:
        super().__init__(nn.Linear(in_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, out_dim))
        self.in_dim, self.hidden_dim, self.out_dim = in_dim, hidden_dim, out_dim


class EmbeddingNet(nn.Module):
    """Encoder + projection head -> L2-normalised embedding ``(N, out_dim)``.

    Args:
        encoder: any skelviz encoder (canonical ``(N, M, T, V, C)`` in, ``(N, D)`` out,
            attribute ``feature_dim``).
        head: the projection head; by default the released ``ProjectionHead(D, D, 128)``.

    Introduced in ``notebooks/03_encoders``.
    """

    def __init__(self, encoder: nn.Module, head: nn.Module | None = None) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head if head is not None else ProjectionHead(encoder.feature_dim,
                                                                 encoder.feature_dim)  # fmt: skip

    @property
    def out_dim(self) -> int:
        return self.head.out_dim if hasattr(self.head, "out_dim") else self.head[-1].out_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.encoder(x)  # (N, D)
        return F.normalize(self.head(features), dim=1)  # (N, 128), unit L2 norm
