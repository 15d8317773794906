"""Keep stored notebooks stripped: no outputs, no execution counts, no volatile metadata.

    python scripts/strip_notebooks.py              # strip notebooks/*.ipynb in place
    python scripts/strip_notebooks.py --check      # report what would change; exit 1 if anything
    python scripts/strip_notebooks.py --check --stored   # check what git stores (the index), not
                                                         # the working tree a student ran
    python scripts/strip_notebooks.py a.ipynb b/   # given files or folders

A stored notebook carries only what a reader needs: sources, tags and the kernelspec. Executed
outputs live in ``outputs/<profile>-<dataset>/notebooks/`` (see ``scripts/run_notebooks.py``);
plotly.js (about 3 MB) must never end up in the repository. The fastai/nbdev "clean, then
``git status`` must be empty" gate, as a script with no dependency beyond the standard library.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Cell metadata written by Jupyter, papermill or editors on execution or display.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "papermill", "collapsed", "scrolled")
VOLATILE_NOTEBOOK_METADATA = ("papermill", "widgets", "toc", "varInspector", "vscode")
PLOTLY_MARKERS = ("plotly.js v", "Plotly.newPlot", "window.PlotlyConfig")


# --- Stripping ----------------------------------------------------------------------------------


def strip(notebook: dict) -> tuple[dict, list[str]]:
    """A stripped copy of ``notebook`` (parsed JSON) and the reasons it differed from it."""
    reasons: set[str] = set()
    text = json.dumps(notebook)
    if any(marker in text for marker in PLOTLY_MARKERS):
        reasons.add("embeds plotly.js")
    clean = json.loads(text)
    for cell in clean.get("cells", []):
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                reasons.add("outputs")
            if cell.get("execution_count") is not None:
                reasons.add("execution counts")
            cell["outputs"] = []
            cell["execution_count"] = None
        metadata = cell.get("metadata", {})
        for key in VOLATILE_CELL_METADATA:
            if key in metadata:
                reasons.add(f"cell metadata '{key}'")
                del metadata[key]
    metadata = clean.get("metadata", {})
    for key in VOLATILE_NOTEBOOK_METADATA:
        if key in metadata:
            reasons.add(f"notebook metadata '{key}'")
            del metadata[key]
    return clean, sorted(reasons)


def serialise(notebook: dict) -> str:
    """The notebook as Jupyter writes it (indent 1, sorted keys, trailing newline)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def stored_text(path: Path) -> str:
    """What git stores for ``path`` (its staged version), else the file itself.

    Running a notebook in JupyterLab autosaves its outputs into the working tree's ``.ipynb``;
    that is the student's copy, not what the repository stores, so checks read the index.
    """
    path = Path(path).resolve()
    try:
        done = subprocess.run(
            ["git", "show", f":./{path.name}"], cwd=path.parent, capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is not None and done.returncode == 0:
        return done.stdout.decode("utf-8")
    return path.read_text(encoding="utf-8")


def find_notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for given in paths or [str(REPO_ROOT / "notebooks")]:
        path = Path(given)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.exists():
            found.append(path)
        else:
            raise SystemExit(f"strip_notebooks: {given} is not a notebook or a folder")
    return found


# --- Command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if unstripped")
    parser.add_argument(
        "--stored", action="store_true", help="with --check: check what git stores (the index)"
    )
    args = parser.parse_args(argv)

    offending: list[str] = []
    unreadable: list[str] = []
    for path in find_notebooks(args.paths):
        try:
            text = stored_text(path) if args.stored else path.read_text(encoding="utf-8")
            notebook = json.loads(text)
        except (OSError, json.JSONDecodeError) as error:
            unreadable.append(f"{path}: not readable as a notebook ({error})")
            continue
        clean, reasons = strip(notebook)
        if not reasons:
            continue
        offending.append(f"{path}: {', '.join(reasons)}")
        if not args.check:
            temporary = path.with_suffix(".ipynb.tmp")
            temporary.write_text(serialise(clean), encoding="utf-8")
            temporary.replace(path)
    for line in unreadable:
        print(f"strip_notebooks: {line}", file=sys.stderr)
    if args.check and offending:
        print(
            "Notebooks stored with outputs or volatile metadata "
            "(fix: python scripts/strip_notebooks.py):"
        )
        print("\n".join(f"  {line}" for line in offending))
        return 1
    for line in offending:
        print(f"stripped {line}")
    return 1 if unreadable else 0


if __name__ == "__main__":
    sys.exit(main())
