"""NTU / PKU arrays preprocessed by the reference pipeline (2s-AGCN ``ntu_gendata.py``).

Layout (``docs/released-code.md#data-and-preprocessing``)::

    {root}/{benchmark}/{part}_data_joint.npy   float32 (N, C=3, T=300, V=25, M=2), normalised
    {root}/{benchmark}/{part}_label.pkl        pickle of (sample_names, labels), labels 0-based
    {root}/{benchmark}/{part}_num_frame.npy    int (N,), valid frames per sample

with ``benchmark`` in ``xsub``, ``xview``, ``xsetup`` and ``part`` in ``train``, ``val``.
The arrays are already view-normalised, so they are only transposed to the canonical
``(M, T_valid, V, C)`` and cut to ``num_frame``, the raw file's frame count, the window the
released feeders crop from. The loop padding after it is dropped; loop-padded frames *inside* it
(where the raw file had empty frames, or a person left early) are kept, exactly as the released
feeders see them (``docs/released-code.md#empty-frames-loop-padding-versus-trimming``).
All-zero samples are dropped and counted (:mod:`skelviz.readers.load_report`); a sample name
used twice is an error naming both places.

Pickles can run arbitrary code when loaded, so the label file is read with
:class:`RestrictedUnpickler`, which refuses every global: only lists / tuples of ``str`` and
``int`` load.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from skelviz.dataset import SkeletonDataError, SkeletonDataset
from skelviz.readers.load_report import LoadReport
from skelviz.readers.ntu_splits import NTU_ACTIONS, VARIANTS, parse_sample_name
from skelviz.skeleton import NTU25

__all__ = [
    "BENCHMARK_PROTOCOLS",
    "RestrictedUnpickler",
    "load_label_pickle",
    "find_benchmark_folder",
    "load_preprocessed",
]

BENCHMARK_PROTOCOLS = {"xsub": "cross_subject", "xview": "cross_view", "xsetup": "cross_setup"}
PARTS = ("train", "val")


# ---------------------------------------------------------------------------------------------
class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global (class, function), so no code can run.

    Plain containers (list, tuple, dict), ``str``, ``int``, ``float`` and ``bool`` need no
    global and still load.
    """

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")


def load_label_pickle(path: str | Path) -> tuple[list[str], list[int]]:
    """``(sample_names, labels)`` from a reference ``{part}_label.pkl``, loaded safely.

    Raises :class:`SkeletonDataError` naming the file when the pickle asks for any global
    (e.g. ``os.system``, or numpy scalars: re-save the labels as Python ``int``), or when its
    content is not two equally long lists of names (str) and labels (int).
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            content = RestrictedUnpickler(handle).load()
    except pickle.UnpicklingError as err:
        raise SkeletonDataError(
            f"{path}: unsafe or unsupported pickle ({err}). Only lists/tuples of str and int are "
            f"accepted; if the labels are numpy numbers, re-save them with "
            f"pickle.dump((list(names), [int(x) for x in labels]), f)"
        ) from None
    except (EOFError, ValueError, TypeError, AttributeError, IndexError) as err:
        raise SkeletonDataError(f"{path}: not a readable label pickle ({err})") from None
    if not (isinstance(content, (tuple, list)) and len(content) == 2):
        raise SkeletonDataError(f"{path}: expected a pickle of (sample_names, labels)")
    names, labels = (list(part) for part in content)
    if len(names) != len(labels):
        raise SkeletonDataError(f"{path}: {len(names)} sample names but {len(labels)} labels")
    if not all(isinstance(n, str) for n in names):
        raise SkeletonDataError(f"{path}: sample names must be strings")
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in labels):
        raise SkeletonDataError(f"{path}: labels must be integers")
    return names, labels


# ---------------------------------------------------------------------------------------------
def find_benchmark_folder(root: str | Path, benchmark: str = "xsub") -> Path | None:
    """The folder holding ``*_data_joint.npy`` for ``benchmark``: ``root/benchmark`` or ``root``."""
    root = Path(root)
    for folder in (root / benchmark, root):
        if any((folder / f"{part}_data_joint.npy").exists() for part in PARTS):
            return folder
    return None


def _load_part(folder: Path, part: str, max_samples: int | None, report: LoadReport):
    data_path = folder / f"{part}_data_joint.npy"
    try:
        data = np.load(data_path, mmap_mode="r", allow_pickle=False)  # (N, C, T, V, M)
        num_frame = np.load(folder / f"{part}_num_frame.npy", allow_pickle=False)
    except (OSError, ValueError) as err:
        raise SkeletonDataError(f"{folder}/{part}_*.npy: cannot read ({err})") from None
    names, labels = load_label_pickle(folder / f"{part}_label.pkl")
    if data.ndim != 5 or data.shape[1] != 3 or data.shape[3] != NTU25.num_joints:
        raise SkeletonDataError(f"{data_path}: expected (N, 3, T, 25, M), got {data.shape}")
    if not len(names) == len(data) == len(num_frame):
        raise SkeletonDataError(
            f"{data_path}: {len(data)} samples, {len(names)} labels, {len(num_frame)} frame counts"
        )
    n = len(data) if max_samples is None else min(len(data), int(max_samples))
    sequences, kept = [], []
    for i in range(n):
        valid = min(int(num_frame[i]), data.shape[2])
        if valid < 1:
            raise SkeletonDataError(f"{data_path}: sample {names[i]} has {num_frame[i]} frames")
        seq = np.asarray(data[i, :, :valid], dtype=np.float32)  # (C, T, V, M)
        seq = np.ascontiguousarray(seq.transpose(3, 1, 2, 0))  # (M, T, V, C)
        if report.admit(seq, names[i]):
            report.keep(seq, names[i], centre_joint=NTU25.center)
            sequences.append(seq)
            kept.append(i)
    return sequences, [names[i] for i in kept], [labels[i] for i in kept]


def _check_unique(parts: list[tuple[Path, list[str]]]) -> None:
    """Every sample name once over all label pickles read; else name both places."""
    seen: dict[str, tuple[Path, int]] = {}
    for path, names in parts:
        for i, name in enumerate(names):
            if name in seen:
                first, j = seen[name]
                raise SkeletonDataError(
                    f"sample {name!r} appears twice: {first} (entry {j}) and {path} (entry {i})"
                )
            seen[name] = (path, i)


def load_preprocessed(
    root: str | Path,
    variant: str = "ntu60",
    benchmark: str = "xsub",
    part: str | None = None,
    max_samples: int | None = None,
    class_names: tuple[str, ...] | None = None,
) -> SkeletonDataset:
    """Read the reference arrays of ``benchmark`` (both parts, or only ``part``).

    The split ``BENCHMARK_PROTOCOLS[benchmark]`` holds the train indices, then the val indices
    (when both parts are loaded). ``max_samples`` caps each part. Subjects and views come from
    NTU sample names when they parse, else 0. ``class_names`` defaults to the NTU actions.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    if benchmark not in BENCHMARK_PROTOCOLS:
        raise ValueError(f"unknown benchmark {benchmark!r}; known: {sorted(BENCHMARK_PROTOCOLS)}")
    parts = PARTS if part is None else (part,)
    if any(p not in PARTS for p in parts):
        raise ValueError(f"unknown part {part!r}; known: {PARTS}")
    folder = find_benchmark_folder(root, benchmark)
    if folder is None:
        raise FileNotFoundError(f"{root}: no {benchmark}/{{train,val}}_data_joint.npy found")
    _check_unique([(folder / f"{p}_label.pkl", load_label_pickle(folder / f"{p}_label.pkl")[0])
                   for p in parts])  # fmt: skip
    report = LoadReport(variant, "first_frame")  # the released pipeline normalised the arrays
    sequences, names, labels, part_sizes = [], [], [], []
    for p in parts:
        seqs, nms, lbls = _load_part(folder, p, max_samples, report)
        sequences += seqs
        names += nms
        labels += lbls
        part_sizes.append(len(seqs))
    ids = [parse_sample_name(n) for n in names]
    splits = {}
    if part is None:
        n_train = part_sizes[0]
        idx = np.arange(len(sequences))
        splits[BENCHMARK_PROTOCOLS[benchmark]] = (idx[:n_train], idx[n_train:])
    num_classes = VARIANTS.get(variant, max(labels, default=-1) + 1)
    return SkeletonDataset(
        name=variant,
        layout=NTU25,
        sequences=sequences,
        labels=labels,
        class_names=class_names or NTU_ACTIONS[:num_classes],
        subjects=[s.subject if s else 0 for s in ids],
        views=[s.camera if s else 0 for s in ids],
        sample_names=names,
        splits=splits,
        load_report=report,
    )
