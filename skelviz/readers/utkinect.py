"""UTKinect-Action3D from its raw joint files and action label file (transfer target, paper 4.3).

``joints/joints_sXX_eYY.txt`` holds one line per skeleton frame:
``frameId x1 y1 z1 ... x20 y20 z20``
(Kinect v1 20-joint order, metres, y up). ``joints/actionLabel_modified.txt`` (default; it corrects
7 ranges of the original ``actionLabel.txt`` and equals the Lie-group code's ``frame_indices.mat``)
lists per recording ``action: startFrame endFrame`` in frame ids, inclusive. Quirks handled here:
frame ids repeat in places (the first line is kept), and one segment (``carry`` of s10_e02) is
``NaN NaN`` (missing, skipped and counted in the load report: 199 sequences).

Protocols: ``cross_subject`` odd subjects train / even test (100 / 99, Zhu et al. 2013), and, when
``tr_te_splits.mat`` is present, its ten random 5/5 subject splits as ``random_split_0`` ...
``random_split_9``.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from skelviz.dataset import SkeletonDataError, SkeletonDataset, split_by_mask
from skelviz.preprocess import DEFAULT_NORMALIZATION, check_normalization
from skelviz.readers import how_to_get
from skelviz.readers.load_report import LoadReport
from skelviz.skeleton import KINECT_V1_20

__all__ = ["CLASS_NAMES", "LABEL_FILES", "load", "read_joint_file", "read_label_file"]

CLASS_NAMES = ("walk", "sitDown", "standUp", "pickUp", "carry", "throw", "push", "pull",
               "waveHands", "clapHands")  # fmt: skip
LABEL_FILES = {"modified": "actionLabel_modified.txt", "original": "actionLabel.txt"}
_RECORDING = re.compile(r"^s(\d{2})_e(\d{2})$")


def read_joint_file(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``(frame_ids (F,), joints (F, 20, 3))`` with repeated frame ids dropped (first kept)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"utkinect: joint file {path} not found")
    rows = []
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 61:
            raise SkeletonDataError(
                f"{path}:{line_no}: expected 61 numbers (frame id + 20 x 3), got {len(fields)}"
            )
        try:
            rows.append([float(f) for f in fields])
        except ValueError:
            raise SkeletonDataError(f"{path}:{line_no}: non-numeric value") from None
    if not rows:
        raise SkeletonDataError(f"{path}: no frames")
    table = np.asarray(rows, dtype=np.float64)  # (F, 61)
    if not np.isfinite(table).all():
        bad = int(np.argwhere(~np.isfinite(table))[0, 0])
        raise SkeletonDataError(f"{path}: non-finite joint value in frame row {bad + 1}")
    ids, first = np.unique(table[:, 0].astype(np.int64), return_index=True)
    first = np.sort(first)
    return table[first, 0].astype(np.int64), table[first, 1:].reshape(-1, 20, 3).astype(np.float32)


def read_label_file(
    path: str | Path,
) -> dict[str, list[tuple[str, int, int] | tuple[str, None, None]]]:
    """``{"s01_e01": [(action, start, end), ...]}``; ``NaN NaN`` gives ``(action, None, None)``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"utkinect: label file {path} not found")
    table: dict[str, list] = {}
    current = None
    for line_no, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _RECORDING.match(line):
            current = line
            table[current] = []
            continue
        action, _, span = line.partition(":")
        parts = span.split()
        if current is None or action not in CLASS_NAMES or len(parts) != 2:
            raise SkeletonDataError(f"{path}:{line_no}: cannot parse {raw!r}")
        if parts == ["NaN", "NaN"]:
            table[current].append((action, None, None))
            continue
        try:
            start, end = int(parts[0]), int(parts[1])
        except ValueError:
            raise SkeletonDataError(
                f"{path}:{line_no}: frame range {span.strip()!r} is not integers"
            ) from None
        if end < start:
            raise SkeletonDataError(f"{path}:{line_no}: end frame {end} before start {start}")
        table[current].append((action, start, end))
    return table


def load(
    root: str | Path,
    label_file: str = "modified",
    normalize: str | bool = DEFAULT_NORMALIZATION,
) -> SkeletonDataset:
    """All labelled segments under ``root`` (the folder holding ``joints/``) as a dataset.

    ``normalize``: one of ``skelviz.preprocess.NORMALIZATIONS`` (``True`` / ``False`` mean the
    default / ``"none"``). Segments listed as ``NaN NaN`` are skipped and empty ones dropped,
    both counted in ``dataset.load_report``.
    """
    root = Path(root)
    if label_file not in LABEL_FILES:
        raise ValueError(
            f"utkinect: label_file must be one of {sorted(LABEL_FILES)}, got {label_file!r}"
        )
    report = LoadReport("utkinect", check_normalization(normalize, "utkinect"))
    joints_dir = root / "joints" if (root / "joints").is_dir() else root
    labels_path = joints_dir / LABEL_FILES[label_file]
    if not labels_path.is_file():
        raise FileNotFoundError(
            f"utkinect: label file {labels_path} not found; DATA_ROOT must be the folder holding "
            f"joints/ (or joints itself). {how_to_get('utkinect', root)}"
        )
    table = read_label_file(labels_path)
    sequences, labels, subjects, names = [], [], [], []
    for recording, segments in table.items():
        frame_ids, joints = read_joint_file(joints_dir / f"joints_{recording}.txt")
        for action, start, end in segments:
            name = f"{recording}/{action}"
            if start is None:  # the missing carry of s10_e02
                report.skip(name, f"'NaN NaN' range in {labels_path.name}")
                continue
            keep = (frame_ids >= start) & (frame_ids <= end)
            if not keep.any():
                raise SkeletonDataError(
                    f"{labels_path}: {name} range {start}-{end} holds no frame of "
                    f"joints_{recording}.txt"
                )
            seq = report.prepare(joints[keep][None], name, KINECT_V1_20,
                                 source=f"joints_{recording}.txt:{name}")  # fmt: skip
            if seq is None:
                continue
            sequences.append(seq)  # (M=1, T, V, C)
            labels.append(CLASS_NAMES.index(action))
            subjects.append(int(recording[1:3]))
            names.append(name)
    subjects_arr = np.array(subjects, dtype=np.int64)
    splits = {"cross_subject": split_by_mask(subjects_arr % 2 == 1)}
    splits.update(_random_splits(root, subjects_arr))
    return SkeletonDataset(
        name="utkinect",
        layout=KINECT_V1_20,
        sequences=sequences,
        labels=np.array(labels, dtype=np.int64),
        class_names=CLASS_NAMES,
        subjects=subjects_arr,
        views=np.zeros(len(sequences), dtype=np.int64),
        sample_names=tuple(names),
        splits=splits,
        load_report=report,
    )


def _random_splits(root: Path, subjects: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    path = root / "tr_te_splits.mat"
    if not path.is_file():
        return {}
    from scipy.io import loadmat  # only needed for this optional file

    mat = loadmat(path)
    index = np.arange(len(subjects))
    return {
        f"random_split_{i}": (index[np.isin(subjects, tr)], index[np.isin(subjects, te)])
        for i, (tr, te) in enumerate(zip(mat["tr_subjects"], mat["te_subjects"]))
    }
