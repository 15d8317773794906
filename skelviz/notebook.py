"""The one setup call at the top of every notebook: validate parameters, seed, pick the device,
configure figures and print an environment banner.

House style section 4 ("Cell 3"): the ``parameters`` cell holds literals only; this module turns
them into a :class:`NotebookContext` with explicit random generators (``torch.Generator`` and
``numpy.random.Generator``, karpathy's makemore style), an output layout (``skelviz.paths``),
the chosen profile (``skelviz.runs.profiles``) and :meth:`NotebookContext.run`, which gives a
notebook a finished run of any task in one call (``ctx.run("pretrain", representations="seq")``).
Unknown values fail here, with the valid ones
listed, before any work is done.

Figures: matplotlib shows inline as PNG only, at a fixed dpi (one format, which nbval ignores).
plotly uses ``skelviz_mimetype+skelviz_html`` (``skelviz.viz.install_plotly_renderers``), chosen
to draw offline without storing the ~4 MB plotly.js in any notebook: the mimetype bundle
(``application/vnd.plotly.v1+json``, with ``scrollZoom`` off) is what JupyterLab draws, with the
plotly.js bundled in its plotly extension, so figures work with no network. plotly's
``notebook_connected`` only added a ``text/html`` part that loads plotly.js from the CDN (for the
classic notebook and nbconvert HTML: blank offline), and ``notebook`` would embed the library in
every executed notebook. ``skelviz_html`` is that HTML part made offline: an executed notebook
exported next to itself (``OUTPUT_DIR/notebooks/NN_*.html``) loads ``../figures/plotly.min.js``,
which :func:`skelviz.viz.save_figure` writes, and the CDN only when that file is missing. The
figure's config and a small script keep the mouse wheel scrolling the page over 3D figures.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

import skelviz
from skelviz.dataset import SkeletonDataset
from skelviz.metrics import record_metrics
from skelviz.paths import REPO_ROOT, OutputPaths, output_paths
from skelviz.runs.device import resolve_device
from skelviz.runs.profiles import Profile, get_profile

__all__ = [
    "INLINE_DPI",
    "PLOTLY_RENDERER",
    "NotebookContext",
    "make_generators",
    "configure_figures",
    "environment_banner",
    "setup_notebook",
]

INLINE_DPI = 100
PLOTLY_RENDERER = "skelviz_mimetype+skelviz_html"  # skelviz.viz.PLOTLY_RENDERER
_NOTEBOOK_PATTERN = re.compile(r"^[0-9]{2}_[a-z0-9_]+$")


def make_generators(seed: int, device: torch.device | str = "cpu"):
    """``(torch.Generator on device, numpy.random.Generator)``, both seeded with ``seed``.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    torch_gen = torch.Generator(device=torch.device(device))
    torch_gen.manual_seed(seed)
    return torch_gen, np.random.default_rng(seed)


def configure_figures(dpi: int = INLINE_DPI) -> str:
    """Inline PNG matplotlib at a fixed dpi (only inside IPython) and the offline plotly renderers
    (``skelviz.viz.install_plotly_renderers``; the module docstring says why these).

    Returns the plotly renderer name. Safe to call outside a notebook (then it only sets plotly).

    Introduced in ``notebooks/00_skeleton_data``.
    """
    import matplotlib
    import plotly.io as pio

    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython ships with the notebook extras
        shell = None
    if shell is not None and hasattr(shell, "run_line_magic"):
        shell.run_line_magic("matplotlib", "inline")
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
        matplotlib.rcParams["figure.dpi"] = dpi
    from skelviz.viz import install_plotly_renderers

    pio.renderers.default = install_plotly_renderers()
    return pio.renderers.default


# ---------------------------------------------------------------------------------------------
@dataclass
class NotebookContext:
    """Everything a notebook needs after its parameters cell, resolved and validated.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    notebook: str
    profile: Profile
    dataset: str
    data_root: str | None
    device: torch.device
    seed: int
    paths: OutputPaths
    torch_generator: torch.Generator = field(repr=False)
    numpy_rng: np.random.Generator = field(repr=False)

    def load_dataset(self, name: str | None = None, **options) -> SkeletonDataset:
        """Load ``name`` (default: the ``DATASET`` parameter) with the profile's reader options.

        ``data_root`` only applies to the notebook's own dataset; ``options`` override the
        profile's.
        """
        from skelviz.readers import load_dataset

        name = self.dataset if name is None else name
        root = self.data_root if name == self.dataset else None
        return load_dataset(name, root, **{**self.profile.reader_options(name), **options})

    def run(self, task: str, *, stop_after: int | None = None, progress: bool = True, **overrides):
        """The finished run of ``task`` with this notebook's profile, dataset, seed and device
        plus ``overrides`` (configuration fields, e.g. ``representations="seq+stg"``, ``epochs=8``):
        reused when it exists under ``OUTPUT_DIR/runs``, else trained (resuming if interrupted).
        Returns a :class:`skelviz.runs.api.RunResult`; ``result.data`` holds the train and test
        sequences it used.
        """
        from skelviz.runs.api import run
        from skelviz.runs.config import resolve_config

        values = {
            "dataset": self.dataset,
            "seed": self.seed,
            "device": str(self.device),
            **overrides,
        }
        config = resolve_config(self.profile.name, **values)
        return run(task, config, data_root=self.data_root, output_dir=self.paths.root,
                   progress=progress, stop_after=stop_after)  # fmt: skip

    def generators(self, offset: int = 0):
        """Fresh ``(torch.Generator, numpy Generator)`` seeded with ``seed + offset``, so that a
        cell can be re-run on its own and draw the same numbers."""
        return make_generators(self.seed + offset, self.device)

    def save_figure(self, fig, name: str) -> Path:
        """``skelviz.viz.save_figure(fig, name, self.paths)``."""
        from skelviz.viz import save_figure

        return save_figure(fig, name, self.paths)

    def record_metrics(self, metrics: dict) -> Path:
        """Write ``metrics/<notebook>.json`` with this run's provenance."""
        return record_metrics(self.paths, self.notebook, metrics, profile=self.profile.name,
                              dataset=self.dataset, seed=self.seed)  # fmt: skip


def environment_banner(context: NotebookContext) -> str:
    """One block of text: versions, device, profile, seed, dataset and output folder.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    import matplotlib
    import plotly

    device = str(context.device)
    if context.device.type == "cuda":
        device += f" ({torch.cuda.get_device_name(context.device)})"
    rows = [
        ("notebook", context.notebook),
        ("skelviz", skelviz.__version__),
        ("python", platform.python_version()),
        ("torch / numpy", f"{torch.__version__} / {np.__version__}"),
        ("matplotlib / plotly", f"{matplotlib.__version__} / {plotly.__version__}"),
        ("device", f"{device}, {torch.get_num_threads()} CPU threads"),
        ("profile", context.profile.name),
        ("seed", str(context.seed)),
        ("dataset", context.dataset + (f" from {context.data_root}" if context.data_root else "")),
        ("outputs", str(context.paths.root)),
    ]
    width = max(len(key) for key, _ in rows)
    return "\n".join(f"{key:<{width}} : {value}" for key, value in rows)


def _resolve_root(data_root: str | os.PathLike | None) -> str | None:
    """``""`` -> None; a relative ``DATA_ROOT`` is taken relative to the repository root, so the
    notebook works the same from JupyterLab (cwd ``notebooks/``) and papermill (any cwd)."""
    if not data_root:
        return None
    path = Path(data_root).expanduser()
    return str(path if path.is_absolute() else (REPO_ROOT / path).resolve())


def setup_notebook(
    profile: str,
    dataset: str,
    data_root: str | os.PathLike | None,
    device: str,
    seed: int,
    output_dir: str | os.PathLike | None,
    notebook: str = "00_skeleton_data",
    quiet: bool = False,
) -> NotebookContext:
    """Validate the notebook parameters and return a ready :class:`NotebookContext`.

    Raises ``ValueError`` listing the valid values for an unknown profile, dataset or device, a
    negative or non-integer seed, or a badly named notebook. Calls ``torch.manual_seed(seed)``
    once, so that modules built without a generator initialise reproducibly; all other
    randomness goes through the returned generators.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    from skelviz.readers import DATASETS

    data_profile = get_profile(profile)
    if dataset not in DATASETS:
        raise ValueError(f"unknown DATASET {dataset!r}; known datasets: {', '.join(DATASETS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"SEED must be a non-negative integer, got {seed!r}")
    if not isinstance(notebook, str) or not _NOTEBOOK_PATTERN.match(notebook):
        raise ValueError(f"notebook name {notebook!r} must look like '00_skeleton_data'")
    resolved_device = resolve_device(device)
    paths = output_paths(output_dir)
    torch.manual_seed(int(seed))  # module initialisation only; data randomness uses generators
    torch_gen, numpy_rng = make_generators(int(seed), resolved_device)
    configure_figures()
    context = NotebookContext(
        notebook=notebook, profile=data_profile, dataset=dataset,
        data_root=_resolve_root(data_root), device=resolved_device, seed=int(seed), paths=paths,
        torch_generator=torch_gen, numpy_rng=numpy_rng,
    )  # fmt: skip
    if not quiet:
        print(environment_banner(context))
    return context
