"""X^IMG encoder: the Hierarchical Co-occurrence Network, HCN (paper Section 4.2, ref. [17]).

Released definition: fmthoker/skeleton-contrast ``moco/HCN.py``, from huguyuehuhu/HCN-pytorch
``model/HCN.py`` with the fc7/fc8 classifier removed (``docs/released-code.md#img-hcn``). Per
person, with shared weights, on the pseudo-image ``(C, T, V)``:

    position stream  conv1 (1x1, ReLU) -> conv2 (3x1) -> permute joints into channels
                     -> conv3 (3x3, max-pool 2) -> conv4 (3x3, Dropout2d, max-pool 2)
    motion stream    the same four layers (own weights) on frame differences resized back to T
    fusion           concat -> conv5 (ReLU, Dropout2d, pool) -> conv6 (ReLU, Dropout2d, pool)
    persons          element-wise max over the M persons' conv6 maps, flattened

At paper size (64 channels, T = 64) the feature is 256 x 4 x 4 = 4096-d and the backbone has
519,424 parameters. Dropout2d (p = 0.5) is active in train mode only, as released. Weights use
Glorot-uniform bounds with zero biases (HCN-pytorch's initialiser).

Any T: the four max-pools need T >= 16; a final adaptive max-pool to ``(frames // 16,
window_channels // 16)`` keeps the feature size fixed. It is the identity when T == ``frames`` is a
multiple of 16 (the released case), so the released network is unchanged.

Introduced in ``notebooks/03_encoders``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from skelviz.encoders.presets import HCNConfig
from skelviz.represent import check_batch, to_image

__all__ = ["HCNEncoder"]


def _stream(in_channels: int, num_joints: int, cfg: HCNConfig) -> nn.ModuleDict:
    """conv1..conv4 of one stream (position or motion)."""
    out = cfg.out_channels
    return nn.ModuleDict(
        {
            "conv1": nn.Sequential(nn.Conv2d(in_channels, out, kernel_size=1), nn.ReLU()),
            "conv2": nn.Conv2d(out, cfg.window_channels, kernel_size=(3, 1), padding=(1, 0)),
            "conv3": nn.Sequential(
                nn.Conv2d(num_joints, out // 2, kernel_size=3, padding=1), nn.MaxPool2d(2)
            ),
            "conv4": nn.Sequential(
                nn.Conv2d(out // 2, out, kernel_size=3, padding=1),
                nn.Dropout2d(p=0.5),
                nn.MaxPool2d(2),
            ),
        }
    )


class HCNEncoder(nn.Module):
    """Canonical batch ``(N, M, T, V, C)`` -> HCN feature ``(N, 4 out (frames/16) (window/16))``.

    Args:
        num_joints: V of the skeleton layout (the channels of conv3 after the permute).
        num_persons: M persons; their feature maps are max-pooled element-wise.
        config: channel widths.
        frames: the T the network is sized for (64 in the paper); must be >= 16.

    Introduced in ``notebooks/03_encoders``.
    """

    def __init__(
        self, num_joints: int, num_persons: int, config: HCNConfig, frames: int = 64
    ) -> None:
        super().__init__()
        if frames < 16:
            raise ValueError(f"HCN needs frames >= 16 (four 2x max-pools), got {frames}")
        self.representation = "img"
        self.num_joints, self.num_persons = num_joints, num_persons
        out = config.out_channels
        self.position = _stream(3, num_joints, config)
        self.motion = _stream(3, num_joints, config)
        self.conv5 = nn.Sequential(
            nn.Conv2d(2 * out, 2 * out, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Dropout2d(p=0.5),
            nn.MaxPool2d(2),
        )
        self.conv6 = nn.Sequential(
            nn.Conv2d(2 * out, 4 * out, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Dropout2d(p=0.5),
            nn.MaxPool2d(2),
        )
        self.pool_size = (frames // 16, config.window_channels // 16)
        self.pool = nn.AdaptiveMaxPool2d(self.pool_size)
        self.feature_dim = 4 * out * self.pool_size[0] * self.pool_size[1]
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    # --- forward ------------------------------------------------------------------------------
    @staticmethod
    def _run_stream(stream: nn.ModuleDict, x: torch.Tensor) -> torch.Tensor:
        h = stream["conv2"](stream["conv1"](x))  # (B, W, T, V)
        h = h.permute(0, 3, 2, 1)  # (B, V, T, W): joints become channels (co-occurrence)
        return stream["conv4"](stream["conv3"](h))  # (B, out, T/4, W/4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_batch(x, self.num_persons, self.num_joints)  # (N, M, T, V, C)
        n, m, t, v, _ = x.shape
        if t < 16:
            raise ValueError(f"HCN needs at least 16 frames (four 2x max-pools), got T = {t}")
        img = to_image(x)  # (N, C, T, V, M)
        img = img.permute(0, 4, 1, 2, 3).reshape(n * m, 3, t, v)  # (N*M, C, T, V): persons in batch
        motion = img[:, :, 1:] - img[:, :, :-1]  # (N*M, C, T-1, V)
        motion = F.interpolate(motion, size=(t, v), mode="bilinear", align_corners=False)
        h = torch.cat(
            [self._run_stream(self.position, img), self._run_stream(self.motion, motion)], dim=1
        )  # (N*M, 2 out, T/4, W/4)
        h = self.conv6(self.conv5(h))  # (N*M, 4 out, T/16, W/16)
        h = self.pool(h)  # identity at the sized T
        h = h.reshape(n, m, *h.shape[1:]).amax(dim=1)  # (N, 4 out, T/16, W/16): max over persons
        return h.flatten(1)  # (N, D)
