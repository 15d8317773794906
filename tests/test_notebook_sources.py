"""Each notebook's jupytext source (``notebooks/NN_name.py``, py:percent) and its ``.ipynb`` agree.

The ``.py`` file is the source of truth (reviewed, linted by ruff); the ``.ipynb`` is what
JupyterLab and papermill open. Only what a reader sees is compared: the order, kind, source and
tags of every cell. Outputs and execution counts are ignored, so running a notebook in JupyterLab
(which autosaves its outputs into the ``.ipynb``) does not make this test fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def cells(notebook) -> list[tuple[str, str, tuple[str, ...]]]:
    out = []
    for cell in notebook["cells"]:
        text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        tags = tuple(cell.get("metadata", {}).get("tags", ()))
        out.append((cell["cell_type"], text.strip("\n"), tags))
    return out


def test_every_notebook_has_a_source_and_back():
    assert SOURCES, "no notebooks/NN_*.py sources"
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_source_and_notebook_hold_the_same_cells(source: Path):
    from_source = cells(jupytext.read(source))
    stored = cells(json.loads(source.with_suffix(".ipynb").read_text(encoding="utf-8")))
    differing = [i for i, (a, b) in enumerate(zip(from_source, stored)) if a != b]
    assert len(from_source) == len(stored) and not differing, (
        f"{source.name} and its .ipynb differ ({len(from_source)} vs {len(stored)} cells; "
        f"first differing cell: {differing[:1]}). Edit the .py, then run "
        f"`.venv/bin/jupytext --sync notebooks/{source.name}`."
    )


def test_the_pairing_is_declared():
    config = (NOTEBOOK_DIR / "jupytext.toml").read_text(encoding="utf-8")
    assert 'formats = "ipynb,py:percent"' in config
