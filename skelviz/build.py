"""Building a pretraining run from its configuration: device, augmentation and the MoCo module.

``build_moco`` assembles the released model (encoder + MLP head per representation, paper
Section 4.2; ``shared/notes/reference-implementation.md`` sections 1.1 and 5) as an intra or inter
:class:`skelviz.moco.SkeletonMoCo`, with weights that depend only on ``config.seed``.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from skelviz.augment import AugmentConfig
from skelviz.config import PretrainConfig
from skelviz.moco import InterMoCo, IntraMoCo, SkeletonMoCo
from skelviz.skeleton import SkeletonLayout

__all__ = ["NetFactory", "resolve_device", "augment_config", "default_net_factory", "build_moco"]

NetFactory = Callable[[str], nn.Module]  # representation -> embedding net (N,M,T,V,C) -> (N, D)


def resolve_device(device: str) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; anything else as given."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def augment_config(config: PretrainConfig) -> AugmentConfig:
    """The :class:`skelviz.augment.AugmentConfig` a pretraining config asks for."""
    return AugmentConfig(
        l_min=config.l_min,
        l_max=config.l_max,
        out_frames=config.frames,
        min_crop_frames=config.min_crop_frames,
        spatial=config.spatial,
        shear_amplitude=config.shear_amplitude,
        jitter_joints=config.jitter_joints,
        jitter_amplitude=config.jitter_amplitude,
        jitter_p_mask=config.jitter_p_mask,
    )


def default_net_factory(
    config: PretrainConfig, layout: SkeletonLayout, num_persons: int
) -> NetFactory:
    """Encoder + MLP head (the released ``--mlp``) -> L2-normalised ``embed_dim`` embeddings."""
    from skelviz.encoders import EmbeddingNet, ProjectionHead, build_encoder

    def factory(representation: str) -> nn.Module:
        encoder = build_encoder(
            representation, config.preset, layout, num_persons, frames=config.frames
        )
        hidden = config.head_hidden or encoder.feature_dim
        return EmbeddingNet(encoder, ProjectionHead(encoder.feature_dim, hidden, config.embed_dim))

    return factory


def build_moco(
    config: PretrainConfig,
    layout: SkeletonLayout,
    num_persons: int,
    net_factory: NetFactory | None = None,
) -> SkeletonMoCo:
    """The (untrained) intra or inter MoCo module of ``config``; weights depend only on the seed.

    Each representation's net is initialised from torch's global generator inside ``fork_rng``,
    seeded with ``config.seed`` (the caller's global random state is left untouched), so an
    encoder starts from the same weights in intra and in inter pretraining.
    """
    make_net = net_factory or default_net_factory(config, layout, num_persons)

    def factory(rep: str) -> nn.Module:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            return make_net(rep)

    queue_gen = torch.Generator().manual_seed(config.seed)
    args = (config.queue_size, config.momentum, config.temperature)
    if config.mode == "intra":
        rep = config.representations[0]
        return IntraMoCo(
            lambda: factory(rep),
            *args,
            representation=rep,
            dim=config.embed_dim,
            generator=queue_gen,
        )
    return InterMoCo(
        factory,
        *args,
        representations=config.representations,
        dim=config.embed_dim,
        generator=queue_gen,
    )
