"""What the downstream tasks share (Section 4.3): frozen encoders from a pretraining run, features.

A downstream run's configuration holds the pretraining sections too, so the pretraining run it
reads is found (or trained) by the same key as ``python -m skelviz pretrain`` with the same
settings would use. With ``pretrained = False`` the same encoders are used untrained, the
baseline every pretrained number is read against.

Introduced in ``notebooks/06_linear_and_knn``.
"""

from __future__ import annotations

import torch
from torch import nn

from skelviz.runs.config import Config, probed_representations
from skelviz.runs.data import RunData
from skelviz.runs.tasks.pretrain import build_moco

__all__ = ["ConcatEncoder", "source_encoder", "frozen", "untrained_encoder"]


class ConcatEncoder(nn.Module):
    """Several encoders side by side: ``(N, M, T, V, C) -> (N, D_1 + D_2 + ...)`` (Table 10)."""

    def __init__(self, encoders: dict[str, nn.Module]):
        super().__init__()
        self.parts = nn.ModuleDict(encoders)
        self.feature_dim = sum(e.feature_dim for e in encoders.values())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([enc(x) for enc in self.parts.values()], dim=1)  # (N, D)


def untrained_encoder(config: Config, section: str, layout, num_persons: int) -> ConcatEncoder:
    """The encoders of ``section``'s representations as the pretraining run starts them."""
    model = build_moco(config, layout, num_persons)
    reps = probed_representations(config, section)
    return ConcatEncoder({r: model.query_nets[r].encoder for r in reps})


def source_encoder(
    config: Config, section: str, data: RunData, upstream
) -> tuple[ConcatEncoder, str]:
    """``(encoder, source)``: the pretrained encoders of ``section`` (from the pretraining run of
    ``config``, reused or trained through ``upstream``) or, with ``pretrained = False``, the same
    encoders untrained. ``source`` names the pretraining run or says ``"untrained"``."""
    reps = probed_representations(config, section)
    if not getattr(config, section).pretrained:
        return untrained_encoder(config, section, data.layout, data.num_persons), "untrained"
    if getattr(getattr(config, section), "separately", False):  # Table 10: intra, one by one
        runs = {r: upstream("pretrain", intra_config(config, r)) for r in reps}
        parts = {r: run.encoders()[r] for r, run in runs.items()}
        return ConcatEncoder(parts), "+".join(run.name for run in runs.values())
    pretrained = upstream("pretrain", config)
    encoders = pretrained.encoders()
    return ConcatEncoder({r: encoders[r] for r in reps}), pretrained.name


def intra_config(config: Config, representation: str) -> Config:
    """``config`` with intra-skeleton pretraining of one representation (downstream fields reset,
    as the pretraining run's key does not read them)."""
    reset = {f"{s}.representation": "" for s in ("linear", "knn", "finetune")}
    return config.replace(representations=representation, **reset)


def frozen(encoder: nn.Module) -> nn.Module:
    """``encoder`` in eval mode (BatchNorm statistics fixed, dropout off), no gradients."""
    for p in encoder.parameters():
        p.requires_grad_(False)
    return encoder.eval()
