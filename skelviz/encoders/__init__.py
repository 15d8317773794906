"""The three ISC encoders, one per input representation (paper Section 4.2, Table 10).

    representation   encoder                      feature (paper preset)
    ``seq``          BiGRU (``bigru.py``)         2H = 2048, last time step
    ``img``          HCN (``hcn.py``)             4096, max over persons
    ``stg``          2s-AGCN joint stream (``agcn.py``)  256, mean over T', V, then M

Every encoder takes the **canonical** batch ``(N, M, T, V, C)``, converts it at its own input
boundary with :mod:`skelviz.represent`, and returns ``(N, D)`` with ``D = encoder.feature_dim``;
``encoder.representation`` names what it reads (``"seq"``, ``"img"``, ``"stg"``).
Sizes come from named presets (:mod:`skelviz.encoders.presets`): ``paper`` reproduces the released
parameter counts exactly, ``small`` suits the ``default`` CPU profile, ``tiny`` the ``ci`` profile.

Introduced in ``notebooks/03_encoders``.
"""

from __future__ import annotations

from torch import nn

from skelviz.encoders.agcn import PERSON_POOLS, AGCNEncoder
from skelviz.encoders.bigru import BiGRUEncoder
from skelviz.encoders.hcn import HCNEncoder
from skelviz.encoders.heads import HEAD_INITS, EmbeddingNet, ProjectionHead, released_fc_init_
from skelviz.encoders.presets import PRESETS, AGCNConfig, BiGRUConfig, HCNConfig, get_preset
from skelviz.represent import REPRESENTATIONS
from skelviz.skeleton import SkeletonLayout, get_layout

__all__ = [
    "build_encoder",
    "count_parameters",
    "BiGRUEncoder",
    "HCNEncoder",
    "AGCNEncoder",
    "ProjectionHead",
    "EmbeddingNet",
    "HEAD_INITS",
    "GRU_VARIANTS",
    "PERSON_POOLS",
    "released_fc_init_",
    "PRESETS",
    "BiGRUConfig",
    "HCNConfig",
    "AGCNConfig",
    "REPRESENTATIONS",
]

_CONFIG_TYPES = {"seq": BiGRUConfig, "img": HCNConfig, "stg": AGCNConfig}
# the run configuration's ``gru`` choices -> (stepwise loop, readout) of :class:`BiGRUEncoder`
GRU_VARIANTS = {"true": (False, "last"), "stepwise": (True, "last"), "final": (False, "final"),
                "mean": (False, "mean")}  # fmt: skip


# ---------------------------------------------------------------------------------------------
def build_encoder(
    representation: str,
    preset: str | BiGRUConfig | HCNConfig | AGCNConfig,
    layout: SkeletonLayout | str,
    num_persons: int,
    frames: int = 64,
    gru: str = "true",
    person_pool: str = "all",
) -> nn.Module:
    """Build the encoder of ``representation`` (``"seq"``, ``"img"`` or ``"stg"``).

    Args:
        representation: one of :data:`skelviz.represent.REPRESENTATIONS`.
        preset: a preset name (``"paper"``, ``"small"``, ``"tiny"``) or a config dataclass of the
            matching type.
        layout: the skeleton layout (or its name); sets V and, for ``stg``, the graph.
        num_persons: M persons per sample (2 in the paper, the second all zeros when absent).
        frames: the clip length T the encoder is sized for (only HCN's feature size depends on it;
            every encoder accepts other T at run time, HCN needs T >= 16).
        gru: ``seq`` only, the run configuration's ``gru`` field: ``"true"`` (a true BiGRU read
            at the last step, the default), ``"stepwise"`` (the released per-frame loop, two
            causal GRU streams, ``docs/released-code.md#the-stepwise-gru``), ``"final"`` (a true
            BiGRU read at each direction's last step) or ``"mean"`` (its outputs averaged over
            time).
        person_pool: ``stg`` only, the run configuration's ``person_pool`` field: ``"all"``
            (released: the A-GCN feature averaged over all M person slots) or ``"present"``
            (over the slots holding a skeleton).

    Returns an ``nn.Module`` mapping ``(N, M, T, V, C)`` to ``(N, feature_dim)``.

    Introduced in ``notebooks/03_encoders``.
    """
    if representation not in REPRESENTATIONS:
        raise ValueError(f"unknown representation {representation!r}; known: {REPRESENTATIONS}")
    if isinstance(layout, str):
        layout = get_layout(layout)
    if num_persons < 1:
        raise ValueError(f"num_persons must be >= 1, got {num_persons}")
    config = get_preset(preset, representation) if isinstance(preset, str) else preset
    if not isinstance(config, _CONFIG_TYPES[representation]):
        raise TypeError(
            f"{representation!r} needs a {_CONFIG_TYPES[representation].__name__}, "
            f"got {type(config).__name__}"
        )
    if gru not in GRU_VARIANTS:
        raise ValueError(f"gru must be one of {tuple(GRU_VARIANTS)}, got {gru!r}")
    if gru != "true" and representation != "seq":
        raise ValueError(f"gru={gru!r} applies to the 'seq' (BiGRU) encoder only")
    if person_pool != "all" and representation != "stg":
        raise ValueError(f"person_pool={person_pool!r} applies to the 'stg' (A-GCN) encoder only")
    if representation == "seq":
        stepwise, readout = GRU_VARIANTS[gru]
        return BiGRUEncoder(layout.num_joints, num_persons, config, stepwise, readout)
    if representation == "img":
        return HCNEncoder(layout.num_joints, num_persons, config, frames=frames)
    return AGCNEncoder(layout, num_persons, config, person_pool)


def count_parameters(module: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameter entries of ``module`` (buffers such as the fixed graph not included).

    Introduced in ``notebooks/03_encoders``.
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)
