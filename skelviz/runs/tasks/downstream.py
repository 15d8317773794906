"""What the downstream tasks share (Section 4.3): frozen encoders from a pretraining run, features.

A downstream run's configuration holds the pretraining sections too, so the pretraining run it
reads is found (or trained) by the same key as ``python -m skelviz pretrain`` with the same
settings would use. With ``pretrained = False`` the same encoders are used untrained, the
baseline every pretrained number is read against.

Introduced in ``notebooks/06_linear_and_knn``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from skelviz.augment import temporal_crop_resize
from skelviz.dataset import SkeletonDataset
from skelviz.runs.config import Config, probed_representations
from skelviz.runs.data import RunData
from skelviz.runs.tasks.pretrain import build_moco

__all__ = [
    "ConcatEncoder", "source_encoder", "frozen", "untrained_encoder", "intra_config",
    "batch_bounds", "labelled_batches", "classifier_step",
]  # fmt: skip


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


# --- training a classifier on labelled crops (the linear and finetune tasks) -----------------
def batch_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each batch over ``n`` shuffled sequences. The last partial batch is
    kept, except that a lone last sequence joins the batch before it (BatchNorm in train mode
    cannot normalise a batch of one)."""
    bounds = [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


def labelled_batches(dataset: SkeletonDataset, bounds, generator: torch.Generator):
    """One epoch of ``(x (B, M, T_b, V, C), lengths (B,), labels (B,))`` in a shuffled order."""
    order = torch.randperm(len(dataset), generator=generator).numpy()  # (N,)
    for start, stop in bounds:
        idx = order[start:stop]  # (B,)
        x, lengths = dataset.batch(idx)
        yield torch.from_numpy(x), torch.from_numpy(lengths), torch.as_tensor(dataset.labels[idx])


def classifier_step(model: nn.Module, optimizer, batch, crop_gen, l_min: float, config: Config):
    """One step of cross-entropy on random crops (a ratio U(l_min, 1) of the valid frames,
    resized to ``data.frames``); ``model`` decides what trains (a frozen probe or everything).
    Returns what the engine logs."""
    device = next(model.parameters()).device
    x, lengths, labels = (t.to(device) for t in batch)
    crops = temporal_crop_resize(
        x, lengths, crop_gen, l_min, 1.0, config.data.frames, config.augment.min_crop_frames
    )  # (B, M, T, V, C)
    logits = model(crops)  # (B, classes)
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    return {"loss": loss.item(), "train_top1": accuracy, "lr": optimizer.param_groups[0]["lr"]}
