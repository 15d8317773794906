"""Which view normalisation? Raw-coordinate cosine 1-NN on N-UCLA and UTKinect (data/README.md).

Run ``OMP_NUM_THREADS=1 python data/examples/normalization_1nn.py`` (datasets found as
``load_dataset`` finds them; about a minute on one core). For each ``normalize`` choice of the
readers (``skelviz.preprocess.NORMALIZATIONS``: centring only, the released first-frame rotation,
the robust many-frame rotation) it prints, as a markdown table:

* **train CV**: 1-NN accuracy within the training split only (N-UCLA cross-view: train on view 1,
  test on view 2 and the reverse; UTKinect cross-subject: leave one training subject out), the
  number a default may be chosen by;
* **test**: the protocol's 1-NN accuracy (train split as gallery, test split as queries);
* **> 90 deg**: sequences whose first-frame and robust rotations differ by more than 90 degrees.

Features are the coordinates themselves, centre-cropped and resized to ``FRAMES`` frames and
flattened (``skelviz.evaluate.extract_features`` with ``nn.Flatten()``, as notebook 04 does).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from torch import nn

from skelviz.evaluate import extract_features, knn_accuracy
from skelviz.preprocess import (
    alignment_rotation,
    body_axes,
    compact_persons,
    normalize_for_reader,
    trim_empty_frames,
)
from skelviz.readers import load_dataset

FRAMES = 32  # T of the default profile's encoders
MODES = ("center", "first_frame", "robust")
STUDIES = (("nw-ucla", "cross_view", "views"), ("utkinect", "cross_subject", "subjects"))


def one_nn(dataset, train_idx, test_idx) -> float:
    """Cosine 1-NN accuracy of flat coordinates: ``train_idx`` the gallery, ``test_idx`` queries."""
    train, test = dataset.subset(train_idx), dataset.subset(test_idx)
    gallery = extract_features(nn.Flatten(), train, frames=FRAMES)  # (N_train, M*T*V*C)
    queries = extract_features(nn.Flatten(), test, frames=FRAMES)  # (N_test, M*T*V*C)
    return knn_accuracy(gallery, train.labels, queries, test.labels)


def train_cv(dataset, protocol: str, group_by: str) -> float:
    """Mean 1-NN accuracy over folds that each hold out one group of the training split."""
    train = dataset.splits[protocol][0]
    groups = getattr(dataset, group_by)[train]  # (N_train,)
    folds = [one_nn(dataset, train[groups != g], train[groups == g]) for g in np.unique(groups)]
    return float(np.mean(folds))


def flips(raw) -> int:
    """Sequences whose first-frame and robust rotations differ by more than 90 degrees."""
    count = 0
    for seq in raw.sequences:
        seq = trim_empty_frames(compact_persons(seq))
        r_first = alignment_rotation(*body_axes(seq, raw.layout, "first_frame"))
        r_robust = alignment_rotation(*body_axes(seq, raw.layout, "robust"))
        cos = (np.trace(r_first @ r_robust.T) - 1.0) / 2.0  # cos of the relative rotation angle
        count += int(cos < 0.0)
    return count


def main() -> None:
    torch.manual_seed(0)
    table = ["| dataset (protocol) | measure | " + " | ".join(MODES) + " |",
             "|---|---|" + "---|" * len(MODES)]  # fmt: skip
    for name, protocol, group_by in STUDIES:
        raw = load_dataset(name, normalize="none")
        rows = {"train CV": [], "test": []}
        for mode in MODES:
            sequences = [normalize_for_reader(s, raw.layout, mode) for s in raw.sequences]
            dataset = replace(raw, sequences=sequences)
            rows["train CV"].append(train_cv(dataset, protocol, group_by))
            rows["test"].append(one_nn(dataset, *dataset.splits[protocol]))
        for measure, values in rows.items():
            cells = " | ".join(f"{100 * v:.1f}" for v in values)
            table.append(f"| {name} ({protocol}) | {measure} | {cells} |")
        table.append(f"| {name} | rotations > 90 deg apart | {flips(raw)} of {len(raw)} |")
    print("\n".join(table))


if __name__ == "__main__":
    main()
