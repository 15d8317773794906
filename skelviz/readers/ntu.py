"""NTU RGB+D 60 / 120 reader: raw ``.skeleton`` files, or the 2s-AGCN preprocessed arrays.

Raw files follow the format of the official NTU release (Shahroudy et al. CVPR 2016; Liu et al.
TPAMI 2019): line 1 the frame count; per frame a body count; per body one line of 10 values
(bodyID clippedEdges handLeftConfidence handLeftState handRightConfidence handRightState
isRestricted leanX leanY trackingState), the joint count (25), then 25 lines of 12 values
(x y z depthX depthY colorX colorY orientationW orientationX orientationY orientationZ
trackingState). Bodies are indexed by their slot in the frame, as 2s-AGCN's ``read_xyz`` does;
the two with the largest motion energy (``get_nonzero_std``: sum over x, y, z of the std over
the body's non-zero frames) are kept, absent persons are zero-filled (M = 2 always), and the
sequence is view-normalised with :func:`skelviz.preprocess.normalize_sequence` (reader option
``normalize``). Files without any tracked body are dropped and counted
(:mod:`skelviz.readers.load_report`); two files with the same sample name are an error naming both.

The preprocessed form (``{benchmark}/{train,val}_data_joint.npy`` ...) is read by
:mod:`skelviz.readers.ntu_preprocessed`; it is picked automatically when present.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from skelviz.dataset import SkeletonDataError, SkeletonDataset
from skelviz.preprocess import DEFAULT_NORMALIZATION, check_normalization
from skelviz.readers.load_report import LoadReport
from skelviz.readers.ntu_splits import NTU_ACTIONS, VARIANTS, ntu_splits, parse_sample_name
from skelviz.skeleton import NTU25

__all__ = ["load", "read_skeleton_file", "select_two_bodies", "motion_energy"]

NUM_JOINTS = 25
VALUES_PER_JOINT = 12
MAX_KINECT_BODIES = 4  # 2s-AGCN max_body_kinect: body slots beyond 4 are ignored
MISSING_LISTS = (  # our default name, then the official names (shahroudy/NTURGB-D, Matlab/)
    "samples_with_missing_skeletons.txt",
    "NTU_RGBD_samples_with_missing_skeletons.txt",
    "NTU_RGBD120_samples_with_missing_skeletons.txt",
)
_NTU_NAME = re.compile(r"S\d{3}C\d{3}P\d{3}R\d{3}A\d{3}")


# ---------------------------------------------------------------------------------------------
def read_skeleton_file(path: str | Path, max_bodies: int = MAX_KINECT_BODIES) -> np.ndarray:
    """All bodies of one ``.skeleton`` file as ``(B, T, 25, 3)`` float64, B = body slots used.

    A body absent from a frame is all zero there. The structure (counts) is walked in Python;
    the joint lines are parsed by ``numpy.loadtxt`` in one call (about 6 ms for 100 frames x 2
    bodies). Raises :class:`SkeletonDataError` naming
    the file and the 1-based line for a truncated file, a joint count other than 25, a joint
    line with fewer than 12 values or a non-number, or a non-finite coordinate.
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    blocks: list[tuple[int, int, int]] = []  # (frame, body slot, first joint line index)
    i = 0
    try:
        num_frames = _count(lines, 0, path, "frame count")
        i = 1
        for frame in range(num_frames):
            num_bodies = _count(lines, i, path, "body count")
            i += 1
            for slot in range(num_bodies):
                i += 1  # body info line (bodyID ... trackingState)
                num_joints = _count(lines, i, path, "joint count")
                if num_joints != NUM_JOINTS:
                    raise SkeletonDataError(
                        f"{path}, line {i + 1}: expected {NUM_JOINTS} joints, got {num_joints}"
                    )
                blocks.append((frame, slot, i + 1))
                i += 1 + NUM_JOINTS
        if i > len(lines):
            raise IndexError
    except IndexError:
        raise SkeletonDataError(
            f"{path}: truncated file: ended at line {len(lines)} while frame/body structure "
            f"needs at least {max(i, len(lines) + 1)} lines"
        ) from None
    if num_frames < 1:
        raise SkeletonDataError(f"{path}, line 1: no frames (frame count {num_frames})")

    joint_lines = [lines[s + j] for _, _, s in blocks for j in range(NUM_JOINTS)]
    xyz = np.zeros((0, NUM_JOINTS, 3))  # (blocks, V, C)
    if blocks:
        try:  # columns x, y, z and trackingState: every joint line must hold all 12 values
            values = np.loadtxt(joint_lines, usecols=(0, 1, 2, VALUES_PER_JOINT - 1), ndmin=2)
        except ValueError:
            _raise_bad_joint_line(path, blocks, lines)
        xyz = values[:, :3].reshape(len(blocks), NUM_JOINTS, 3)
    bad = ~np.isfinite(xyz)
    if bad.any():
        block, joint, _ = np.argwhere(bad)[0]
        raise SkeletonDataError(
            f"{path}, line {blocks[block][2] + joint + 1}: non-finite joint coordinate (NaN/inf)"
        )

    num_slots = min(max((slot for _, slot, _ in blocks), default=-1) + 1, max_bodies)
    bodies = np.zeros((max(num_slots, 1), num_frames, NUM_JOINTS, 3))  # (B, T, V, C)
    frame_idx = np.array([f for f, _, _ in blocks], dtype=np.int64)
    slot_idx = np.array([s for _, s, _ in blocks], dtype=np.int64)
    keep = slot_idx < max_bodies
    bodies[slot_idx[keep], frame_idx[keep]] = xyz[keep]
    return bodies


def _count(lines: list[str], i: int, path: Path, what: str) -> int:
    try:
        return int(lines[i].split()[0])
    except (ValueError, IndexError) as err:
        if isinstance(err, IndexError) and i >= len(lines):
            raise  # past the end: reported as truncation by the caller
        raise SkeletonDataError(
            f"{path}, line {i + 1}: expected the {what}, got {lines[i]!r}"
        ) from None


def _raise_bad_joint_line(path: Path, blocks: list[tuple[int, int, int]], lines: list[str]):
    """Slow path, only on error: find the first joint line without 12 numbers."""
    for _, _, start in blocks:
        for j in range(start, start + NUM_JOINTS):
            tokens = lines[j].split()
            try:
                ok = len(tokens) == VALUES_PER_JOINT and all(float(t) is not None for t in tokens)
            except ValueError:
                ok = False
            if not ok:
                raise SkeletonDataError(
                    f"{path}, line {j + 1}: expected {VALUES_PER_JOINT} numbers per joint line, "
                    f"got {lines[j]!r}"
                )
    raise SkeletonDataError(f"{path}: joint lines do not hold {VALUES_PER_JOINT} values each")


# ---------------------------------------------------------------------------------------------
def motion_energy(bodies: np.ndarray) -> np.ndarray:
    """``(B,)`` energy per body of ``(B, T, V, C)``: sum over C of the std over its non-zero frames.

    A frame counts as non-zero when its coordinates do not sum to 0 (2s-AGCN ``get_nonzero_std``);
    a body with no such frame has energy 0.
    """
    energy = np.zeros(len(bodies))
    for b, body in enumerate(bodies):
        frames = body[body.sum(axis=(-1, -2)) != 0]  # (T', V, C)
        if len(frames):
            energy[b] = frames.reshape(-1, 3).std(axis=0).sum()
    return energy


def select_two_bodies(bodies: np.ndarray) -> np.ndarray:
    """The two highest-energy bodies of ``(B, T, V, C)`` as ``(2, T, V, C)`` float32, zero-filled.

    Ties keep the lower body slot first.
    """
    order = np.argsort(-motion_energy(bodies), kind="stable")[:2]
    out = np.zeros((2, *bodies.shape[1:]), dtype=np.float32)  # (M=2, T, V, C)
    out[: len(order)] = bodies[order]
    return out


# ---------------------------------------------------------------------------------------------
def load(
    root: str | Path,
    variant: str = "ntu60",
    missing_samples: str | Path | Iterable[str] | bool | None = None,
    max_samples: int | None = None,
    preprocessed: bool | None = None,
    benchmark: str = "xsub",
    part: str | None = None,
    progress: bool | None = None,
    loop_pad: bool = False,
    normalize: str | bool | None = None,
) -> SkeletonDataset:
    """Load NTU RGB+D ``variant`` (``"ntu60"`` or ``"ntu120"``) from ``root``.

    Raw mode reads every ``*.skeleton`` file under ``root`` (recursively), keeps those of the
    variant (NTU-60: S001-S017 and A001-A060), skips the names in ``missing_samples`` (a list of
    names, a file naming them, or by default every list found in ``root`` under the names in
    :data:`MISSING_LISTS`; ``False`` skips nothing), and reads at most ``max_samples`` files in
    name order.
    Labels are 0-based (A001 -> 0); splits ``cross_subject`` plus ``cross_view`` (NTU-60) or
    ``cross_setup`` (NTU-120). ``preprocessed`` (default: auto-detect) switches to
    :func:`skelviz.readers.ntu_preprocessed.load_preprocessed` with ``benchmark`` and ``part``.
    ``loop_pad`` (raw mode only) keeps each file's raw frame count and loop-pads every person's
    empty tail as the released preprocessing does (:func:`skelviz.preprocess.normalize_sequence`;
    ``docs/released-code.md#empty-frames-loop-padding-versus-trimming``); preprocessed arrays
    already carry the released padding inside ``num_frame``, so it is an error there.
    ``normalize`` (raw mode): one of ``skelviz.preprocess.NORMALIZATIONS``, default
    ``"first_frame"``; preprocessed arrays are already normalised that way, so any other choice
    is an error there.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown NTU variant {variant!r}; known: {sorted(VARIANTS)}")
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"{variant}: data folder {root} does not exist")
    from skelviz.readers import ntu_preprocessed

    if preprocessed is None:
        preprocessed = ntu_preprocessed.find_benchmark_folder(root, benchmark) is not None
    mode = check_normalization(DEFAULT_NORMALIZATION if normalize is None else normalize, variant)
    if loop_pad and mode == "none":
        raise ValueError(f"{variant}: loop_pad needs a normalisation other than 'none'")
    if preprocessed:
        if mode != "first_frame":
            raise ValueError(
                f"{variant}: the preprocessed arrays are already normalised by the released "
                f"pipeline (first frame); normalize={normalize!r} needs the raw .skeleton files"
            )
        if loop_pad:
            raise ValueError(
                f"{variant}: loop_pad applies to raw .skeleton files; the preprocessed arrays "
                "already hold the released loop padding inside num_frame"
            )
        return ntu_preprocessed.load_preprocessed(
            root, variant, benchmark=benchmark, part=part, max_samples=max_samples
        )

    files = _sample_files(root, variant, _missing_names(root, missing_samples))
    if max_samples is not None:
        files = files[: int(max_samples)]
    if not files:
        found = sorted(p.parent.name for p in root.glob("*/*_data_joint.npy"))
        hint = f"; preprocessed benchmarks found: {sorted(set(found))}" if found else ""
        raise SkeletonDataError(f"{root}: no {variant} .skeleton files (searched subfolders){hint}")
    if progress is None:
        progress = not (os.environ.get("CI") or os.environ.get("TQDM_DISABLE"))
    report = LoadReport(variant, mode)
    sequences, ids, names = [], [], []
    for path, sample_id in tqdm(files, desc=f"reading {variant}", disable=not progress):
        bodies = read_skeleton_file(path)
        seq = report.prepare(select_two_bodies(bodies), path.stem, NTU25, source=str(path),
                             loop_pad=loop_pad)  # fmt: skip
        if seq is not None:
            sequences.append(seq)
            ids.append(sample_id)
            names.append(path.stem)
    return SkeletonDataset(
        name=variant,
        layout=NTU25,
        sequences=sequences,
        labels=[s.action - 1 for s in ids],
        class_names=NTU_ACTIONS[: VARIANTS[variant]],
        subjects=[s.subject for s in ids],
        views=[s.camera for s in ids],
        sample_names=names,
        splits=ntu_splits(ids, variant),
        load_report=report,
    )


def _missing_names(root: Path, missing: str | Path | Iterable[str] | bool | None) -> set[str]:
    """Sample names to skip. Lists are read for NTU names only, so the official files (which
    start with two lines of prose) work as they are."""
    if missing is False:
        return set()
    if missing is None or missing is True:
        found = [root / n for n in MISSING_LISTS if (root / n).exists()]
        if missing is True and not found:
            raise FileNotFoundError(f"{root}: no missing-samples list ({', '.join(MISSING_LISTS)})")
        return {name for path in found for name in _NTU_NAME.findall(path.read_text())}
    if isinstance(missing, (str, Path)):
        path = Path(missing)
        if not path.exists():
            raise FileNotFoundError(f"{path}: missing-samples list not found")
        return set(_NTU_NAME.findall(path.read_text()))
    return {Path(name.strip()).stem for name in missing if name.strip()}


def _sample_files(root: Path, variant: str, missing: set[str]) -> list:
    """``(path, sample id)`` of the variant's files in name order; a name found twice (two
    archives unzipped into different subfolders, a copy) is an error naming both files."""
    files, seen = [], {}
    for path in sorted(root.rglob("*.skeleton"), key=lambda p: (p.name, str(p))):
        sample_id = parse_sample_name(path.stem)
        if sample_id is None:
            raise SkeletonDataError(f"{path}: not an NTU sample name (SsssCcccPpppRrrrAaaa)")
        if path.stem in seen:
            raise SkeletonDataError(
                f"{variant}: sample {path.stem} is in two files, {seen[path.stem]} and {path}; "
                f"keep one"
            )
        seen[path.stem] = path
        if sample_id.in_variant(variant) and path.stem not in missing:
            files.append((path, sample_id))
    return files
