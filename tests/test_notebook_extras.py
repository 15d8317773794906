"""The ``notebooks`` extra brings what the notebooks display with: ipywidgets, without which
``tqdm.auto`` (the progress bars of notebooks 04 and 05) prints a red ``TqdmWarning: IProgress not
found`` in JupyterLab and falls back to text bars."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
import yaml  # a papermill dependency
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_ipywidgets_is_in_the_notebooks_extra_and_the_conda_environment():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    extra = [Requirement(line) for line in project["optional-dependencies"]["notebooks"]]
    assert [str(r.specifier) for r in extra if r.name == "ipywidgets"] == [">=8.0"]
    conda = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())["dependencies"]
    assert "ipywidgets>=8.0" in conda


def test_tqdm_finds_ipywidgets_here():
    pytest.importorskip("ipywidgets", reason="ipywidgets not installed: run scripts/setup.sh")
    from tqdm.notebook import IProgress

    assert IProgress is not None, "tqdm.notebook would warn 'IProgress not found'"
    from tqdm import TqdmWarning
    from tqdm.notebook import tqdm as notebook_tqdm

    with warnings.catch_warnings():
        warnings.simplefilter("error", TqdmWarning)
        bar = notebook_tqdm(total=2, disable=False)
        bar.update(2)
        bar.close()
