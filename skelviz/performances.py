"""One performance, several cameras: recordings of a dataset that were filmed at the same time.

N-UCLA and NTU RGB+D film every performance with several Kinects at once (N-UCLA's views 1-3,
NTU's cameras C001-C003), and their sample names say which recordings belong together. The
paper's positive pair is two augmentations of one recording (Section 3.2, Eq. 5);
``moco.cross_view_positives`` instead renders a sample's key view, with that probability, from
another camera's recording of the same performance: a positive that differs by a real viewpoint
change. It is an option **beyond the paper**, off in every profile, and its numbers are reported
beside the paper-faithful ones (``docs/experiments.md``). The synthetic set records every take
separately, so it has no such partners.

Introduced in ``notebooks/05_inter_skeleton_moco``.
"""

from __future__ import annotations

import re

import numpy as np
import torch

from skelviz.dataset import SkeletonDataset

__all__ = ["PERFORMANCE_NAMES", "performance_ids", "CameraPartners"]

# dataset -> sample-name pattern; the groups joined are the performance, the rest is the camera
_NTU_NAME = re.compile(r"^(S\d{3})C\d{3}(P\d{3}R\d{3}A\d{3})$")  # S001C001P001R001A001
PERFORMANCE_NAMES = {
    "nw-ucla": re.compile(r"^(a\d+_s\d+_e\d+)_v\d+$"),  # a01_s01_e00_v01
    "ntu60": _NTU_NAME,
    "ntu120": _NTU_NAME,
}


def performance_ids(dataset: SkeletonDataset) -> np.ndarray:
    """``(N,)`` int64: equal for recordings of one performance by different cameras.

    Raises ``ValueError`` for a dataset whose recordings are not filmed simultaneously (or whose
    names do not say so), naming the dataset and the first name that does not fit.
    """
    base = dataset.name.split("[")[0]
    pattern = PERFORMANCE_NAMES.get(base)
    if pattern is None:
        raise ValueError(
            f"{base}: no recordings of one performance by several cameras are known (cross-view "
            f"positives need one of {sorted(PERFORMANCE_NAMES)})"
        )
    keys = []
    for name in dataset.sample_names:
        match = pattern.match(name)
        if match is None:
            raise ValueError(f"{base}: sample name {name!r} does not match {pattern.pattern}")
        keys.append("".join(match.groups()))
    return np.unique(keys, return_inverse=True)[1].astype(np.int64)


class CameraPartners:
    """For each sample of a dataset, the samples that show its performance from another view.

    ``table`` is ``(N, P)`` sample indices padded with the sample itself, ``counts`` ``(N,)``
    how many partners each has (0: recorded by one camera only, or its partners are in another
    split).

    Introduced in ``notebooks/05_inter_skeleton_moco``.
    """

    def __init__(self, dataset: SkeletonDataset) -> None:
        ids, views = performance_ids(dataset), dataset.views
        n = len(ids)
        # (N, N) would be wasteful for NTU; group by performance instead
        order = np.argsort(ids, kind="stable")
        starts = np.flatnonzero(np.r_[True, ids[order][1:] != ids[order][:-1]])
        groups = np.split(order, starts[1:])
        width = max((len(g) for g in groups), default=1)
        self.table = np.repeat(np.arange(n)[:, None], max(width - 1, 1), axis=1)  # (N, P)
        self.counts = np.zeros(n, dtype=np.int64)
        for group in groups:
            for i in group:
                others = group[views[group] != views[i]]
                self.table[i, : len(others)] = others
                self.counts[i] = len(others)

    def draw(self, samples: np.ndarray, p: float, generator: torch.Generator) -> np.ndarray:
        """``(B,)`` key samples for ``samples (B,)``: with probability ``p`` (when it has one) a
        partner drawn uniformly, otherwise the sample itself. Two uniforms per sample are always
        drawn from ``generator``, so the stream does not depend on which samples have partners."""
        u = torch.rand(2, len(samples), generator=generator, dtype=torch.float64).numpy()
        counts = self.counts[samples]  # (B,)
        pick = np.minimum((u[1] * counts).astype(np.int64), np.maximum(counts - 1, 0))
        partner = self.table[samples, pick]  # (B,)
        return np.where((u[0] < p) & (counts > 0), partner, samples)
