"""Projection head and the embedding network MoCo trains (paper Section 3.2, Eq. 5).

The released scripts pass ``--mlp`` (fmthoker/skeleton-contrast, MoCo v2 style; see
``docs/released-code.md#projection-head-and-its-initialisation``): the encoder's classifier
``fc = Linear(D, 128)`` is wrapped into ``Linear(D, D) -> ReLU -> fc``, and the embedding is
L2-normalised before the InfoNCE dot products. Downstream tasks drop the head and keep
``.encoder`` (the released linear evaluation discards every ``fc*`` key).

Initialisation. The released ``--mlp`` code builds only the *first* layer anew (PyTorch's default
``nn.Linear`` init); the *last* layer is the encoder's own ``fc``, so it keeps the encoder's
output-layer initialisation: ``xavier_uniform_`` weight and default bias for the BiGRU
(``weights_init_gru`` in ``moco/builder_*.py``), Glorot-uniform weight and zero bias for HCN
(``moco/HCN.py``), ``N(0, sqrt(2 / out_dim))`` weight and default bias for A-GCN
(``moco/AGCN.py``). At the released sizes (D = 2048 / 4096 / 256, out 128) that is a weight std
of 0.0303 / 0.0218 / 0.125, against 0.0128 / 0.0090 / 0.0361 under PyTorch's default.
``ProjectionHead(init="released", representation=...)`` reproduces it; the default
``init="pytorch"`` initialises both layers with PyTorch's default.

Introduced in ``notebooks/03_encoders``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["HEAD_INITS", "ProjectionHead", "EmbeddingNet", "released_fc_init_"]

HEAD_INITS = ("pytorch", "released")
_RELEASED_FC_INIT = {  # representation -> what the released encoder does to its own fc
    "seq": "xavier_uniform_ weight, default bias (moco/builder_*.py weights_init_gru)",
    "img": "Glorot-uniform weight, zero bias (moco/HCN.py weights_init)",
    "stg": "N(0, sqrt(2 / out_features)) weight, default bias (moco/AGCN.py Model)",
}


def released_fc_init_(layer: nn.Linear, representation: str) -> nn.Linear:
    """Initialise ``layer`` in place as the released encoder of ``representation`` does its ``fc``.

    ``"seq"``: ``xavier_uniform_`` weight, bias left as it is (PyTorch's default);
    ``"img"``: Glorot-uniform weight (the same bound, ``sqrt(6 / (fan_in + fan_out))``), zero bias;
    ``"stg"``: weight ``~ N(0, sqrt(2 / out_features))``, bias left as it is.
    Returns ``layer``.

    Introduced in ``notebooks/03_encoders``.
    """
    if representation not in _RELEASED_FC_INIT:
        raise ValueError(
            f"released fc init: unknown representation {representation!r}; "
            f"known: {sorted(_RELEASED_FC_INIT)}"
        )
    with torch.no_grad():
        if representation == "seq":
            nn.init.xavier_uniform_(layer.weight)
        elif representation == "img":
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        else:
            nn.init.normal_(layer.weight, 0.0, math.sqrt(2.0 / layer.out_features))
    return layer


class ProjectionHead(nn.Sequential):
    """``Linear(in_dim, hidden) -> ReLU -> Linear(hidden, out_dim)``: ``(N, D) -> (N, out_dim)``.

    The released head uses ``hidden_dim = in_dim`` (2048, 4096, 256) and ``out_dim = 128``.

    Args:
        in_dim: the encoder's feature size D.
        hidden_dim: width of the hidden layer.
        out_dim: embedding size (128 in the paper).
        init: ``"pytorch"`` (default): both layers keep PyTorch's default ``nn.Linear`` init.
            ``"released"``: the first layer keeps it, the last layer is re-initialised as the
            released encoder initialises its ``fc`` (:func:`released_fc_init_`), which needs
            ``representation``.
        representation: ``"seq"``, ``"img"`` or ``"stg"``; used by ``init="released"`` only.

    Introduced in ``notebooks/03_encoders``.
    """

    def __init__(
        self,
        in_dim: int,
        hidden_dim: int,
        out_dim: int = 128,
        init: str = "pytorch",
        representation: str | None = None,
    ) -> None:
        if init not in HEAD_INITS:
            raise ValueError(f"head init must be one of {HEAD_INITS}, got {init!r}")
        if init == "released" and representation not in _RELEASED_FC_INIT:
            raise ValueError(
                "init='released' needs the encoder's representation "
                f"({sorted(_RELEASED_FC_INIT)}), got {representation!r}"
            )
        super().__init__(nn.Linear(in_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, out_dim))
        self.in_dim, self.hidden_dim, self.out_dim = in_dim, hidden_dim, out_dim
        self.init, self.representation = init, representation
        if init == "released":
            released_fc_init_(self[2], representation)


class EmbeddingNet(nn.Module):
    """Encoder + projection head -> L2-normalised embedding ``(N, out_dim)``.

    Args:
        encoder: any skelviz encoder (canonical ``(N, M, T, V, C)`` in, ``(N, D)`` out,
            attribute ``feature_dim``; skelviz's encoders also carry ``representation``).
        head: the projection head; by default the released ``ProjectionHead(D, D, 128)``.
        head_init: initialisation of the default head (``"pytorch"`` or ``"released"``, see
            :class:`ProjectionHead`); ``"released"`` reads ``encoder.representation``. Only
            for the default head: pass an initialised ``head`` otherwise.

    Introduced in ``notebooks/03_encoders``.
    """

    def __init__(
        self, encoder: nn.Module, head: nn.Module | None = None, head_init: str = "pytorch"
    ) -> None:
        super().__init__()
        if head is not None and head_init != "pytorch":
            raise ValueError("head_init applies to the default head only; initialise `head` itself")
        self.encoder = encoder
        if head is None:
            d = encoder.feature_dim
            head = ProjectionHead(
                d, d, init=head_init, representation=getattr(encoder, "representation", None)
            )
        self.head = head

    @property
    def out_dim(self) -> int:
        return self.head.out_dim if hasattr(self.head, "out_dim") else self.head[-1].out_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.encoder(x)  # (N, D)
        return F.normalize(self.head(features), dim=1)  # (N, 128), unit L2 norm
