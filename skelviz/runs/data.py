"""The data a run reads: the train and test parts of one protocol, with a content fingerprint.

A run is keyed by its configuration *and* by what its data holds (:func:`fingerprint` hashes every
coordinate and label), so fixing a dataset's files gives new runs instead of silently reusing old
ones. The skeleton layout travels with the run as plain values (:func:`layout_to_dict`), so a run
on a dataset skelviz has never seen can be loaded back. Loaded datasets are cached per process,
so the runs of one notebook share one load.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np

from skelviz.dataset import SkeletonDataset
from skelviz.runs.config import Config, ConfigError
from skelviz.skeleton import SkeletonLayout

__all__ = [
    "RunData", "load_run_data", "fingerprint", "validation_split", "layout_to_dict",
    "layout_from_dict",
]  # fmt: skip

_CACHE: dict[tuple, tuple[SkeletonDataset, str]] = {}  # (dataset, its fingerprint)


@dataclass
class RunData:
    """``train`` and ``test`` of ``protocol``, and the fingerprint of the whole dataset."""

    train: SkeletonDataset
    test: SkeletonDataset
    protocol: str
    fingerprint: str
    load_report: dict | None = None  # what the reader kept, dropped and skipped

    @property
    def layout(self) -> SkeletonLayout:
        return self.train.layout

    @property
    def num_persons(self) -> int:
        return self.train.num_persons

    def validation(self) -> tuple[np.ndarray, np.ndarray]:
        """``(gallery, queries)`` indices into ``train``: recipes are chosen on these, not on test.

        See :func:`validation_split`.
        """
        return validation_split(self.train)

    def facts(self) -> dict:
        """What a run records about its data (JSON-safe)."""
        return {
            "dataset": self.train.name.split("[")[0],
            "protocol": self.protocol,
            "fingerprint": self.fingerprint,
            "train_samples": len(self.train),
            "test_samples": len(self.test),
            "num_classes": self.train.num_classes,
            "class_names": list(self.train.class_names),
            "num_persons": self.num_persons,
            "layout": layout_to_dict(self.layout),
            "load_report": self.load_report,
        }


def validation_split(train: SkeletonDataset) -> tuple[np.ndarray, np.ndarray]:
    """A labelled gallery and a query set, both inside a protocol's training part.

    The test part chooses nothing (no epoch, no hyperparameter); recipes are compared on this
    split instead. With two or more camera views in the training part (N-UCLA cross-view: views
    1 and 2), the first view is the gallery and the other views are the queries, a cross-view
    problem like the test. Otherwise the training subjects alternate (sorted ids: 1st, 3rd, ...
    gallery; 2nd, 4th, ... queries), a cross-subject problem. With one view and one subject, the
    samples alternate (a weak split, but the only one there is).
    """
    views, subjects = np.unique(train.views), np.unique(train.subjects)
    if len(views) >= 2:
        in_gallery = train.views == views[0]
    elif len(subjects) >= 2:
        in_gallery = np.isin(train.subjects, subjects[::2])
    else:
        in_gallery = np.arange(len(train)) % 2 == 0
    return np.flatnonzero(in_gallery), np.flatnonzero(~in_gallery)


def fingerprint(dataset: SkeletonDataset) -> str:
    """sha256 (12 hex digits) of every sequence's coordinates, labels and sample names."""
    digest = hashlib.sha256()
    digest.update("\n".join(dataset.sample_names).encode())
    digest.update(dataset.labels.tobytes())
    for seq in dataset.sequences:
        digest.update(str(seq.shape).encode())
        digest.update(seq.tobytes())
    return digest.hexdigest()[:12]


def load_run_data(config: Config, data_root: str | None = None) -> RunData:
    """Load ``config.data.dataset`` (cached per process) and split it by ``config.data.protocol``.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    from skelviz.readers import DATASETS, load_dataset

    name = config.data.dataset
    if name not in DATASETS:
        raise ConfigError(f"dataset: unknown {name!r}; known: {', '.join(DATASETS)}")
    if data_root and DATASETS[name].folder is None and DATASETS[name].env_var is None:
        raise ConfigError(
            f"data root {data_root} given, but dataset {name!r} reads no files; "
            "name the dataset it holds (e.g. --set dataset=nw-ucla)"
        )
    key = (config.data.dataset, config.data.dataset_options, str(data_root or ""))
    if key not in _CACHE:
        options = dict(config.data.dataset_options)
        try:
            dataset = load_dataset(name, data_root or None, **options)
        except (TypeError, ValueError) as err:  # a reader keyword it does not take
            text = str(err)
            if "unexpected keyword" not in text and "unknown option" not in text:
                raise
            raise ConfigError(
                f"dataset_options: the {name} reader does not take {sorted(options)} ({text}); "
                "data/README.md lists each reader's options"
            ) from None
        _CACHE[key] = dataset, fingerprint(dataset)  # hashed once per load, not per run
    dataset, digest = _CACHE[key]
    if config.data.protocol not in dataset.splits:
        raise ConfigError(
            f"protocol: {dataset.name} has no split {config.data.protocol!r}; "
            f"it has {sorted(dataset.splits)}"
        )
    train, test = dataset.split(config.data.protocol)
    report = dataset.load_report.as_dict() if dataset.load_report is not None else None
    return RunData(train, test, config.data.protocol, digest, report)


def layout_to_dict(layout: SkeletonLayout) -> dict:
    """A layout as JSON-safe values."""
    return dataclasses.asdict(layout)


def layout_from_dict(values: dict) -> SkeletonLayout:
    """Inverse of :func:`layout_to_dict` (lists back to tuples)."""

    def tuples(value):
        return tuple(tuples(v) for v in value) if isinstance(value, list) else value

    return SkeletonLayout(**{k: tuples(v) for k, v in values.items()})
