"""The labelled collection of skeleton sequences every reader returns.

Sequences keep their own length (no padding in storage); :meth:`SkeletonDataset.batch` builds
the zero-padded ``(B, M, T_b, V, C)`` batch of the selected sequences (T_b: the longest of them)
plus valid-frame counts that the batched augmentations (paper Section 3.1) consume. Padding one
batch at a time keeps memory at the size of a batch: the NTU-60 cross-subject training split
(40,320 sequences) padded to 300 frames would take about 7 GB. Evaluation protocols (cross-view,
cross-subject, ...) are stored as named index splits so later notebooks never re-derive them.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from skelviz.skeleton import SkeletonLayout

if TYPE_CHECKING:
    from skelviz.readers.load_report import LoadReport

__all__ = [
    "SkeletonDataError",
    "SkeletonDataset",
    "check_sequence",
    "pad_sequences",
    "split_by_mask",
]


class SkeletonDataError(ValueError):
    """Bad skeleton input. The message always names the file (or sample) and the problem."""


def check_sequence(
    seq: np.ndarray, source: str | Path, num_joints: int | None = None
) -> np.ndarray:
    """Validate one canonical ``(M, T, V, C)`` sequence and return it as float32.

    Raises :class:`SkeletonDataError` naming ``source`` for a wrong rank or shape, no frames,
    or non-finite coordinates.
    """
    arr = np.asarray(seq)
    if arr.ndim != 4:
        raise SkeletonDataError(f"{source}: expected (M, T, V, C), got shape {arr.shape}")
    m, t, v, c = arr.shape
    if c != 3:
        raise SkeletonDataError(f"{source}: expected 3 coordinates per joint, got {c}")
    if m < 1:
        raise SkeletonDataError(f"{source}: no persons")
    if t < 1:
        raise SkeletonDataError(f"{source}: empty sequence (0 frames)")
    if num_joints is not None and v != num_joints:
        raise SkeletonDataError(f"{source}: expected {num_joints} joints, got {v}")
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise SkeletonDataError(
            f"{source}: non-finite coordinate (NaN/inf) at person {bad[0]}, frame {bad[1]}, "
            f"joint {bad[2]}"
        )
    return arr.astype(np.float32, copy=False)


def split_by_mask(is_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(train_indices, test_indices)`` of a protocol from a per-sample boolean train mask."""
    is_train = np.asarray(is_train, dtype=bool)
    return np.flatnonzero(is_train), np.flatnonzero(~is_train)


def pad_sequences(
    sequences: list[np.ndarray],
    num_persons: int,
    num_joints: int,
    max_frames: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-padded float32 batch ``(B, M, T_b, V, C)`` and valid lengths ``(B,)`` int64.

    ``T_b`` is the longest of the B ``(M, T_i, V, C)`` sequences; ``max_frames`` caps it and
    truncates longer sequences (their length is clipped too). M and V are given so that an empty
    selection still has the batch's shape.
    """
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"max_frames must be >= 1, got {max_frames}")
    lengths = np.array([seq.shape[1] for seq in sequences], dtype=np.int64)  # (B,)
    if max_frames is not None:
        lengths = np.minimum(lengths, int(max_frames))
    t = int(lengths.max()) if len(lengths) else 0
    out = np.zeros((len(sequences), num_persons, t, num_joints, 3), dtype=np.float32)
    for i, seq in enumerate(sequences):
        out[i, :, : lengths[i]] = seq[:, : lengths[i]]  # (M, T_i, V, C)
    return out, lengths


# ---------------------------------------------------------------------------------------------
@dataclass
class SkeletonDataset:
    """Variable-length skeleton sequences with labels, subjects, views and protocol splits.

    Attributes:
        name: dataset name (``"nw-ucla"``, ``"synthetic"``, ...).
        layout: the skeleton layout shared by every sequence.
        sequences: N arrays, each ``(M, T_i, V, C)`` float32, all with the same M and V.
        labels: ``(N,)`` int64, 0-based class ids.
        class_names: one name per class id.
        subjects: ``(N,)`` int64 performer ids (as the dataset numbers them).
        views: ``(N,)`` int64 camera / view ids (0 when the dataset has one view).
        sample_names: N unique names (file stems, ``"s01_e01/walk"``, ...).
        splits: protocol name -> ``(train_indices, test_indices)``.
        load_report: what the reader kept, dropped and skipped
            (:class:`skelviz.readers.load_report.LoadReport`; ``None`` for a hand-built dataset).
            Subsets and splits keep the report of the load they came from.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    name: str
    layout: SkeletonLayout
    sequences: list[np.ndarray]
    labels: np.ndarray
    class_names: tuple[str, ...]
    subjects: np.ndarray
    views: np.ndarray
    sample_names: tuple[str, ...]
    splits: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    load_report: LoadReport | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.sequences)
        self.labels = np.asarray(self.labels, dtype=np.int64)
        self.subjects = np.asarray(self.subjects, dtype=np.int64)
        self.views = np.asarray(self.views, dtype=np.int64)
        self.class_names = tuple(self.class_names)
        self.sample_names = tuple(self.sample_names)
        for what, arr in (("labels", self.labels), ("subjects", self.subjects),
                          ("views", self.views)):  # fmt: skip
            if arr.shape != (n,):
                raise SkeletonDataError(f"{self.name}: {what} has shape {arr.shape}, want ({n},)")
        if len(self.sample_names) != n:
            raise SkeletonDataError(f"{self.name}: {len(self.sample_names)} names for {n} samples")
        if len(set(self.sample_names)) != n:
            first: dict[str, int] = {}
            for i, sample in enumerate(self.sample_names):
                if sample in first:
                    raise SkeletonDataError(
                        f"{self.name}: sample names are not unique: {sample!r} is samples "
                        f"{first[sample]} and {i}"
                    )
                first[sample] = i
        bad = np.flatnonzero((self.labels < 0) | (self.labels >= len(self.class_names)))
        if len(bad):
            raise SkeletonDataError(
                f"{self.name}: sample {self.sample_names[bad[0]]!r} has label "
                f"{self.labels[bad[0]]}; labels must lie in 0..{len(self.class_names) - 1}"
            )
        persons = {s.shape[0] for s in self.sequences}
        if len(persons) > 1:
            raise SkeletonDataError(
                f"{self.name}: sequences have different person counts {persons}"
            )
        for seq, sample in zip(self.sequences, self.sample_names):
            check_sequence(seq, f"{self.name}/{sample}", self.layout.num_joints)
        for protocol, (train, test) in self.splits.items():
            for part in (train, test):
                if len(part) and (np.min(part) < 0 or np.max(part) >= n):
                    raise SkeletonDataError(f"{self.name}: split {protocol!r} indexes out of range")

    # --- basic facts ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def num_persons(self) -> int:
        return self.sequences[0].shape[0] if self.sequences else 0

    @property
    def lengths(self) -> np.ndarray:
        """``(N,)`` int64 valid-frame counts."""
        return np.array([s.shape[1] for s in self.sequences], dtype=np.int64)

    def __repr__(self) -> str:
        lengths = self.lengths
        span = f"{lengths.min()}..{lengths.max()}" if len(self) else "-"
        return (
            f"SkeletonDataset({self.name!r}, N={len(self)}, classes={self.num_classes}, "
            f"M={self.num_persons}, V={self.layout.num_joints} ({self.layout.name}), "
            f"T={span}, splits={sorted(self.splits)})"
        )

    # --- selection --------------------------------------------------------------------------
    def subset(self, indices: np.ndarray | list[int], name: str | None = None) -> SkeletonDataset:
        """A new dataset holding ``indices`` (in that order); splits are dropped."""
        idx = np.asarray(indices, dtype=np.int64)
        return replace(
            self,
            name=name or self.name,
            sequences=[self.sequences[i] for i in idx],
            labels=self.labels[idx],
            subjects=self.subjects[idx],
            views=self.views[idx],
            sample_names=tuple(self.sample_names[i] for i in idx),
            splits={},
        )

    def split(self, protocol: str) -> tuple[SkeletonDataset, SkeletonDataset]:
        """``(train, test)`` datasets of a named protocol such as ``"cross_view"``."""
        if protocol not in self.splits:
            raise ValueError(
                f"{self.name}: unknown protocol {protocol!r}; known: {sorted(self.splits)}"
            )
        train, test = self.splits[protocol]
        return (self.subset(train, f"{self.name}[{protocol}:train]"),
                self.subset(test, f"{self.name}[{protocol}:test]"))  # fmt: skip

    # --- batching ---------------------------------------------------------------------------
    def batch(
        self, indices: np.ndarray | list[int], max_frames: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Zero-padded batch ``(B, M, T_b, V, C)`` float32 and valid lengths ``(B,)`` int64.

        Holds the sequences ``indices`` (in that order); ``T_b`` is the longest of them, capped
        by ``max_frames`` (longer sequences are truncated and their length clipped).

        Introduced in ``notebooks/00_skeleton_data``.
        """
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)  # (B,)
        if len(idx) and (idx.min() < 0 or idx.max() >= len(self)):
            bad = idx[(idx < 0) | (idx >= len(self))][0]
            raise IndexError(f"{self.name}: index {bad} outside 0..{len(self) - 1}")
        sequences = [self.sequences[i] for i in idx]
        return pad_sequences(sequences, self.num_persons, self.layout.num_joints, max_frames)
