"""Notebook hygiene: every stored notebook follows the house conventions (house style §4, §7.1).

Reads each ``notebooks/*.ipynb`` as JSON, never executes it: the name, the title cell, one
literal-only ``parameters`` cell that papermill can override, no GPU-only calls or network access,
the ``python3`` kernel, and stored stripped and small. Also checks ``scripts/strip_notebooks.py`` on
notebooks written here.
"""

from __future__ import annotations

import ast
import io
import json
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import strip_notebooks as strip_script  # noqa: E402  (scripts/ is not a package)

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
REQUIRED_PARAMETERS = ("PROFILE", "DATASET", "DATA_ROOT", "DEVICE", "SEED", "OUTPUT_DIR")
FORBIDDEN_CODE = {
    ".cuda() (use .to(device))": re.compile(r"\.cuda\(\)"),
    "pip/conda install in a notebook": re.compile(r"^\s*[!%]\s*(pip|conda|mamba)\b", re.M),
    "shell download": re.compile(r"^\s*!\s*(wget|curl)\b", re.M),
    "urllib": re.compile(r"\burllib\b|\burlopen\b|\burlretrieve\b"),
    "requests": re.compile(r"^\s*(import|from)\s+requests\b|\brequests\.(get|post)\(", re.M),
    "download_dataset (notebooks never fetch data)": re.compile(r"\bdownload_dataset\("),
}
MAX_BYTES = 100_000


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def load(path: Path) -> dict:
    """The notebook as git stores it (its staged version): a copy a student ran in JupyterLab,
    outputs autosaved into the working tree, is theirs and does not fail these checks."""
    return json.loads(strip_script.stored_text(path))


def parameters_cells(notebook: dict) -> list[tuple[int, dict]]:
    return [
        (i, c)
        for i, c in enumerate(notebook["cells"])
        if "parameters" in c.get("metadata", {}).get("tags", [])
    ]


def literal_value(node: ast.expr):
    """The value of a str/int/float/bool/None literal (also negative numbers); else ValueError."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -literal_value(node.operand)
    if isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, (str, int, float))
    ):
        return node.value
    raise ValueError(f"not a literal: {ast.unparse(node)}")


def parse_parameters(text: str) -> dict:
    """The names and values a parameters cell assigns; AssertionError on anything but
    one literal assignment per statement, each line with a trailing comment."""
    values = {}
    for node in ast.parse(text).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, (
            f"only `NAME = literal` statements allowed, got: {ast.unparse(node)}"
        )
        assert isinstance(node.targets[0], ast.Name), f"not a plain name: {ast.unparse(node)}"
        try:
            values[node.targets[0].id] = literal_value(node.value)
        except ValueError as error:
            raise AssertionError(
                f"{node.targets[0].id}: {error} (nothing derived in parameters)"
            ) from None
    commented = {
        tok.start[0]
        for tok in tokenize.generate_tokens(io.StringIO(text).readline)
        if tok.type == tokenize.COMMENT
    }
    for node in ast.parse(text).body:
        assert node.lineno in commented, f"line {node.lineno} needs a short trailing comment"
    return values


# --- The stored notebooks ------------------------------------------------------------------------

notebook_param = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])


@notebook_param
def test_name_is_numbered_snake_case(path):
    assert re.fullmatch(r"\d{2}_[a-z0-9]+(_[a-z0-9]+)*\.ipynb", path.name), path.name


def test_notebook_numbers_are_unique():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), numbers


@notebook_param
def test_valid_nbformat_and_python3_kernel(path):
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.read(path, as_version=4))
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"


@notebook_param
def test_title_cell(path):
    first = load(path)["cells"][0]
    assert first["cell_type"] == "markdown", "the first cell must be markdown"
    text = source(first)
    assert text.startswith(f"# {path.name[:2]} · "), f"title must read '# {path.name[:2]} · Title'"
    assert re.search(r"^>\s*\S", text, re.M), "a one-line blockquote subtitle is missing"
    for heading in ("Learning goals", "Prerequisites", "Runtime"):
        assert heading in text, f"'{heading}' missing from the first cell"
    runtime = text[text.index("Runtime") :]
    for profile in ("ci", "default", "full"):
        assert re.search(rf"\b{profile}\b", runtime), (
            f"Runtime does not mention the {profile} profile"
        )


@notebook_param
def test_parameters_cell(path):
    notebook = load(path)
    cells = parameters_cells(notebook)
    assert len(cells) == 1, f"expected exactly one 'parameters'-tagged cell, found {len(cells)}"
    index, cell = cells[0]
    assert index == 1 and cell["cell_type"] == "code", "the parameters cell must be the second cell"
    values = parse_parameters(source(cell))
    missing = [name for name in REQUIRED_PARAMETERS if name not in values]
    assert not missing, f"parameters missing: {missing}"
    assert values["PROFILE"] == "ci", (
        "PROFILE must default to 'ci' (opening a notebook runs the quick profile)"
    )


@notebook_param
def test_papermill_reads_every_parameter(path):
    """papermill parses the cell line by line with a regex (for ``--help-notebook`` and its
    "unknown parameter" check); an ``=`` inside a trailing comment makes it drop that line."""
    translators = pytest.importorskip("papermill.translators")
    nbformat = pytest.importorskip("nbformat")
    _, cell = parameters_cells(load(path))[0]
    seen = {
        p.name
        for p in translators.PythonTranslator.inspect(nbformat.v4.new_code_cell(source(cell)))
    }
    unread = [
        line
        for line in source(cell).splitlines()
        if re.match(r"\s*([A-Za-z_]\w*)\s*=", line) and line.split("=")[0].strip() not in seen
    ]
    assert not unread, f"papermill cannot read these lines (no '=' in comments, please): {unread}"


@notebook_param
def test_no_gpu_only_or_network_code(path):
    problems = [
        f"cell {i + 1}: {what}"
        for i, cell in enumerate(load(path)["cells"])
        if cell["cell_type"] == "code"
        for what, pattern in FORBIDDEN_CODE.items()
        if pattern.search(source(cell))
    ]
    assert not problems, problems


@notebook_param
def test_stored_stripped_and_small(path):
    notebook = load(path)
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {i + 1} has stored outputs"
            assert cell["execution_count"] is None, f"cell {i + 1} has an execution count"
        assert "injected-parameters" not in cell.get("metadata", {}).get("tags", []), (
            f"cell {i + 1} is papermill's injected cell: "
            "store the source notebook, not an executed one"
        )
    size = len(strip_script.stored_text(path).encode("utf-8"))
    assert size < MAX_BYTES, f"{size} bytes"


@notebook_param
def test_last_code_cell_records_metrics(path):
    code = [source(c) for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert "record_metrics(" in code[-1], "the final code cell must call record_metrics"


# --- The parameters parser itself -----------------------------------------------------------------


def test_papermill_check_catches_an_equals_sign_in_a_comment(tmp_path):
    path = tmp_path / "00_x.ipynb"
    write_executed_notebook(path)
    test_papermill_reads_every_parameter(path)  # "SEED = 0  # seed" is readable
    notebook = load(path)
    notebook["cells"][1]["source"] = ["SEED = 0  # 0 = fixed"]
    path.write_text(json.dumps(notebook))
    with pytest.raises(AssertionError, match="0 = fixed"):
        test_papermill_reads_every_parameter(path)


def test_parse_parameters_accepts_literals_with_comments():
    text = 'PROFILE = "ci"  # size\nSEED = -3  # seed\nLR = 1e-3  # rate\nFLAG = True  # on\n'
    assert parse_parameters(text) == {"PROFILE": "ci", "SEED": -3, "LR": 1e-3, "FLAG": True}


@pytest.mark.parametrize(
    "text",
    [
        "FRAMES = 2 * 32  # derived\n",
        "import os  # no\n",
        "A = B = 1  # chained\n",
        'PATH = OUTPUT_DIR + "/x"  # derived\n',
        'PROFILE = "ci"\n',  # no trailing comment
    ],
)
def test_parse_parameters_rejects_everything_else(text):
    with pytest.raises(AssertionError):
        parse_parameters(text)


# --- scripts/strip_notebooks.py -------------------------------------------------------------------


def write_executed_notebook(path: Path) -> None:
    """An executed-looking notebook: outputs, counts, papermill metadata, embedded plotly.js."""
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "papermill": {"duration": 1.5},
        },
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# 00 · T"]},
            {
                "cell_type": "code",
                "id": "b",
                "execution_count": 3,
                "metadata": {"tags": ["parameters"], "execution": {"iopub.status.busy": "2026"}},
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/html": ["<script>/** plotly.js v5.24.1 */</script>"]},
                    }
                ],
                "source": ["SEED = 0  # seed"],
            },
        ],
    }
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def run_strip(*args: str) -> subprocess.CompletedProcess:
    script = REPO_ROOT / "scripts" / "strip_notebooks.py"
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)


def test_strip_check_reports_then_strip_cleans(tmp_path):
    path = tmp_path / "00_x.ipynb"
    write_executed_notebook(path)
    before = path.read_text()

    check = run_strip("--check", str(tmp_path))
    assert check.returncode == 1
    assert str(path) in check.stdout
    for reason in ("outputs", "execution counts", "plotly.js", "'papermill'", "'execution'"):
        assert reason in check.stdout, reason
    assert path.read_text() == before, "--check must not modify the file"

    assert run_strip(str(path)).returncode == 0
    stripped = load(path)
    code = stripped["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert code["metadata"] == {"tags": ["parameters"]}, "tags are kept, volatile metadata dropped"
    assert (
        "papermill" not in stripped["metadata"]
        and stripped["metadata"]["kernelspec"]["name"] == "python3"
    )
    assert [c["source"] for c in stripped["cells"]] == [["# 00 · T"], ["SEED = 0  # seed"]]

    assert run_strip("--check", str(tmp_path)).returncode == 0
    after = path.read_text()
    assert run_strip(str(path)).returncode == 0 and path.read_text() == after, (
        "stripping is idempotent"
    )


def test_strip_reports_unreadable_notebook(tmp_path):
    path = tmp_path / "01_broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    result = run_strip("--check", str(path))
    assert result.returncode == 1 and "01_broken.ipynb" in result.stderr


def test_a_notebook_a_student_ran_does_not_fail_the_stored_checks(tmp_path):
    """JupyterLab autosaves outputs into the working tree; what git stores is still checked."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    path = tmp_path / "00_x.ipynb"
    write_executed_notebook(path)
    assert run_strip(str(path)).returncode == 0  # the stored copy: stripped
    subprocess.run(["git", "-C", str(tmp_path), "add", path.name], check=True)
    write_executed_notebook(path)  # the student's session: outputs in the working tree
    assert run_strip("--check", str(path)).returncode == 1  # the working tree has outputs
    assert run_strip("--check", "--stored", str(path)).returncode == 0  # what git stores has none
    assert strip_script.stored_text(path) != path.read_text()
    subprocess.run(["git", "-C", str(tmp_path), "add", path.name], check=True)  # staged: caught
    assert run_strip("--check", "--stored", str(path)).returncode == 1
