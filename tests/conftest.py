"""Shared pytest fixtures: where the repository and the recorded datasets are.

The real datasets are never part of the repository. Tests that need them find them at
``<repo>/../shared/data`` (where CI lays them beside the checkout) and are skipped when absent, so
the suite passes on a fresh clone without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding ``pyproject.toml``)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data_root() -> Path:
    """``<repo>/../shared/data``; skips the test when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"recorded datasets not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def nucla_root(shared_data_root: Path) -> Path:
    """The N-UCLA folder (holding ``all_sqe/``); skips when absent."""
    path = shared_data_root / "nw-ucla"
    if not (path / "all_sqe").is_dir():
        pytest.skip(f"N-UCLA not found at {path}")
    return path


@pytest.fixture(scope="session")
def utkinect_root(shared_data_root: Path) -> Path:
    """The UTKinect-Action3D folder; skips when absent."""
    path = shared_data_root / "utkinect-action3d"
    if not path.is_dir():
        pytest.skip(f"UTKinect-Action3D not found at {path}")
    return path
