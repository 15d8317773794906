"""Dataset readers: every public skeleton dataset -> one :class:`skelviz.dataset.SkeletonDataset`.

Each reader module exposes ``load(root, **options) -> SkeletonDataset`` and returns sequences in
the canonical ``(M, T, V, C)`` layout, already view-normalised (``skelviz.preprocess``).
:func:`load_dataset` is the single entry point the notebooks use: it resolves the data folder
(argument, environment variable, ``data/``, then ``../shared/data`` beside the checkout), gives
a clear error when nothing is found (saying how to get the dataset), and prints the load's
one-line report (:mod:`skelviz.readers.load_report`: what was kept, dropped and skipped).

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from skelviz.dataset import SkeletonDataset
from skelviz.readers.load_report import announce

__all__ = ["DATASETS", "DatasetInfo", "how_to_get", "load_dataset", "resolve_data_root"]

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DatasetInfo:
    """Where a dataset's reader lives and where its files are looked for."""

    module: str  # skelviz.readers.<module>
    folder: str | None  # default folder name under a data directory; None = needs no files
    env_var: str | None  # environment variable holding the folder


DATASETS: dict[str, DatasetInfo] = {
    "synthetic": DatasetInfo("synthetic", None, None),
    "nw-ucla": DatasetInfo("nucla", "nw-ucla", "SKELVIZ_NW_UCLA"),
    "utkinect": DatasetInfo("utkinect", "utkinect-action3d", "SKELVIZ_UTKINECT"),
    "ntu60": DatasetInfo("ntu", "ntu60", "SKELVIZ_NTU60"),
    "ntu120": DatasetInfo("ntu", "ntu120", "SKELVIZ_NTU120"),
    "pku-mmd": DatasetInfo("pku", "pku-mmd", "SKELVIZ_PKU_MMD"),
    "generic": DatasetInfo("generic", None, "SKELVIZ_GENERIC"),
}


def resolve_data_root(name: str, data_root: str | os.PathLike | None = None) -> Path | None:
    """The folder holding dataset ``name``'s files, searched in this order:

    1. ``data_root`` when given (an empty string counts as not given);
    2. the dataset's environment variable (``SKELVIZ_NW_UCLA``, ...);
    3. ``$SKELVIZ_DATA/<folder>``;
    4. ``<repo>/data/<folder>``;
    5. ``<repo>/../shared/data/<folder>`` (where CI finds the recorded datasets).

    Returns ``None`` for a dataset that needs no files. Raises ``FileNotFoundError`` listing every
    place it looked.
    """
    info = _info(name)
    if data_root:
        path = Path(data_root).expanduser()
        if not path.exists():
            raise FileNotFoundError(
                f"{name}: data root {path} does not exist. {how_to_get(name, path)}"
            )
        return path
    candidates: list[Path] = []
    if info.env_var and os.environ.get(info.env_var):
        candidates.append(Path(os.environ[info.env_var]).expanduser())
    if info.folder is None:
        if candidates and candidates[0].exists():
            return candidates[0]
        if info.env_var is None:
            return None
    else:
        if os.environ.get("SKELVIZ_DATA"):
            candidates.append(Path(os.environ["SKELVIZ_DATA"]).expanduser() / info.folder)
        candidates.append(REPO_ROOT / "data" / info.folder)
        candidates.append(REPO_ROOT.parent / "shared" / "data" / info.folder)
    for path in candidates:
        if path.exists():
            return path
    looked = ", ".join(str(p) for p in candidates) or "(nowhere: pass DATA_ROOT)"
    hint = f" or set {info.env_var}" if info.env_var else ""
    target = REPO_ROOT / "data" / info.folder if info.folder else None
    raise FileNotFoundError(
        f"{name}: dataset files not found; looked in {looked}. Pass DATA_ROOT{hint}. "
        f"{how_to_get(name, target)}"
    )


def how_to_get(name: str, dest: str | os.PathLike | None = None) -> str:
    """One sentence on getting dataset ``name``: the download helper for the public ones (into
    ``dest``), the registration page for the others, the converter for ``generic``."""
    from skelviz.download import REGISTRATION, SOURCES

    if name in SOURCES:
        dest = dest or f"data/{_info(name).folder}"
        return (
            f'To get it: python -c "from skelviz.download import download_dataset; '
            f"download_dataset('{name}', '{dest}')\" (data/README.md, 'Downloading')."
        )
    if name in REGISTRATION:
        return f"To get it: {REGISTRATION[name]}."
    if name == "generic":
        return (
            "Convert your data with skelviz.readers.generic.save_generic, or write dataset.json "
            "and sequences.npz by hand (data/README.md, 'Generic format'; data/examples/)."
        )
    return "data/README.md says where to get the files."


def load_dataset(
    name: str, data_root: str | os.PathLike | None = None, **options
) -> SkeletonDataset:
    """Load dataset ``name`` (a key of :data:`DATASETS`) with reader-specific ``options``."""
    info = _info(name)
    module = importlib.import_module(f"skelviz.readers.{info.module}")
    root = resolve_data_root(name, data_root)
    if info.module == "ntu":
        options.setdefault("variant", name)
    dataset = module.load(root, **options)
    announce(dataset.load_report)
    return dataset


def _info(name: str) -> DatasetInfo:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; known: {sorted(DATASETS)}") from None
