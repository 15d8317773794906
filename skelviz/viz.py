"""Skeleton figures in one visual language, and :func:`save_figure` for both plotting libraries.

The public entry point for notebooks (house style section 5):

* plotly, interactive (``skelviz.viz3d``): :func:`animate_skeleton_3d`, :func:`side_by_side_3d`;
* matplotlib, static PNG (``skelviz.viz2d``): :func:`skeleton_strip`, :func:`compare_strips`
  (the paper's Figures 2-4), :func:`draw_skeleton_graph`, :func:`class_length_stats`,
  :func:`crop_windows_timeline`;
* colours, camera and equal-aspect boxes: ``skelviz.viz_style``.

:func:`save_figure` writes matplotlib figures as PNG at 150 dpi and plotly figures as HTML that
loads plotly.js from the CDN (a few kB of page, not the ~4 MB library), into
``OUTPUT_DIR/figures/<name>``, atomically, and closes matplotlib figures afterwards.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from skelviz.paths import OutputPaths, output_paths
from skelviz.viz2d import (
    class_length_stats,
    compare_strips,
    crop_windows_timeline,
    draw_skeleton_graph,
    skeleton_strip,
)  # fmt: skip
from skelviz.viz3d import animate_skeleton_3d, side_by_side_3d
from skelviz.viz_style import SIDE_COLORS

__all__ = [
    "SAVE_DPI", "SIDE_COLORS", "save_figure", "animate_skeleton_3d", "side_by_side_3d",
    "skeleton_strip", "compare_strips", "draw_skeleton_graph", "class_length_stats",
    "crop_windows_timeline",
]  # fmt: skip

SAVE_DPI = 150
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# ---------------------------------------------------------------------------------------------
def _atomic_write(target: Path, write) -> None:
    """Call ``write(temp_path)``, then move the temporary file onto ``target``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; figures are ordinary shareable files
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_figure(
    fig, name: str, paths: OutputPaths | str | os.PathLike | None = None, dpi: int = SAVE_DPI
) -> Path:
    """Save ``fig`` as ``figures/<name>.png`` (matplotlib) or ``figures/<name>.html`` (plotly).

    ``paths`` is an :class:`~skelviz.paths.OutputPaths` or an output directory (default
    ``outputs/``). Re-saving under the same name overwrites. A matplotlib figure is closed
    afterwards (it can still be displayed). Returns the written path.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    base = name[:-5] if name.endswith(".html") else name[:-4] if name.endswith(".png") else name
    if not isinstance(name, str) or not _NAME.match(base):
        raise ValueError(f"figure name {name!r}: use letters, digits, '_', '-' (no folders)")
    folder = output_paths(paths).figures
    if _is_plotly(fig):
        target = folder / f"{base}.html"
        _atomic_write(
            target,
            lambda tmp: fig.write_html(
                tmp, include_plotlyjs="cdn", full_html=True, auto_play=False
            ),
        )
        return target
    if _is_matplotlib(fig):
        import matplotlib.pyplot as plt

        target = folder / f"{base}.png"
        _atomic_write(target, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png",
                                                      facecolor="white"))  # fmt: skip
        plt.close(fig)  # releases pyplot-managed figures; a no-op for bare Figure objects
        return target
    raise TypeError(f"save_figure({name!r}): expected a matplotlib or plotly figure, "
                    f"got {type(fig).__name__}")  # fmt: skip


def _is_plotly(fig) -> bool:
    try:
        import plotly.graph_objects as go
    except ImportError:  # pragma: no cover
        return False
    return isinstance(fig, go.Figure)


def _is_matplotlib(fig) -> bool:
    from matplotlib.figure import Figure

    return isinstance(fig, Figure)
