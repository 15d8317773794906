"""The generic skeleton format: any dataset converted to one JSON file plus one ``.npz``.

A folder holds::

    dataset.json    {"name", "joint_names", "edges" (0-based [child, parent]),
                     optional "center", "spine" [base, top], "shoulders" [right, left],
                     "left_right_pairs", "layout_name", "normalized" (bool),
                     "class_names", "samples": [{"name", "label", "subject"?, "view"?}],
                     optional "splits": {protocol: {"train": [...], "test": [...]}}}
    sequences.npz   one float array per sample name: (T, V, 3) or (M, T, V, 3)

Split members are sample names (or integer indices). Sequences are view-normalised with
:func:`skelviz.preprocess.normalize_sequence` unless ``"normalized": true`` (what
:func:`save_generic` writes for readers' output). Without ``spine`` / ``shoulders`` the
corresponding rotation is skipped; ``center`` defaults to the top joint of ``spine`` (the
built-in layouts centre on that joint too: Kinect's ``spine``, NTU's ``spine_mid``), or joint 0
without ``spine``. Labels, subjects and views must be integers, labels in ``0..len(class_names)-1``;
errors name the file, the sample and the field. Empty sequences are dropped and counted
(:mod:`skelviz.readers.load_report`). Everything is read with ``allow_pickle=False``. The
format is documented with worked examples in ``data/README.md`` and ``data/examples/``.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from skelviz.atomic import write_atomic
from skelviz.dataset import SkeletonDataError, SkeletonDataset
from skelviz.preprocess import DEFAULT_NORMALIZATION, check_normalization
from skelviz.readers.load_report import LoadReport
from skelviz.skeleton import SkeletonLayout

__all__ = ["load", "save_generic", "layout_from_json", "default_center", "FORMAT_VERSION"]

FORMAT_VERSION = 1
META_FILE, SEQUENCE_FILE = "dataset.json", "sequences.npz"
REQUIRED_KEYS = {"joint_names", "edges", "class_names", "samples"}
OPTIONAL_KEYS = {"name", "format_version", "center", "spine", "shoulders", "left_right_pairs",
                 "layout_name", "normalized", "splits"}  # fmt: skip
SAMPLE_KEYS = {"name", "label", "subject", "view"}


# ---------------------------------------------------------------------------------------------
def default_center(meta: dict) -> int:
    """The centre joint when ``center`` is not given: the top of ``spine``, else joint 0."""
    spine = meta.get("spine")
    return int(spine[1]) if isinstance(spine, (list, tuple)) and len(spine) == 2 else 0


def layout_from_json(meta: dict, source: str = META_FILE) -> SkeletonLayout:
    """The :class:`SkeletonLayout` a ``dataset.json`` describes (fallbacks in the module doc)."""
    try:
        center = int(meta["center"]) if "center" in meta else default_center(meta)
        return SkeletonLayout(
            name=str(meta.get("layout_name", meta.get("name", "generic"))),
            joint_names=tuple(str(j) for j in meta["joint_names"]),
            edges=tuple((int(c), int(p)) for c, p in meta["edges"]),
            center=center,
            spine=tuple(int(j) for j in meta.get("spine", (center, center))),
            shoulders=tuple(int(j) for j in meta.get("shoulders", (center, center))),
            left_right_pairs=tuple((int(a), int(b)) for a, b in meta.get("left_right_pairs", ())),
        )
    except (ValueError, TypeError) as err:
        raise SkeletonDataError(f"{source}: bad skeleton description ({err})") from None


def _read_meta(folder: Path) -> dict:
    path = folder / META_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found (a generic dataset needs {META_FILE})")
    try:
        meta = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise SkeletonDataError(f"{path}: invalid JSON ({err})") from None
    if not isinstance(meta, dict):
        raise SkeletonDataError(f"{path}: expected a JSON object at the top level")
    missing, unknown = REQUIRED_KEYS - meta.keys(), meta.keys() - REQUIRED_KEYS - OPTIONAL_KEYS
    if missing or unknown:
        raise SkeletonDataError(
            f"{path}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}"
        )
    if int(meta.get("format_version", FORMAT_VERSION)) > FORMAT_VERSION:
        raise SkeletonDataError(f"{path}: format_version {meta['format_version']} is too new")
    if not isinstance(meta["samples"], list) or not isinstance(meta["class_names"], list):
        raise SkeletonDataError(f"{path}: samples and class_names must be lists")
    seen: dict[str, int] = {}
    for k, sample in enumerate(meta["samples"]):
        if (
            not isinstance(sample, dict)
            or not {"name", "label"} <= sample.keys()
            or (sample.keys() - SAMPLE_KEYS)
        ):
            raise SkeletonDataError(
                f"{path}: samples[{k}] must be an object with name, label, optional subject and "
                f"view; got {sample!r}"
            )
        name = str(sample["name"])
        if name in seen:
            raise SkeletonDataError(
                f"{path}: samples[{seen[name]}] and samples[{k}] are both named {name!r}"
            )
        seen[name] = k
        _check_sample_fields(sample, k, path, len(meta["class_names"]))
    return meta


def _check_sample_fields(sample: dict, k: int, path: Path, num_classes: int) -> None:
    """Labels, subjects and views are JSON integers; labels index ``class_names``."""
    where = f"{path}: samples[{k}] ({sample['name']!r})"
    for key in ("label", "subject", "view"):
        value = sample.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool):
            hint = (
                f"; give the index into class_names (0..{num_classes - 1}), not the class name"
                if key == "label" and isinstance(value, str)
                else ""
            )
            raise SkeletonDataError(f"{where}: {key} {value!r} is not an integer{hint}")
    if not 0 <= sample["label"] < num_classes:
        raise SkeletonDataError(
            f"{where}: label {sample['label']} is outside 0..{num_classes - 1} "
            f"(class_names has {num_classes} entries)"
        )


def _read_split(part: list, names: list[str], path: Path, protocol: str) -> np.ndarray:
    """Indices into ``names`` of one split part (members are names or indices)."""
    index = {n: i for i, n in enumerate(names)}
    out = []
    for member in part:
        if isinstance(member, int) and not isinstance(member, bool):
            if not 0 <= member < len(names):
                raise SkeletonDataError(
                    f"{path}: split {protocol!r} index {member} outside 0..{len(names) - 1}"
                )
            out.append(member)
        elif str(member) in index:
            out.append(index[str(member)])
        else:
            raise SkeletonDataError(f"{path}: split {protocol!r} names unknown sample {member!r}")
    return np.array(out, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
def load(root: str | Path, normalize: str | bool | None = None) -> SkeletonDataset:
    """Read a generic-format folder (module docstring) into a :class:`SkeletonDataset`.

    ``normalize``: one of ``skelviz.preprocess.NORMALIZATIONS`` (``True`` / ``False`` mean the
    default / ``"none"``); ``None`` follows the file (``"none"`` when it says ``"normalized":
    true``, else the default). Sequences with fewer persons are zero-padded to the largest M;
    empty ones are dropped (and leave the splits), counted in ``dataset.load_report``.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    folder = Path(root)
    meta = _read_meta(folder)
    meta_path, npz_path = folder / META_FILE, folder / SEQUENCE_FILE
    layout = layout_from_json(meta, str(meta_path))
    names = [str(s["name"]) for s in meta["samples"]]
    if normalize is None:
        normalize = "none" if meta.get("normalized", False) else DEFAULT_NORMALIZATION
    name = str(meta.get("name", folder.name))
    report = LoadReport(name, check_normalization(normalize, name))
    if not npz_path.exists():
        raise FileNotFoundError(f"{npz_path}: not found (a generic dataset needs {SEQUENCE_FILE})")
    arrays = _read_arrays(npz_path, names)
    persons = max((s.shape[0] for s in arrays if s.ndim == 4), default=1)
    sequences, kept = [], []
    for k, (seq, sample) in enumerate(zip(arrays, names)):
        source = f"{npz_path}[{sample}]"
        if seq.ndim == 4 and 0 < seq.shape[0] < persons:
            seq = np.concatenate([seq, np.zeros((persons - seq.shape[0], *seq.shape[1:]),
                                                dtype=np.float32)])  # fmt: skip
        seq = report.prepare(seq, sample, layout, source=source)
        if seq is not None:
            sequences.append(seq)
            kept.append(k)
    new_index = np.full(len(names), -1, dtype=np.int64)
    new_index[kept] = np.arange(len(kept))
    splits = {}
    for protocol, parts in meta.get("splits", {}).items():
        train, test = (_read_split(parts.get(p, []), names, meta_path, protocol)
                       for p in ("train", "test"))  # fmt: skip
        splits[protocol] = (new_index[train][new_index[train] >= 0],
                            new_index[test][new_index[test] >= 0])  # fmt: skip
    samples = [meta["samples"][k] for k in kept]
    return SkeletonDataset(
        name=name,
        layout=layout,
        sequences=sequences,
        labels=[s["label"] for s in samples],
        class_names=tuple(str(c) for c in meta["class_names"]),
        subjects=[s.get("subject", 0) for s in samples],
        views=[s.get("view", 0) for s in samples],
        sample_names=[names[k] for k in kept],
        splits=splits,
        load_report=report,
    )


def _read_arrays(npz_path: Path, names: list[str]) -> list[np.ndarray]:
    """One float32 ``(M, T, V, C)`` array per sample (``(T, V, C)`` gets M = 1), in order."""
    sequences = []
    try:
        with np.load(npz_path, allow_pickle=False) as arrays:
            for name in names:
                if name not in arrays.files:
                    raise SkeletonDataError(f"{npz_path}: no array for sample {name!r}")
                seq = np.asarray(arrays[name], dtype=np.float32)
                sequences.append(seq[None] if seq.ndim == 3 else seq)  # (M, T, V, C)
    except (OSError, ValueError) as err:
        if isinstance(err, SkeletonDataError):
            raise
        raise SkeletonDataError(f"{npz_path}: cannot read ({err})") from None
    return sequences


def save_generic(dataset: SkeletonDataset, folder: str | Path, normalized: bool = True) -> Path:
    """Write ``dataset`` as a generic-format folder; returns the folder.

    ``normalized`` records whether the sequences are already view-normalised (true for every
    skelviz reader's output), so :func:`load` reads them back unchanged. Each file is written to
    a temporary name first and renamed, so an interrupted save never leaves a half file.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    layout = dataset.layout
    meta = {
        "format_version": FORMAT_VERSION,
        "name": dataset.name,
        "layout_name": layout.name,
        "joint_names": list(layout.joint_names),
        "edges": [list(e) for e in layout.edges],
        "center": layout.center,
        "spine": list(layout.spine),
        "shoulders": list(layout.shoulders),
        "left_right_pairs": [list(p) for p in layout.left_right_pairs],
        "normalized": bool(normalized),
        "class_names": list(dataset.class_names),
        "samples": [
            {"name": n, "label": int(y), "subject": int(s), "view": int(v)}
            for n, y, s, v in zip(
                dataset.sample_names, dataset.labels, dataset.subjects, dataset.views
            )
        ],  # fmt: skip
        "splits": {
            p: {
                "train": [dataset.sample_names[i] for i in tr],
                "test": [dataset.sample_names[i] for i in te],
            }
            for p, (tr, te) in dataset.splits.items()
        },  # fmt: skip
    }
    arrays = dict(zip(dataset.sample_names, dataset.sequences))
    write_atomic(folder / SEQUENCE_FILE, lambda f: np.savez_compressed(f, **arrays))
    write_atomic(folder / META_FILE, lambda f: f.write(json.dumps(meta, indent=1).encode()))
    return folder
