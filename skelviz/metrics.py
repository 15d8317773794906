"""What each notebook measured, as one JSON file per notebook: ``metrics/<notebook>.json``.

A file-based stand-in for recommenders' ``store_metadata`` (house style, section 7): the final
cell of every notebook calls :func:`record_metrics`; CI later reads the files back with
:func:`load_metrics` and checks loose bounds. Files are written atomically
(:mod:`skelviz.atomic`), so a crash never leaves half a file, with sorted keys and
provenance (profile, dataset, seed, skelviz version) beside the numbers.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

import skelviz
from skelviz.atomic import write_json
from skelviz.paths import OutputPaths, output_paths

__all__ = ["to_json_safe", "record_metrics", "load_metrics"]

_NOTEBOOK_NAME = re.compile(r"^[0-9]{2}_[a-z0-9_]+$")


# ---------------------------------------------------------------------------------------------
def to_json_safe(value: Any, where: str = "metrics") -> Any:
    """Recursively turn numpy / torch scalars and arrays, paths and tuples into JSON values.

    Non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"`` (JSON has no NaN);
    anything else unknown raises ``TypeError`` naming the key path.
    """
    if isinstance(value, dict):
        return {str(k): to_json_safe(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_safe(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, np.ndarray):
        return to_json_safe(value.tolist(), where)
    if isinstance(value, Path):
        return str(value)
    if type(value).__module__.startswith("torch") and hasattr(value, "tolist"):
        return to_json_safe(value.detach().cpu().tolist(), where)  # tensors (0-d gives a scalar)
    raise TypeError(f"{where}: cannot store a {type(value).__name__} in metrics JSON")


def record_metrics(
    paths_or_output_dir: OutputPaths | str | os.PathLike | None,
    notebook: str,
    metrics: dict,
    *,
    profile: str | None = None,
    dataset: str | None = None,
    seed: int | None = None,
) -> Path:
    """Write ``metrics/<notebook>.json`` atomically and return its path.

    The file holds ``{"notebook", "provenance": {profile, dataset, seed, skelviz_version},
    "metrics": {...}}`` with sorted keys; re-running overwrites it.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    if not isinstance(notebook, str) or not _NOTEBOOK_NAME.match(notebook):
        raise ValueError(f"notebook name {notebook!r} must look like '00_skeleton_data'")
    if not isinstance(metrics, dict):
        raise TypeError(f"{notebook}: metrics must be a dict, got {type(metrics).__name__}")
    record = {
        "notebook": notebook,
        "provenance": {"profile": profile, "dataset": dataset, "seed": seed,
                       "skelviz_version": skelviz.__version__},
        "metrics": to_json_safe(metrics, f"{notebook}.metrics"),
    }  # fmt: skip
    target = output_paths(paths_or_output_dir).metrics_file(notebook)
    return write_json(target, to_json_safe(record))


def load_metrics(
    paths_or_output_dir: OutputPaths | str | os.PathLike | None, notebook: str
) -> dict:
    """Read back what :func:`record_metrics` wrote (the whole record, provenance included).

    Raises ``FileNotFoundError`` naming the file when the notebook has not recorded anything.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    target = output_paths(paths_or_output_dir).metrics_file(notebook)
    if not target.exists():
        raise FileNotFoundError(f"{target}: no metrics recorded for notebook {notebook!r} yet")
    with open(target, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as err:
            raise ValueError(f"{target}: not valid JSON ({err})") from None
