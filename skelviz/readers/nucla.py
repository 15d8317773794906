"""Northwestern-UCLA Multiview Action3D (N-UCLA) from the raw ``all_sqe`` JSON release.

Each file ``aXX_sYY_eZZ_vWW.json`` holds ``{"file_name", "skeletons": [T][20][3], "label"}`` with a
1-based contiguous label (a01->1 ... a06->6, a08->7, a09->8, a11->9, a12->10). One person, Kinect v1
20-joint layout, camera space in metres, y up. Protocols (paper Section 4.1 uses the standard one):

* ``cross_view`` (standard): train on views 1 and 2 (1020 sequences), test on view 3 (464);
* ``cross_subject`` (skelviz convention, the dataset defines none): odd subjects train, even test.

Quirks: two sequences have one frame (kept) and 12 joint entries are exactly zero (missing, kept
as zeros); the load report counts both (:mod:`skelviz.readers.load_report`).

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from skelviz.dataset import SkeletonDataError, SkeletonDataset, split_by_mask
from skelviz.preprocess import DEFAULT_NORMALIZATION, check_normalization
from skelviz.readers import how_to_get
from skelviz.readers.load_report import LoadReport
from skelviz.skeleton import KINECT_V1_20

__all__ = ["ACTION_CODES", "CLASS_NAMES", "load", "read_sequence"]

ACTION_CODES = (1, 2, 3, 4, 5, 6, 8, 9, 11, 12)  # aXX code of class id 0..9
CLASS_NAMES = (
    "pick up with one hand", "pick up with two hands", "drop trash", "walk around", "sit down",
    "stand up", "donning", "doffing", "throw", "carry",
)  # fmt: skip
_NAME = re.compile(r"^a(\d{2})_s(\d{2})_e(\d{2})_v(\d{2})$")


def _find_files(root: Path) -> list[Path]:
    folder = root / "all_sqe" if (root / "all_sqe").is_dir() else root
    files = sorted(folder.glob("a*_s*_e*_v*.json"))
    if not files:
        raise FileNotFoundError(
            f"nw-ucla: no aXX_sYY_eZZ_vWW.json files in {folder}; DATA_ROOT must be the folder "
            f"holding all_sqe/ (or all_sqe itself). {how_to_get('nw-ucla', root)}"
        )
    return files


def read_sequence(path: str | Path) -> tuple[np.ndarray, int, int, int]:
    """Read one raw file: ``(skeleton (1, T, 20, 3) float32 raw, class id, subject, view)``.

    Raises :class:`SkeletonDataError` naming the file for a bad name, truncated / invalid JSON, a
    wrong shape, non-finite values, or a label that contradicts the file name.
    """
    path = Path(path)
    match = _NAME.match(path.stem)
    if not match:
        raise SkeletonDataError(f"{path}: name is not aXX_sYY_eZZ_vWW.json")
    action, subject, _, view = (int(g) for g in match.groups())
    if action not in ACTION_CODES:
        raise SkeletonDataError(f"{path}: unknown action code a{action:02d}")
    try:
        obj = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise SkeletonDataError(f"{path}: invalid or truncated JSON ({err})") from None
    if not isinstance(obj, dict) or "skeletons" not in obj:
        raise SkeletonDataError(f"{path}: missing the 'skeletons' field")
    try:
        joints = np.asarray(obj["skeletons"], dtype=np.float32)  # (T, V, C)
    except (ValueError, TypeError):
        raise SkeletonDataError(f"{path}: 'skeletons' is not a T x 20 x 3 number array") from None
    if joints.ndim != 3 or joints.shape[1:] != (20, 3):
        raise SkeletonDataError(
            f"{path}: expected skeletons of shape (T, 20, 3), got {joints.shape}"
        )
    class_id = ACTION_CODES.index(action)
    if "label" in obj and int(obj["label"]) != class_id + 1:
        raise SkeletonDataError(
            f"{path}: label {obj['label']} contradicts action a{action:02d} "
            f"(expected {class_id + 1})"
        )
    return joints[None], class_id, subject, view  # (M=1, T, V, C)


def load(
    root: str | Path,
    normalize: str | bool = DEFAULT_NORMALIZATION,
    max_samples: int | None = None,
) -> SkeletonDataset:
    """Load every ``all_sqe`` file under ``root`` as a :class:`SkeletonDataset`.

    ``normalize``: one of ``skelviz.preprocess.NORMALIZATIONS`` (``"first_frame"``, the released
    view normalisation, ``"robust"``, ``"center"``, ``"none"``; ``True`` / ``False`` mean the
    default / ``"none"``). ``max_samples`` keeps an evenly spaced subset (for quick looks);
    splits refer to that subset. Empty sequences are dropped and counted in
    ``dataset.load_report``.
    """
    files = _find_files(Path(root))
    report = LoadReport("nw-ucla", check_normalization(normalize, "nw-ucla"))
    if max_samples is not None:
        if max_samples < 1:
            raise ValueError(f"nw-ucla: max_samples must be >= 1, got {max_samples}")
        keep = np.linspace(0, len(files) - 1, min(max_samples, len(files))).round().astype(int)
        files = [files[i] for i in np.unique(keep)]
    sequences, labels, subjects, views, names = [], [], [], [], []
    for path in files:
        raw, class_id, subject, view = read_sequence(path)
        seq = report.prepare(raw, path.stem, KINECT_V1_20, source=str(path))
        if seq is None:
            continue
        sequences.append(seq)
        labels.append(class_id)
        subjects.append(subject)
        views.append(view)
        names.append(path.stem)
    subjects_arr, views_arr = np.array(subjects, dtype=np.int64), np.array(views, dtype=np.int64)
    splits = {
        "cross_view": split_by_mask(views_arr != 3),
        "cross_subject": split_by_mask(subjects_arr % 2 == 1),
    }
    return SkeletonDataset(
        name="nw-ucla",
        layout=KINECT_V1_20,
        sequences=sequences,
        labels=np.array(labels, dtype=np.int64),
        class_names=CLASS_NAMES,
        subjects=subjects_arr,
        views=views_arr,
        sample_names=tuple(names),
        splits=splits,
        load_report=report,
    )
