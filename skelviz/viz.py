"""Skeleton figures in one visual language, and :func:`save_figure` for both plotting libraries.

The public entry point for notebooks (house style section 5):

* plotly, interactive (``skelviz.viz3d``): :func:`animate_skeleton_3d`, :func:`side_by_side_3d`;
* matplotlib, static PNG (``skelviz.viz2d``): :func:`skeleton_strip`, :func:`compare_strips`
  (the paper's Figures 2-4), :func:`draw_skeleton_graph`, :func:`class_length_stats`,
  :func:`crop_windows_timeline`;
* colours, camera and equal-aspect boxes: ``skelviz.viz_style``.

:func:`save_figure` writes matplotlib figures as PNG at 150 dpi and plotly figures as HTML that
loads plotly.js from ``plotly.min.js`` beside it (``include_plotlyjs="directory"``: one shared copy
of the ~4 MB library per ``figures/`` folder, each page a few kB), so a saved figure opens from disk
without a network; everything goes into ``OUTPUT_DIR/figures/<name>``, atomically, and matplotlib
figures are closed afterwards. ``figures/plotly.min.js`` is rewritten when the installed plotly
ships another plotly.js version.

Plotly figures are shown and saved with ``PLOTLY_CONFIG`` (``skelviz.viz_style``: no scroll zoom)
plus :data:`WHEEL_SCROLLS_PAGE_JS`: ``scrollZoom: false`` alone stops a 3D scene from zooming, but
plotly.js's 3D camera still cancels every wheel event over the scene, so the page would not scroll
either. The script lets such events through to the page, for figures whose config turned scroll
zoom off. :func:`install_plotly_renderers` registers the notebook renderers (see
``skelviz.notebook.configure_figures``).

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from plotly.io.base_renderers import MimetypeRenderer, PlotlyRenderer

from skelviz.atomic import write_atomic
from skelviz.paths import OutputPaths, output_paths
from skelviz.viz2d import (
    class_length_stats,
    compare_strips,
    crop_windows_timeline,
    draw_skeleton_graph,
    skeleton_strip,
)  # fmt: skip
from skelviz.viz3d import animate_skeleton_3d, side_by_side_3d
from skelviz.viz_style import PLOTLY_CONFIG, SIDE_COLORS

__all__ = [
    "SAVE_DPI", "SIDE_COLORS", "PLOTLY_CONFIG", "PLOTLYJS_FILE", "NOTEBOOK_PLOTLYJS_SRC",
    "PLOTLY_RENDERER", "WHEEL_SCROLLS_PAGE_JS", "save_figure", "write_plotlyjs",
    "install_plotly_renderers", "animate_skeleton_3d", "side_by_side_3d", "skeleton_strip",
    "compare_strips", "draw_skeleton_graph", "class_length_stats", "crop_windows_timeline",
]  # fmt: skip

SAVE_DPI = 150
PLOTLYJS_FILE = "plotly.min.js"  # in figures/, shared by every saved HTML figure
# Where an executed notebook's HTML export (OUTPUT_DIR/notebooks/NN_*.html) finds that file.
NOTEBOOK_PLOTLYJS_SRC = f"../figures/{PLOTLYJS_FILE}"
PLOTLY_RENDERER = "skelviz_mimetype+skelviz_html"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# Installed once per page (idempotent): a wheel event over a 3D scene whose figure has scroll zoom
# off stops at the window, in the capture phase, before plotly's camera can cancel it; the
# browser then scrolls the page. Other figures, and 2D subplots, keep plotly's behaviour.
WHEEL_SCROLLS_PAGE_JS = """\
if (!window.skelvizWheelScrollsPage) {
  window.skelvizWheelScrollsPage = true;
  window.addEventListener("wheel", function (event) {
    var target = event.target;
    var plot = target && target.closest ? target.closest(".js-plotly-plot") : null;
    if (!plot || !target.closest(".gl-container")) return;
    var context = plot._context || {};
    var off = context._scrollZoom ? !context._scrollZoom.gl3d : context.scrollZoom === false;
    if (off) event.stopPropagation();
  }, true);
}"""


# ---------------------------------------------------------------------------------------------
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
        write_plotlyjs(folder)  # first, so write_html's "directory" mode finds it in place
        html = fig.to_html(
            include_plotlyjs="directory", full_html=True, auto_play=False,
            config=dict(PLOTLY_CONFIG), post_script=[WHEEL_SCROLLS_PAGE_JS],
        )  # fmt: skip
        write_atomic(target, lambda handle: handle.write(html.encode("utf-8")))
        return target
    if _is_matplotlib(fig):
        import matplotlib.pyplot as plt

        target = folder / f"{base}.png"
        write_atomic(target, lambda handle: fig.savefig(handle, dpi=dpi, format="png",
                                                        facecolor="white"))  # fmt: skip
        plt.close(fig)  # releases pyplot-managed figures; a no-op for bare Figure objects
        return target
    raise TypeError(f"save_figure({name!r}): expected a matplotlib or plotly figure, "
                    f"got {type(fig).__name__}")  # fmt: skip


def write_plotlyjs(folder: str | os.PathLike) -> Path:
    """``folder/plotly.min.js``: the installed plotly's plotly.js, written atomically when missing
    or of another version (its first line names the version). Returns the path."""
    from plotly.offline import get_plotlyjs

    target = Path(folder) / PLOTLYJS_FILE
    script = get_plotlyjs()
    header = script[:200].encode()
    if target.is_file():
        with open(target, "rb") as stored:
            if stored.read(len(header)) == header and target.stat().st_size == len(script.encode()):
                return target
    write_atomic(target, lambda handle: handle.write(script.encode("utf-8")))
    return target


# ---------------------------------------------------------------------------------------------
def install_plotly_renderers() -> str:
    """Register the two notebook renderers of :data:`PLOTLY_RENDERER` with plotly and return that
    renderer string (``skelviz.notebook.configure_figures`` makes it the default).

    * ``skelviz_mimetype``: ``application/vnd.plotly.v1+json`` with ``PLOTLY_CONFIG``; JupyterLab
      (and Notebook 7, VS Code) draw it with their own bundled plotly.js, offline.
    * ``skelviz_html``: ``text/html`` for HTML exports of executed notebooks (nbconvert, nbviewer),
      which cannot draw the JSON: the figure plus a loader for plotly.js that tries
      ``../figures/plotly.min.js`` (where it is for ``OUTPUT_DIR/notebooks/NN_*.html``), then the
      CDN. Never the library itself, so a stored notebook stays small. Its activation (the first
      figure after ``pio.renderers.default`` is set) displays :data:`WHEEL_SCROLLS_PAGE_JS` once.
      JupyterLab runs that script for trusted outputs (cells run in the session; a saved notebook
      after *Trust Notebook*), so the wheel scrolls the notebook over 3D figures. In an untrusted
      notebook (e.g. one executed by papermill, opened from ``outputs/``) the figures still draw
      and do not zoom on the wheel, which then does nothing over a 3D scene.
    """
    import plotly.io as pio

    pio.renderers["skelviz_mimetype"] = PlotlyRenderer(config=dict(PLOTLY_CONFIG))
    pio.renderers["skelviz_html"] = _NotebookHtmlRenderer(config=dict(PLOTLY_CONFIG))
    return PLOTLY_RENDERER


def _plotlyjs_loader(src: str) -> str:
    """An inline script that, while the page is still being parsed and plotly.js is not loaded
    yet, writes a ``<script src=...>`` for it (parser-blocking, so it runs before the figure)."""
    tag = f'<script charset="utf-8" src="{src}"><\\/script>'
    return (f"<script>if (!window.Plotly && document.readyState === 'loading') "
            f"{{ document.write('{tag}'); }}</script>")  # fmt: skip


class _NotebookHtmlRenderer(MimetypeRenderer):
    """``text/html`` of a figure: plotly.js loaders, the wheel script and the figure, never the
    library (built with the public ``plotly.io.to_html``, the same in plotly 5 to 7)."""

    def __init__(self, config=None):
        self.config = dict(config or {})

    def activate(self):
        try:
            from IPython.display import display_html
        except ImportError:  # pragma: no cover - IPython ships with the notebook extras
            return
        display_html(_script(WHEEL_SCROLLS_PAGE_JS), raw=True)  # text/html only, like plotly's

    def to_mimebundle(self, fig_dict):
        import plotly.io as pio
        from plotly.offline import get_plotlyjs_version

        cdn = f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"
        figure = pio.to_html(fig_dict, config=self.config, auto_play=False, include_plotlyjs=False,
                             full_html=False, default_width="100%", default_height=525,
                             validate=False)  # fmt: skip
        loaders = "".join(_plotlyjs_loader(src) for src in (NOTEBOOK_PLOTLYJS_SRC, cdn))
        return {"text/html": loaders + _script(WHEEL_SCROLLS_PAGE_JS) + figure}


def _script(js: str) -> str:
    return f"<script>\n{js}\n</script>"


def _is_plotly(fig) -> bool:
    try:
        import plotly.graph_objects as go
    except ImportError:  # pragma: no cover
        return False
    return isinstance(fig, go.Figure)


def _is_matplotlib(fig) -> bool:
    from matplotlib.figure import Figure

    return isinstance(fig, Figure)
