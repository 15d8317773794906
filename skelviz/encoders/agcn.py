"""X^STG encoder: the joint stream of 2s-AGCN, the adaptive graph convolutional network (paper
Section 4.2, ref. [33]).

Released definition: fmthoker/skeleton-contrast ``moco/AGCN.py`` = lshiwjx/2s-AGCN
``model/agcn.py`` without the classifier (``docs/released-code.md#stg-2s-agcn-joint-stream``):

    data_bn     BatchNorm1d over the M*V*C input channels, then the M persons become N*M graphs
    10 units    TCN-GCN units 3->64 (no residual), 64 x3, 128 (stride 2), 128 x2,
                256 (stride 2), 256 x2
    unit_gcn    sum over the 3 subsets k of conv_d_k( x (A_k + B_k + C_k) ), BN, residual,
                ReLU, where
                A_k  fixed normalised adjacency (identity / inward / outward), a *buffer*
                B_k  learnable offset, initialised to 1e-6 (``PA``)
                C_k  softmax_{dim -2}( theta(x)^T phi(x) / (inter_c * T) ), embedded Gaussian
    unit_tcn    Conv (9 x 1, temporal stride s) + BN
    pooling     mean over (T', V), then over M -> 256-d

Beyond the released code, ``person_pool="present"`` averages over the person slots that hold a
skeleton instead of all M: with the paper's two-person layout a one-person take otherwise adds
the feature of an all-zero skeleton (``docs/experiments.md`` measures it on the synthetic set).

Initialisation as released: Kaiming-normal (fan_out) convs with zero bias, BN gamma 1 (1e-6 for
the BN that closes each unit_gcn), branch-scaled normal for conv_d. Works for any V (the graph
comes from the layout), any M and any T (strided convs are padded).

Introduced in ``notebooks/03_encoders``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from skelviz.encoders.presets import AGCNConfig
from skelviz.represent import check_batch, graph_adjacency, to_graph
from skelviz.skeleton import SkeletonLayout

__all__ = ["AGCNEncoder", "UnitGCN", "UnitTCN", "TCNGCNUnit", "PERSON_POOLS"]

PERSON_POOLS = ("all", "present")


# ---------------------------------------------------------------------------------------------
def _conv_init(conv: nn.Conv2d) -> None:
    nn.init.kaiming_normal_(conv.weight, mode="fan_out")
    nn.init.zeros_(conv.bias)


def _bn_init(bn: nn.modules.batchnorm._BatchNorm, scale: float) -> None:
    nn.init.constant_(bn.weight, scale)
    nn.init.zeros_(bn.bias)


class UnitTCN(nn.Module):
    """Temporal convolution (k x 1, stride s) + BN: ``(B, C_in, T, V) -> (B, C_out, T/s, V)``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 9, stride: int = 1):
        super().__init__()
        pad = (kernel_size - 1) // 2
        self.conv = nn.Conv2d(in_channels, out_channels, (kernel_size, 1), padding=(pad, 0),
                              stride=(stride, 1))  # fmt: skip
        self.bn = nn.BatchNorm2d(out_channels)
        _conv_init(self.conv)
        _bn_init(self.bn, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class UnitGCN(nn.Module):
    """Adaptive graph convolution ``(B, C_in, T, V) -> (B, C_out, T, V)`` with A_k + B_k + C_k."""

    def __init__(self, in_channels: int, out_channels: int, adjacency: torch.Tensor,
                 coff_embedding: int = 4) -> None:  # fmt: skip
        super().__init__()
        num_subset = adjacency.shape[0]
        self.inter_c = out_channels // coff_embedding
        self.register_buffer("A", adjacency.clone())  # (K, V, V) fixed partition
        self.PA = nn.Parameter(torch.full_like(adjacency, 1e-6))  # (K, V, V) learnable B_k
        subsets = range(num_subset)
        self.conv_a = nn.ModuleList(nn.Conv2d(in_channels, self.inter_c, 1) for _ in subsets)
        self.conv_b = nn.ModuleList(nn.Conv2d(in_channels, self.inter_c, 1) for _ in subsets)
        self.conv_d = nn.ModuleList(nn.Conv2d(in_channels, out_channels, 1) for _ in subsets)
        if in_channels != out_channels:
            self.down = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1),
                                      nn.BatchNorm2d(out_channels))  # fmt: skip
        else:
            self.down = nn.Identity()
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                _conv_init(module)
            elif isinstance(module, nn.BatchNorm2d):
                _bn_init(module, 1.0)
        _bn_init(self.bn, 1e-6)
        for conv in self.conv_d:  # released conv_branch_init
            out_c, in_c, k1 = conv.weight.shape[:3]
            nn.init.normal_(conv.weight, 0.0, math.sqrt(2.0 / (out_c * in_c * k1 * num_subset)))
            nn.init.zeros_(conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, t, v = x.shape
        adaptive = self.A + self.PA  # (K, V, V): A_k + B_k
        x_flat = x.reshape(b, c * t, v)  # (B, C*T, V)
        y = 0
        for k in range(adaptive.shape[0]):  # the K = 3 subsets (a fixed, tiny loop)
            theta = self.conv_a[k](x).permute(0, 3, 1, 2)  # (B, V, E, T)
            theta = theta.reshape(b, v, self.inter_c * t)  # (B, V, E*T)
            phi = self.conv_b[k](x).reshape(b, self.inter_c * t, v)  # (B, E*T, V)
            c_k = torch.softmax(theta @ phi / (self.inter_c * t), dim=-2)  # (B, V, V) C_k
            mixed = (x_flat @ (c_k + adaptive[k])).reshape(b, c, t, v)  # (B, C, T, V)
            y = y + self.conv_d[k](mixed)  # (B, C_out, T, V)
        return self.relu(self.bn(y) + self.down(x))


class TCNGCNUnit(nn.Module):
    """``ReLU(tcn(gcn(x)) + residual(x))``; the residual is none, identity or a strided 1x1 TCN."""

    def __init__(self, in_channels: int, out_channels: int, adjacency: torch.Tensor,
                 stride: int = 1, residual: bool = True,
                 coff_embedding: int = 4) -> None:  # fmt: skip
        super().__init__()
        self.gcn1 = UnitGCN(in_channels, out_channels, adjacency, coff_embedding)
        self.tcn1 = UnitTCN(out_channels, out_channels, stride=stride)
        self.relu = nn.ReLU()
        self.has_residual = residual
        if residual and (in_channels != out_channels or stride != 1):
            self.residual = UnitTCN(in_channels, out_channels, kernel_size=1, stride=stride)
        else:
            self.residual = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.tcn1(self.gcn1(x))
        return self.relu(y + self.residual(x)) if self.has_residual else self.relu(y)


# ---------------------------------------------------------------------------------------------
class AGCNEncoder(nn.Module):
    """Canonical batch ``(N, M, T, V, C)`` -> A-GCN feature ``(N, channels[-1])`` (paper: 256).

    Args:
        layout: skeleton layout; its :func:`skelviz.represent.graph_adjacency` is the fixed A.
        num_persons: M persons; each is its own graph, features are averaged over M at the end.
        config: unit widths and strides.
        person_pool: ``"all"`` (released: the mean over all M slots) or ``"present"`` (over the
            slots holding a skeleton; the first slot always counts).

    Introduced in ``notebooks/03_encoders``.
    """

    def __init__(
        self,
        layout: SkeletonLayout,
        num_persons: int,
        config: AGCNConfig,
        person_pool: str = "all",
    ) -> None:
        super().__init__()
        if person_pool not in PERSON_POOLS:
            raise ValueError(f"person_pool must be one of {PERSON_POOLS}, got {person_pool!r}")
        self.representation, self.person_pool = "stg", person_pool
        adjacency = graph_adjacency(layout)  # (3, V, V)
        self.num_joints, self.num_persons = layout.num_joints, num_persons
        self.data_bn = nn.BatchNorm1d(num_persons * layout.num_joints * 3)
        _bn_init(self.data_bn, 1.0)
        units, in_c = [], 3
        for i, (out_c, stride) in enumerate(zip(config.channels, config.strides)):
            units.append(TCNGCNUnit(in_c, out_c, adjacency, stride=stride, residual=i > 0,
                                    coff_embedding=config.coff_embedding))  # fmt: skip
            in_c = out_c
        self.units = nn.ModuleList(units)
        self.feature_dim = config.channels[-1]

    def person_features(self, x: torch.Tensor) -> torch.Tensor:
        """Canonical batch ``(N, M, T, V, C)`` -> one feature per person slot ``(N, M, D)``."""
        x = check_batch(x, self.num_persons, self.num_joints)  # (N, M, T, V, C)
        g = to_graph(x)  # (N, C, T, V, M)
        n, c, t, v, m = g.shape
        h = g.permute(0, 4, 3, 1, 2).reshape(n, m * v * c, t)  # (N, M*V*C, T)
        h = self.data_bn(h)
        h = h.reshape(n, m, v, c, t).permute(0, 1, 3, 4, 2)  # (N, M, C, T, V)
        h = h.reshape(n * m, c, t, v)  # (N*M, C, T, V): one graph per person
        for unit in self.units:
            h = unit(h)  # (N*M, D, T', V)
        return h.reshape(n, m, h.shape[1], -1).mean(dim=3)  # (N, M, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        per_person = self.person_features(x)  # (N, M, D)
        if self.person_pool == "all":
            return per_person.mean(dim=1)  # (N, D): the mean over all M slots, as released
        present = x.abs().sum(dim=(2, 3, 4)) > 0  # (N, M): the slot holds a skeleton
        present[:, 0] = True  # the first slot always counts (an all-zero take keeps a feature)
        weights = present.to(per_person.dtype)[..., None]  # (N, M, 1)
        return (per_person * weights).sum(dim=1) / weights.sum(dim=1)  # (N, D)
