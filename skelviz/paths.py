"""Where every notebook writes its outputs: one layout for the whole series.

``OUTPUT_DIR`` (a notebook parameter; relative paths resolve against the repository root) holds

    figures/                  PNG (matplotlib) and HTML (plotly, plotly.js from the CDN)
    metrics/<notebook>.json   what each notebook measured (``skelviz.metrics``)
    runs/<task>/<name>-<key>/  one folder per run (``skelviz.runs.store``)
    notebooks/                executed notebooks, written by the runner (papermill)

No timestamps in any name: re-running a notebook overwrites its own files and nothing else.
Generated folders are gitignored.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["REPO_ROOT", "DEFAULT_OUTPUT_DIR", "OutputPaths", "output_paths", "resolve_output_dir"]

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT_DIR = "outputs"


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutputPaths:
    """The output folders of one run; all exist once :func:`output_paths` returns.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    root: Path
    figures: Path
    metrics: Path
    runs: Path
    notebooks: Path

    def metrics_file(self, notebook: str) -> Path:
        """``metrics/<notebook>.json``."""
        return self.metrics / f"{notebook}.json"


def resolve_output_dir(output_dir: str | os.PathLike | None) -> Path:
    """Absolute output root: ``None`` or ``""`` mean ``outputs/``; relative paths hang off the repo.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    raw = DEFAULT_OUTPUT_DIR if output_dir is None or str(output_dir) == "" else output_dir
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def output_paths(output_dir: str | os.PathLike | OutputPaths | None = None) -> OutputPaths:
    """Create (if needed) and return the output folders under ``output_dir``.

    Raises ``NotADirectoryError`` naming the path when a regular file sits where a folder goes.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    if isinstance(output_dir, OutputPaths):
        return output_dir
    root = resolve_output_dir(output_dir)
    paths = OutputPaths(
        root=root,
        figures=root / "figures",
        metrics=root / "metrics",
        runs=root / "runs",
        notebooks=root / "notebooks",
    )
    for folder in (paths.root, paths.figures, paths.metrics, paths.runs, paths.notebooks):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"output folder {folder} exists but is not a directory")
        folder.mkdir(parents=True, exist_ok=True)
    return paths
