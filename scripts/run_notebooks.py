"""Execute the notebook series in order with papermill: the project's main job.

    python scripts/run_notebooks.py                          # default profile, synthetic data
    python scripts/run_notebooks.py --profile ci --only 00,01
    python scripts/run_notebooks.py --dataset nw-ucla --data-root ../shared/data/nw-ucla
    python scripts/run_notebooks.py -p REPRESENTATION stg    # any notebook knob, passed through

Every ``notebooks/NN_*.ipynb`` runs with the parameters ``PROFILE``, ``DATASET``, ``DATA_ROOT``,
``SEED``, ``DEVICE`` and ``OUTPUT_DIR`` (papermill injects them in a cell after the notebook's
``parameters`` cell), with the repository root as working directory and the ``python3`` kernel of
this interpreter's environment. Executed notebooks go to ``OUTPUT_DIR/notebooks/``; the notebooks
write their own figures, metrics and checkpoints under the same ``OUTPUT_DIR``. A run summary is
written to ``OUTPUT_DIR/run_summary.json`` (read by ``tests/test_run_notebooks.py``).

All selected notebooks run even when one fails (they are self-sufficient); the exit status is then 1
and the report names each failing notebook and cell. ``--fail-fast`` stops at the first failure.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # skelviz itself, also when the package is not installed
from skelviz.runs.profiles import PROFILES  # noqa: E402  (the one registry; imports nothing heavy)

# executed notebooks also rendered to one offline HTML page beside them (figures embedded)
HTML_REPORTS = ("09_ablations_report",)
STANDARD_PARAMETERS = ("PROFILE", "DATASET", "DATA_ROOT", "SEED", "DEVICE", "OUTPUT_DIR")
NOTEBOOK_NAME = re.compile(r"^(\d{2})_[a-z0-9_]+\.ipynb$")


# --- Command line ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the skelviz notebooks in order with papermill.",
        epilog="Relative paths given on the command line are taken from the current directory.",
    )
    parser.add_argument(
        "--profile", default="default", choices=list(PROFILES), help="(default: default)"
    )
    parser.add_argument("--dataset", default="synthetic", help="dataset name (default: synthetic)")
    parser.add_argument("--data-root", default="", help="folder holding the dataset's files")
    parser.add_argument("--seed", type=int, default=0, help="(default: 0)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N (default: auto)")
    parser.add_argument(
        "--output-dir", default=None, help="(default: outputs/<profile>-<dataset> in the repo)"
    )
    parser.add_argument("--only", default="", help="comma-separated notebook numbers, e.g. 00,01")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="extra notebook parameter; passed to the notebooks that declare KEY",
    )
    parser.add_argument(
        "--cell-timeout",
        type=int,
        default=None,
        help="seconds per cell, 0 = none (default: ci 600, default 3600, full none)",
    )
    parser.add_argument(
        "--kernel", default="python3", help="Jupyter kernel name (default: python3)"
    )
    parser.add_argument(
        "--notebooks-dir", default=str(REPO_ROOT / "notebooks"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--fail-fast", action="store_true", help="stop at the first failing notebook"
    )
    parser.add_argument("--list", action="store_true", help="list the selected notebooks and exit")
    return parser.parse_args(argv)


def parse_value(text: str):
    """A ``-p`` value as a Python literal when it reads as one (``3``, ``1e-3``, ``True``)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, (int, float, bool, str)) or value is None else text


def repo_relative(path: str) -> str:
    """``path`` made absolute (from the current directory), repo-relative inside the repo."""
    absolute = Path(path).expanduser().resolve()
    try:
        return absolute.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(absolute)


# --- Notebooks ---------------------------------------------------------------------------------


def select_notebooks(folder: Path, only: str) -> list[Path]:
    """``NN_*.ipynb`` files of ``folder`` in order, restricted to the numbers in ``only``."""
    notebooks = sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
    if not only:
        return notebooks
    wanted = [n.strip().zfill(2) for n in only.split(",") if n.strip()]
    numbers = {p.name[:2] for p in notebooks}
    unknown = [n for n in wanted if n not in numbers]
    if unknown:
        raise SystemExit(
            f"--only {only}: no notebook numbered {', '.join(unknown)} in {folder} "
            f"(have: {', '.join(sorted(numbers)) or 'none'})"
        )
    return [p for p in notebooks if p.name[:2] in wanted]


def declared_parameters(notebook: Path) -> tuple[int, set[str]]:
    """Index of the ``parameters``-tagged cell and the names it assigns ((-1, set()) if none)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            names = {
                target.id
                for node in ast.parse(source).body
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            return index, names
    return -1, set()


def known_datasets() -> list[str]:
    """Dataset names of the reader registry (empty when skelviz is not importable here)."""
    try:
        from skelviz.readers import DATASETS
    except ImportError:
        return []
    return sorted(DATASETS)


# --- Execution ---------------------------------------------------------------------------------


@dataclass
class Result:
    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    started_at: float  # time.time() when the notebook started
    executed: str  # path of the executed notebook
    error: str = ""


def describe_failure(error: Exception, notebook: Path, params_index: int) -> str:
    """'cell K (In [n]): ExcName: message' with K counted in the source notebook, from 1."""
    cell_index = getattr(error, "cell_index", None)
    if cell_index is None:  # not a cell error (kernel died, timeout, bad notebook)
        last = str(error).strip().splitlines()[-1] if str(error).strip() else ""
        return f"{type(error).__name__}: {last}"
    source_index = cell_index - 1 if 0 <= params_index < cell_index else cell_index
    first_line = next((ln for ln in (error.source or "").splitlines() if ln.strip()), "")
    return (
        f"cell {source_index + 1} (In [{error.exec_count}]) `{first_line.strip()[:60]}`: "
        f"{error.ename}: {str(error.evalue).strip()[:300]}"
    )


# A kernel that dies before its first reply never ran a cell: typically two kernels started at the
# same moment (the test command runs two series side by side) and raced for one TCP port.
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Address already in use")
KERNEL_START_ATTEMPTS = 3


def is_kernel_start_failure(error: BaseException) -> bool:
    return any(text in str(error) for text in KERNEL_START_FAILURES)


# The engine (skelviz.runs.engine) writes a line of progress to this file after every epoch; the
# runner shows it in the terminal while the notebook runs, so a long cell is not a silent one.
PROGRESS_FILE_VARIABLE = "SKELVIZ_PROGRESS_FILE"
PROGRESS_EVERY_S = 2.0  # how often the file is read
PROGRESS_QUIET_S = 30.0  # without a terminal (CI logs), at most one line this often


class ProgressEcho:
    """While a notebook runs, print what the training engine last reported (one line each)."""

    def __init__(self, notebook: str, path: Path, interactive: bool):
        self.notebook, self.path, self.interactive = notebook, path, interactive
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self.path.unlink(missing_ok=True)
        os.environ[PROGRESS_FILE_VARIABLE] = str(self.path)  # the kernel inherits it
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        os.environ.pop(PROGRESS_FILE_VARIABLE, None)
        self.path.unlink(missing_ok=True)

    def _loop(self) -> None:
        last_line, last_time = "", 0.0
        while not self.stop.wait(PROGRESS_EVERY_S):
            try:
                line = self.path.read_text(encoding="utf-8").strip()
            except OSError:
                continue
            quiet_enough = self.interactive or time.monotonic() - last_time >= PROGRESS_QUIET_S
            if line and line != last_line and (quiet_enough or line.endswith("done")):
                print(f"    {self.notebook}: {line}", flush=True)
                last_line, last_time = line, time.monotonic()


def run_notebook(notebook: Path, out: Path, parameters: dict, args, timeout: int) -> Result:
    import papermill  # imported here so --help and --list stay fast

    params_index, _ = declared_parameters(notebook)
    started_at, start = time.time(), time.perf_counter()
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        progress = ProgressEcho(notebook.stem, out.with_suffix(".progress"), sys.stdout.isatty())
        try:
            with progress:
                papermill.execute_notebook(
                    str(notebook),
                    str(out),
                    parameters=parameters,
                    kernel_name=args.kernel,
                    cwd=str(REPO_ROOT),
                    execution_timeout=timeout or None,
                    progress_bar=False,
                    request_save_on_cell_execute=True,
                    # The kernel's own log: errors only (ipykernel warns about TCP on every start).
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
        except Exception as error:  # papermill raises PapermillExecutionError for a failing cell
            if is_kernel_start_failure(error) and attempt < KERNEL_START_ATTEMPTS:
                print(
                    f"    {notebook.name}: the kernel did not start ({error}); starting it again",
                    flush=True,
                )
                time.sleep(attempt)
                continue
            message = describe_failure(error, notebook, params_index)
            return Result(
                notebook.name, "failed", time.perf_counter() - start, started_at, str(out), message
            )
        return Result(notebook.name, "ok", time.perf_counter() - start, started_at, str(out))
    raise AssertionError("unreachable: the last attempt returns")


def cpu_times() -> tuple[float, float]:
    """``(total, idle)`` CPU time of all cores since boot, in clock ticks (Linux ``/proc/stat``);
    raises ``OSError`` or ``ValueError`` where there is no such file."""
    with open("/proc/stat") as stat:
        fields = [float(x) for x in stat.readline().split()[1:9]]  # user ... steal (no guest)
    return sum(fields), fields[3] + fields[4]  # idle + iowait


def busy_cores(seconds: float = 0.5) -> float:
    """How many cores other programs keep busy, measured over the next ``seconds``; where that
    cannot be measured, the 1-minute load average (which lags: it still counts a job that ended
    a minute ago)."""
    try:
        total, idle = cpu_times()
        time.sleep(seconds)
        total_after, idle_after = cpu_times()
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else float(os.cpu_count() or 1)
    elapsed = total_after - total
    busy_share = 1 - (idle_after - idle) / elapsed if elapsed > 0 else 1.0
    return (os.cpu_count() or 1) * busy_share


def default_threads(idle_below: float = 0.5) -> str:
    """Torch threads per kernel when the caller did not set ``OMP_NUM_THREADS``: every core when
    the machine is idle (fewer than ``idle_below`` cores busy), else one. The kernels run
    one at a time, so an idle 2-core machine trains about 1.8x faster on two threads; on a busy
    one two threads were measured 5-17x slower per step than one (they wait for each other)."""
    return str(os.cpu_count() or 1) if busy_cores() < idle_below else "1"


# a <script> element that loads code from the network (nbconvert's lab template links require.js,
# MathJax and mermaid on a CDN; the rendered notebooks need none of them)
_NETWORK_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>"
    r"|<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*</script>",
    re.DOTALL,
)


def offline_html(page: str) -> str:
    """``page`` without the <script> elements that fetch code from the network (the page reads
    the same offline: its figures are embedded images and its tables plain HTML)."""
    return _NETWORK_SCRIPT.sub("", page)


def render_html(executed: Path) -> Path:
    """``executed`` (an executed notebook) as ``<same name>.html``: nbconvert's page, matplotlib
    figures embedded as PNG, nothing fetched from the network; written atomically."""
    from nbconvert import HTMLExporter

    from skelviz.atomic import write_atomic

    body, _ = HTMLExporter().from_filename(str(executed))
    text = offline_html(body).encode("utf-8")
    return write_atomic(executed.with_suffix(".html"), lambda handle: handle.write(text))


def write_summary(path: Path, standard: dict, extra: dict, results: list[Result]) -> None:
    """Write the run summary atomically (skelviz's one atomic writer), after every notebook."""
    from skelviz.atomic import write_json

    summary = {"parameters": standard, "extra": extra, "results": [asdict(r) for r in results]}
    write_json(path, summary)


def print_summary(results: list[Result], output_dir: str) -> None:
    width = max([len("notebook")] + [len(r.notebook) for r in results])
    print(f"\n{'notebook':<{width}}  status  wall time")
    print(f"{'-' * width}  ------  ---------")
    for r in results:
        print(f"{r.notebook:<{width}}  {r.status:<6}  {r.seconds:8.1f}s")
    total = sum(r.seconds for r in results)
    print(f"{'total':<{width}}  {'':6}  {total:8.1f}s   outputs in {output_dir}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    notebooks = select_notebooks(Path(args.notebooks_dir), args.only)
    if not notebooks:
        print(f"run_notebooks: no NN_*.ipynb notebooks in {args.notebooks_dir}", file=sys.stderr)
        return 1
    known = known_datasets()
    if known and args.dataset not in known:
        print(
            f"run_notebooks: unknown --dataset {args.dataset!r}; known: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    if args.data_root and not Path(args.data_root).expanduser().exists():
        print(f"run_notebooks: --data-root {args.data_root} does not exist", file=sys.stderr)
        return 2
    output_dir = repo_relative(
        args.output_dir or str(REPO_ROOT / "outputs" / f"{args.profile}-{args.dataset}")
    )
    standard = {
        "PROFILE": args.profile,
        "DATASET": args.dataset,
        "DATA_ROOT": repo_relative(args.data_root) if args.data_root else "",
        "SEED": args.seed,
        "DEVICE": args.device,
        "OUTPUT_DIR": output_dir,
    }
    extra = {key: parse_value(value) for key, value in args.parameter}
    declared = {nb: declared_parameters(nb)[1] for nb in notebooks}
    undeclared = [k for k in extra if not any(k in names for names in declared.values())]
    if undeclared:
        print(
            f"run_notebooks: -p {', '.join(undeclared)}: no selected notebook declares it",
            file=sys.stderr,
        )
        return 2
    if args.list:
        print("\n".join(nb.name for nb in notebooks))
        return 0

    threads = os.environ.setdefault("OMP_NUM_THREADS", default_threads())  # kernels inherit it
    # The python3 kernelspec starts "python" from PATH: make that this environment's interpreter.
    os.environ["PATH"] = os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    )
    timeout = (
        PROFILES[args.profile].cell_timeout if args.cell_timeout is None else args.cell_timeout
    )
    executed_dir = REPO_ROOT / output_dir / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"run_notebooks: {len(notebooks)} notebook(s), {standard}, "
        f"cell timeout {timeout or 'none'}, OMP_NUM_THREADS={threads}"
    )

    results: list[Result] = []
    for number, notebook in enumerate(notebooks, 1):
        parameters = {**standard, **{k: v for k, v in extra.items() if k in declared[notebook]}}
        tag = f"[{number}/{len(notebooks)}] {notebook.name}"
        print(f"{tag} running", flush=True)
        result = run_notebook(notebook, executed_dir / notebook.name, parameters, args, timeout)
        results.append(result)
        print(f"{tag} {result.status} in {result.seconds:.1f} s", flush=True)
        if result.status == "ok" and notebook.stem in HTML_REPORTS:
            print(f"    report: {render_html(executed_dir / notebook.name)}", flush=True)
        write_summary(REPO_ROOT / output_dir / "run_summary.json", standard, extra, results)
        if result.error:
            print(
                f"    FAILED {notebook.name}: {result.error}\n    see {result.executed}", flush=True
            )
            if args.fail_fast:
                break

    print_summary(results, output_dir)
    failed = [r for r in results if r.status != "ok"]
    for r in failed:
        print(f"FAILED {r.notebook}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
