"""Write a stripped notebook from a list of (kind, source) cells, reproducibly.

Used by ``build_00.py`` and ``build_01.py``: the scripts are the source of notebooks 00 and 01;
edit a script, then run it with the project's Python to overwrite ``notebooks/NN_*.ipynb``
(stored stripped: no outputs). Cell ids are derived from the cell position, so rebuilding an
unchanged script gives a byte-identical file.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat

NOTEBOOK_DIR = Path(__file__).resolve().parents[1]


def md(text: str) -> tuple[str, str]:
    return ("markdown", dedent(text).strip("\n"))


def code(text: str, tags: tuple[str, ...] = ()) -> tuple[str, str, tuple[str, ...]]:
    return ("code", dedent(text).strip("\n"), tags)


def build(name: str, cells: list[tuple]) -> Path:
    """Write ``notebooks/<name>.ipynb`` (no outputs, python3 kernel) and return its path."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for index, cell in enumerate(cells):
        cell_id = f"{name[:2]}-{index:02d}"
        if cell[0] == "markdown":
            notebook.cells.append(nbformat.v4.new_markdown_cell(cell[1], id=cell_id))
        else:
            new = nbformat.v4.new_code_cell(cell[1], id=cell_id)
            if cell[2]:
                new.metadata["tags"] = list(cell[2])
            notebook.cells.append(new)
    nbformat.validate(notebook)
    path = NOTEBOOK_DIR / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path
