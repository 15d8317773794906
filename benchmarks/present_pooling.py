"""Experiment: the A-GCN feature pooled over the persons present instead of all M slots.

Paper Section 3.3 / 4.2 (the STG encoder, as the released A-GCN builds it): the released encoder
averages its feature over all M person slots, so a one-person take in a two-person layout (84 % of
the synthetic set's takes) adds the feature of an all-zero skeleton to every sample. This script
replaces ``AGCNEncoder.forward`` **for its own process only** by a mean over the slots that hold a
skeleton (the first always counts), then pretrains the ``default`` recipe on the synthetic set and
prints the validation 1-NN curve (view 1 gallery, view 2 queries). Nothing in the library changes;
compare with the same recipe's runs in ``docs/experiments.md``.

    python benchmarks/present_pooling.py seq+stg      # inter, about 8 CPU minutes
    python benchmarks/present_pooling.py stg          # intra STG, about 6 CPU minutes
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from skelviz.encoders import agcn

ROOT = Path(__file__).resolve().parents[1]


def forward_present_persons(self: agcn.AGCNEncoder, x: torch.Tensor) -> torch.Tensor:
    """``AGCNEncoder.forward`` with the mean over persons taken over present persons only."""
    present = (x.abs().sum(dim=(2, 3, 4)) > 0).float()  # (N, M): the slot holds a skeleton
    present[:, 0] = 1.0  # the first slot always counts (an all-zero take keeps a feature)
    per_person = self.person_features(x)  # (N, M, D)
    return (per_person * present[..., None]).sum(dim=1) / present.sum(dim=1, keepdim=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("representations", help="seq+stg (inter) or stg (intra)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    agcn.AGCNEncoder.forward = forward_present_persons  # this process only

    from skelviz.runs.api import run
    from skelviz.runs.config import resolve_config

    name = "present_" + args.representations.replace("+", "-")
    config = resolve_config("default", dataset="synthetic", seed=args.seed, name=name,
                            representations=args.representations)  # fmt: skip
    result = run("pretrain", config, output_dir=ROOT / "outputs" / "present-synthetic",
                 progress=False)  # fmt: skip
    curve = [(e["epoch"], {r: round(100 * a, 1) for r, a in e["knn_val"].items()})
             for e in result.history["epochs"] if "knn_val" in e]  # fmt: skip
    print(json.dumps({"representations": args.representations, "seed": args.seed,
                      "validation_1nn": curve}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
