"""``environment.yml`` (conda) and ``pyproject.toml`` (pip) describe the same environment.

Both list the same packages with the same version ranges, and the torch requirement stays a range
that admits the CPU build ``scripts/setup.sh`` installs (``torch==2.13.0``, locally ``2.13.0+cpu``).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # a papermill dependency
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO_ROOT = Path(__file__).resolve().parents[1]
SETUP_TORCH = re.compile(r"SKELVIZ_TORCH_SPEC:-(torch==[0-9.]+)\}")


def pyproject_requirements() -> dict[str, SpecifierSet]:
    """Runtime plus the notebooks and test extras, as name -> specifier."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [
        line for extra in ("notebooks", "test") for line in project["optional-dependencies"][extra]
    ]
    requirements = [Requirement(line) for line in lines]
    merged: dict[str, SpecifierSet] = {}
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        merged[name] = merged.get(name, SpecifierSet()) & requirement.specifier
    return merged


def conda_requirements() -> tuple[dict[str, SpecifierSet], dict, list[str]]:
    """(name -> specifier over conda and pip entries, the parsed file, pip option lines)."""
    environment = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    entries, options = [], []
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict):
            for line in dependency["pip"]:
                line = line.split(" #")[0].strip()
                (options if line.startswith("-") else entries).append(line)
        else:
            entries.append(dependency)
    specs: dict[str, SpecifierSet] = {}
    for entry in entries:
        if re.fullmatch(r"python=[\d.]+", entry):  # conda's interpreter pin, not a package range
            continue
        requirement = Requirement(entry.split("::")[-1])
        specs[canonicalize_name(requirement.name)] = requirement.specifier
    specs.pop("pip", None)
    return specs, environment, options


def test_same_packages_and_ranges():
    conda, _, _ = conda_requirements()
    pip = pyproject_requirements()
    assert set(conda) == set(pip), (
        f"only in environment.yml: {sorted(set(conda) - set(pip))}; "
        f"only in pyproject.toml: {sorted(set(pip) - set(conda))}"
    )
    different = {
        name: (str(conda[name]), str(pip[name])) for name in pip if conda[name] != pip[name]
    }
    assert not different, f"version ranges differ (environment.yml, pyproject.toml): {different}"


def test_conda_file_shape():
    _, environment, options = conda_requirements()
    assert environment["name"] == "skelviz"
    assert "python=3.11" in environment["dependencies"]
    assert "-e ." in options, "the project itself is installed from the checkout"
    index = [o for o in options if o.startswith("--extra-index-url")]
    assert index and index[0].endswith("/whl/cpu"), "CPU torch wheels by default"


def test_torch_requirement_is_a_range_admitting_the_setup_pin():
    torch = pyproject_requirements()["torch"]
    operators = {spec.operator for spec in torch}
    assert "==" not in operators and "===" not in operators, f"torch must stay a range, got {torch}"
    assert any(op in operators for op in (">=", ">")) and any(op in operators for op in ("<", "<="))
    pin = SETUP_TORCH.search((REPO_ROOT / "scripts" / "setup.sh").read_text())
    assert pin, "scripts/setup.sh no longer pins torch with SKELVIZ_TORCH_SPEC"
    pinned = Version(pin.group(1).removeprefix("torch=="))
    assert pinned == Version("2.13.0"), "the CPU wheel on this machine's disk is 2.13.0"
    for candidate in ("2.13.0", "2.13.0+cpu"):
        assert torch.contains(Version(candidate)), f"{torch} rejects {candidate}"
    assert not torch.contains(Version("1.13.0")) and not torch.contains(Version("3.0.0"))


# --- scripts/setup.sh: the checks that run before anything is installed -------------------------

SETUP = REPO_ROOT / "scripts" / "setup.sh"


def run_setup(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SKELVIZ_VENV": str(tmp_path / "venv"), **env}
    environment.pop("SKELVIZ_FORCE_SETUP", None)
    return subprocess.run(
        ["bash", str(SETUP)], capture_output=True, text=True, env=environment, timeout=60
    )


def test_setup_refuses_old_or_missing_python(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text('#!/bin/sh\ncase "$*" in *version_info*) exit 1;; *) echo 3.9.18;; esac\n')
    old.chmod(0o755)
    result = run_setup(tmp_path, PYTHON=str(old))
    assert (
        result.returncode == 1
        and "needs Python >= 3.10" in result.stderr
        and "3.9.18" in result.stderr
    )
    result = run_setup(tmp_path, PYTHON=str(tmp_path / "absent"))
    assert result.returncode == 1 and "not found" in result.stderr
    assert not (tmp_path / "venv").exists(), "nothing is created when the interpreter is refused"


def fake_venv(tmp_path: Path, stamp: str | None) -> tuple[Path, Path]:
    """A venv whose python only logs its arguments: setup.sh can run without installing anything."""
    venv, log = tmp_path / "venv", tmp_path / "calls.log"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /nowhere\n")
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    python.chmod(0o755)
    if stamp is not None:
        (venv / ".skelviz-setup-stamp").write_text(stamp + "\n")
    return venv, log


def expected_stamp() -> str:
    """sha256 of pyproject.toml followed by the torch pin line, as setup.sh computes it."""
    return hashlib.sha256(
        (REPO_ROOT / "pyproject.toml").read_bytes() + b"torch==2.13.0\n"
    ).hexdigest()


def test_setup_skips_when_the_stamp_matches(tmp_path):
    _, log = fake_venv(tmp_path, expected_stamp())
    result = run_setup(tmp_path, SKELVIZ_TORCH_SPEC="torch==2.13.0")
    assert result.returncode == 0 and "is up to date" in result.stdout, (
        result.stdout + result.stderr
    )
    assert "pip install" not in log.read_text()


def test_setup_installs_torch_first_then_the_project_and_stamps(tmp_path):
    venv, log = fake_venv(tmp_path, "an old hash")
    result = run_setup(tmp_path, SKELVIZ_TORCH_SPEC="torch==2.13.0")
    assert result.returncode == 0, result.stdout + result.stderr
    installs = [line for line in log.read_text().splitlines() if line.startswith("-m pip install")]
    assert len(installs) == 2
    assert installs[0].endswith(" torch==2.13.0")
    assert installs[1].endswith(f"-e {REPO_ROOT}[notebooks,test]")
    assert (venv / ".skelviz-setup-stamp").read_text().strip() == expected_stamp()


def test_setup_refuses_a_folder_that_is_not_a_venv(tmp_path):
    venv, log = fake_venv(tmp_path, None)
    (venv / "pyvenv.cfg").unlink()
    result = run_setup(tmp_path)
    assert result.returncode == 1 and "not a virtual environment" in result.stderr
    assert not log.exists() or "pip install" not in log.read_text()
