"""Named size presets for the three encoders (nanoGPT-style config dataclasses).

* ``paper``: the released sizes exactly (fmthoker/skeleton-contrast;
  ``docs/released-code.md#parameter-counts-and-paper-table-10``): BiGRU
  3 x 1024 per direction, HCN 64 channels with a 64-channel ``conv2`` (4096-d at T = 64),
  2s-AGCN joint stream 64..256 over ten units.
* ``small``: CPU sizes (N-UCLA on 2 cores, a MoCo step of a few tenths of a second at batch 64);
  the ``default`` profile's until ``small-narrow`` replaced it (earlier recipes name it).
* ``small-narrow``: ``small`` with a narrower A-GCN (widths 16, 32, 64 against 32, 64, 64), about
  0.7x its training step: the ``default`` profile's, a cheaper inter partner
  (``docs/experiments.md``).
* ``tiny``: the ``ci`` profile (milliseconds per forward).

Introduced in ``notebooks/03_encoders``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BiGRUConfig", "HCNConfig", "AGCNConfig", "PRESETS", "get_preset"]


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BiGRUConfig:
    """``nn.GRU(V*C*M, hidden_size, num_layers, bidirectional=True)``; feature 2 hidden_size."""

    hidden_size: int = 1024
    num_layers: int = 3

    def __post_init__(self) -> None:
        if self.hidden_size < 1 or self.num_layers < 1:
            raise ValueError(f"BiGRUConfig needs hidden_size, num_layers >= 1, got {self}")


@dataclass(frozen=True)
class HCNConfig:
    """HCN widths: ``out_channels`` (conv1 = out, conv3 = out/2, conv4 = out, conv5 = 2 out,
    conv6 = 4 out) and ``window_channels`` (conv2 output channels, which become the image *width*
    after the joints-as-channels permute; the released code ties it to the window size 64).
    """

    out_channels: int = 64
    window_channels: int = 64

    def __post_init__(self) -> None:
        if self.out_channels < 2 or self.out_channels % 2:
            raise ValueError(f"HCNConfig.out_channels must be even and >= 2, got {self}")
        if self.window_channels < 16:
            raise ValueError(f"HCNConfig.window_channels must be >= 16 (4 max-pools), got {self}")


@dataclass(frozen=True)
class AGCNConfig:
    """TCN-GCN units: output ``channels`` and temporal ``strides`` per unit (first unit has no
    residual, as released); ``coff_embedding`` sets the embedding width ``out // coff`` of C_k.
    """

    channels: tuple[int, ...] = (64, 64, 64, 64, 128, 128, 128, 256, 256, 256)
    strides: tuple[int, ...] = (1, 1, 1, 1, 2, 1, 1, 2, 1, 1)
    coff_embedding: int = 4

    def __post_init__(self) -> None:
        if not self.channels or len(self.channels) != len(self.strides):
            raise ValueError(f"AGCNConfig needs one stride per unit, got {self}")
        if min(self.channels) < self.coff_embedding:
            raise ValueError(f"AGCNConfig: every width must be >= coff_embedding, got {self}")


# ---------------------------------------------------------------------------------------------
PRESETS: dict[str, dict[str, object]] = {
    "paper": {
        "seq": BiGRUConfig(hidden_size=1024, num_layers=3),
        "img": HCNConfig(out_channels=64, window_channels=64),
        "stg": AGCNConfig(),
    },
    "small": {
        "seq": BiGRUConfig(hidden_size=128, num_layers=2),
        "img": HCNConfig(out_channels=32, window_channels=32),
        "stg": AGCNConfig(channels=(32, 64, 64), strides=(2, 2, 1)),
    },
    "tiny": {
        "seq": BiGRUConfig(hidden_size=16, num_layers=1),
        "img": HCNConfig(out_channels=8, window_channels=16),
        "stg": AGCNConfig(channels=(8, 16), strides=(1, 2)),
    },
}
PRESETS["small-narrow"] = {**PRESETS["small"], "stg": AGCNConfig(channels=(16, 32, 64),
                                                                  strides=(2, 2, 1))}  # fmt: skip


def get_preset(preset: str, representation: str) -> object:
    """The config of ``representation`` (``seq`` / ``img`` / ``stg``) in the named ``preset``.

    Introduced in ``notebooks/03_encoders``.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown encoder preset {preset!r}; known: {sorted(PRESETS)}")
    if representation not in PRESETS[preset]:
        raise ValueError(
            f"unknown representation {representation!r}; known: {sorted(PRESETS[preset])}"
        )
    return PRESETS[preset][representation]
