"""PKU-MMD reader: action clips cut out of long skeleton recordings with their temporal labels.

PKU-MMD (Liu et al., "PKU-MMD: A Large Scale Benchmark for Continuous Multi-Modal Human Action
Understanding", arXiv:1703.07475, 2017) ships long Kinect v2 recordings, not clips. Following the
ISC author (skeleton-contrast issue #3) and CMD's ``data_gen/pku_gendata.py``, every labelled
action is cut out of its recording and treated as an independent clip, then normalised like NTU.

Expected layout (the official folder names are accepted as aliases)::

    root/skeleton/XXXX-L.txt   (or PKU_Skeleton_Renew/, Data/)   frames x 150 numbers:
                               2 persons x 25 joints (NTU order) x xyz; person 2 zero when absent
    root/label/XXXX-L.txt      (or Train_Label_PKU_final/, Label/) lines "label,start,end,conf":
                               1-based action label and frame range
    root/split/cross-subject.txt, cross-view.txt   (or Split/, or root; Phase 2:
                               cross_subject_v2.txt, cross_view_v2.txt) optional

Frame ranges are cut as rows ``start .. end-1`` (``seq[start:end]``), exactly as CMD's
``pku_gendata.py`` does; ``start < 0``, ``end <= start`` or ``end`` beyond the recording is an
error naming the label file and line. The confidence column is ignored (as in CMD). File names
do not encode performers, so ``subjects`` are 0; views come from the L/M/R suffix (0/1/2).

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from skelviz.dataset import SkeletonDataError, SkeletonDataset
from skelviz.preprocess import DEFAULT_NORMALIZATION, check_normalization
from skelviz.readers.load_report import LoadReport
from skelviz.skeleton import NTU25

__all__ = ["load", "read_recording", "read_labels", "parse_split_file"]

SKELETON_DIRS = ("skeleton", "PKU_Skeleton_Renew", "Data")
LABEL_DIRS = ("label", "Train_Label_PKU_final", "Label")
SPLIT_DIRS = ("split", "Split", ".")
SPLIT_FILES = {
    "cross_subject": ("cross-subject.txt", "cross_subject_v2.txt"),
    "cross_view": ("cross-view.txt", "cross_view_v2.txt"),
}
VIEWS = {"L": 0, "M": 1, "R": 2}
PHASE1_CLASSES, PHASE2_CLASSES = 51, 41
_SECTION = re.compile(r"^\s*(train\w*|valid\w*|test\w*)[^:\n]*:", re.IGNORECASE | re.MULTILINE)


# ---------------------------------------------------------------------------------------------
def read_recording(path: str | Path) -> np.ndarray:
    """One recording as ``(M=2, F, V=25, C=3)`` float32. Errors name the file and the row."""
    path = Path(path)
    try:
        rows = np.loadtxt(path, ndmin=2)  # (F, 150)
    except ValueError as err:
        raise SkeletonDataError(f"{path}: not a table of numbers ({err})") from None
    if rows.shape[0] == 0:
        raise SkeletonDataError(f"{path}: empty recording (0 frames)")
    if rows.shape[1] != 2 * 25 * 3:
        raise SkeletonDataError(f"{path}: expected 150 numbers per line, got {rows.shape[1]}")
    if not np.isfinite(rows).all():
        line = int(np.argwhere(~np.isfinite(rows))[0, 0]) + 1
        raise SkeletonDataError(f"{path}, line {line}: non-finite coordinate (NaN/inf)")
    return rows.reshape(-1, 2, 25, 3).transpose(1, 0, 2, 3).astype(np.float32)  # (M, F, V, C)


def read_labels(path: str | Path, num_frames: int) -> list[tuple[int, int, int]]:
    """``[(label0, start, end), ...]`` from a label file; label0 is 0-based.

    Raises :class:`SkeletonDataError` naming the file and line for a malformed line, a label
    below 1, or a range with ``start < 0``, ``end <= start`` or ``end > num_frames``.
    """
    path = Path(path)
    actions = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        try:
            label, start, end = (int(float(f)) for f in fields[:3])
        except ValueError:
            label = start = end = None
        if label is None or len(fields) < 3:
            raise SkeletonDataError(f"{path}, line {number}: expected 'label,start,end,conf', "
                                    f"got {line!r}")  # fmt: skip
        if label < 1:
            raise SkeletonDataError(f"{path}, line {number}: labels are 1-based, got {label}")
        if start < 0 or end <= start or end > num_frames:
            raise SkeletonDataError(
                f"{path}, line {number}: bad frame range {start}..{end} for a recording of "
                f"{num_frames} frames"
            )
        actions.append((label - 1, start, end))
    return actions


def parse_split_file(path: str | Path) -> tuple[set[str], set[str]]:
    """``(train_ids, test_ids)`` from an official split file.

    The official format is a ``Training videos:`` line, a line of comma-separated ids
    (``0002-L, 0002-M, ...``), a ``Validataion videos:`` line (sic) and a line of ids. Parsing
    is tolerant: headers starting with train / valid / test in any case, ids on the header line
    or the following lines, separated by commas and/or whitespace, an optional ``.txt``.
    """
    path = Path(path)
    text = path.read_text()
    headers = list(_SECTION.finditer(text))
    sections: dict[str, set[str]] = {"train": set(), "test": set()}
    for k, header in enumerate(headers):
        end = headers[k + 1].start() if k + 1 < len(headers) else len(text)
        ids = {t.removesuffix(".txt") for t in re.split(r"[,\s]+", text[header.end() : end]) if t}
        sections["train" if header.group(1).lower().startswith("train") else "test"] |= ids
    if not sections["train"] or not sections["test"]:
        raise SkeletonDataError(
            f"{path}: expected a 'Training videos:' and a 'Validation videos:' section with ids"
        )
    return sections["train"], sections["test"]


# ---------------------------------------------------------------------------------------------
def _first_dir(root: Path, names: tuple[str, ...]) -> Path | None:
    return next((root / n for n in names if (root / n).is_dir()), None)


def _find_splits(root: Path) -> tuple[dict[str, tuple[set[str], set[str]]], bool]:
    splits, phase2 = {}, False
    for folder in [root / d for d in SPLIT_DIRS if (root / d).is_dir()]:
        for protocol, names in SPLIT_FILES.items():
            for name in names:
                if protocol not in splits and (folder / name).exists():
                    splits[protocol] = parse_split_file(folder / name)
                    phase2 |= name.endswith("_v2.txt")
    return splits, phase2


def load(
    root: str | Path,
    max_samples: int | None = None,
    num_classes: int | None = None,
    progress: bool | None = None,
    normalize: str | bool = DEFAULT_NORMALIZATION,
) -> SkeletonDataset:
    """Every labelled action of every PKU-MMD recording under ``root`` as a clip (M = 2, NTU25).

    ``num_classes`` defaults to 51 (Phase 1) or 41 (Phase 2, recognised by ``*_v2.txt`` split
    files). ``max_samples`` stops after that many clips. Splits ``cross_subject`` /
    ``cross_view`` are built when the split files exist; clips of recordings listed in neither
    part are left out of that protocol. ``normalize``: one of
    ``skelviz.preprocess.NORMALIZATIONS``. Clips where nobody is tracked are dropped and counted
    in ``dataset.load_report``.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    root = Path(root)
    skeleton_dir, label_dir = _first_dir(root, SKELETON_DIRS), _first_dir(root, LABEL_DIRS)
    if skeleton_dir is None or label_dir is None:
        raise FileNotFoundError(f"{root}: expected folders skeleton/ and label/ (data/README.md)")
    recordings = sorted(skeleton_dir.glob("*.txt"))
    if not recordings:
        raise SkeletonDataError(f"{skeleton_dir}: no recordings (*.txt)")
    split_ids, phase2 = _find_splits(root)
    if progress is None:
        progress = not (os.environ.get("CI") or os.environ.get("TQDM_DISABLE"))

    k = num_classes or (PHASE2_CLASSES if phase2 else PHASE1_CLASSES)
    report = LoadReport("pku-mmd", check_normalization(normalize, "pku-mmd"))
    sequences, labels, views, names, stems = [], [], [], [], []
    for path in tqdm(recordings, desc="reading pku-mmd", disable=not progress):
        label_path = label_dir / path.name
        if not label_path.exists():
            raise SkeletonDataError(f"{path}: no label file {label_path}")
        recording = read_recording(path)  # (M, F, V, C)
        for i, (label, start, end) in enumerate(read_labels(label_path, recording.shape[1])):
            if max_samples is not None and len(sequences) >= max_samples:
                break
            source = f"{label_path} (action {i}, frames {start}..{end})"
            if label >= k:
                raise SkeletonDataError(f"{source}: label {label + 1} exceeds {k} classes; "
                                        f"pass num_classes")  # fmt: skip
            seq = report.prepare(recording[:, start:end], f"{path.stem}_{i}", NTU25, source)
            if seq is None:
                continue
            sequences.append(seq)
            labels.append(label)
            views.append(VIEWS.get(path.stem[-1:].upper(), 0))
            names.append(f"{path.stem}_{i}")
            stems.append(path.stem)
        if max_samples is not None and len(sequences) >= max_samples:
            break
    n = len(sequences) if max_samples is None else min(len(sequences), int(max_samples))
    stems = np.array(stems[:n])
    splits = {
        protocol: (np.flatnonzero(np.isin(stems, list(train))),
                   np.flatnonzero(np.isin(stems, list(test))))
        for protocol, (train, test) in split_ids.items()
    }  # fmt: skip
    return SkeletonDataset(
        name="pku-mmd",
        layout=NTU25,
        sequences=sequences[:n],
        labels=labels[:n],
        class_names=tuple(f"A{c + 1:02d}" for c in range(k)),
        subjects=np.zeros(n, dtype=np.int64),
        views=views[:n],
        sample_names=names[:n],
        splits=splits,
        load_report=report,
    )
