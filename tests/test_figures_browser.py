"""Saved and notebook plotly figures in a real browser with the network off.

One headless Chromium per test process, driven over its DevTools pipe (``--remote-debugging-pipe``:
no port, no extra package), opens the figures via ``file://`` with the network emulated offline
and every host name unresolvable; the CDN page of the control test stays blank, which proves it.

Checked: a figure saved by ``save_figure`` draws (plotly's ``main-svg`` layers and the 3D scenes'
WebGL canvases) and its screenshot shows the skeleton's colours; an executed notebook exported to
HTML next to itself draws from ``../figures/plotly.min.js``; a real mouse-wheel event over a 3D
scene scrolls the page and leaves the camera alone; the play / pause buttons and the slider do not
overlap and are not cut off, at two widths.

Skips, with one line saying why, only where Chromium is missing or cannot start headless
(``scripts/test.sh`` installs it where it may).
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from skelviz import viz
from skelviz.paths import output_paths
from skelviz.skeleton import KINECT_V1_20
from skelviz.viz_style import SIDE_COLORS

LAYOUT = KINECT_V1_20
# How many plotly figures drew their SVG layers (class "main-svg").
DRAWN = """[...document.querySelectorAll('.js-plotly-plot')]
    .filter((gd) => gd.querySelector('.main-svg')).length"""
CANVASES = "document.querySelectorAll('.js-plotly-plot .gl-container canvas').length"


def _executable() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


class Chromium:
    """Headless Chromium over the DevTools pipe: commands on fd 3, replies on fd 4, each message
    JSON ended by a NUL byte."""

    def __init__(self, executable: str, profile: Path):
        profile.mkdir(parents=True, exist_ok=True)
        self._log = profile / "chromium.log"  # a file, not a pipe nobody reads while it runs
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()

        def on_fds_3_and_4():  # in the child, before exec; via high fds so neither clobbers
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        with self._log.open("wb") as log:
            self.process = subprocess.Popen(
                [executable, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                 "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
                 "--disable-background-networking", "--remote-debugging-pipe",
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                 f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                close_fds=False, preexec_fn=on_fds_3_and_4,
            )  # fmt: skip
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._id, self.session = b"", 0, None
        try:
            target = self.send("Target.createTarget", url="about:blank", timeout=30)["targetId"]
        except (OSError, EOFError, TimeoutError, RuntimeError) as error:
            self.close()
            raise RuntimeError(f"{error}: {self.last_log_line()}") from error
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for method in ("Page.enable", "Network.enable"):
            self.send(method)
        self.send("Network.emulateNetworkConditions", offline=True, latency=0,
                  downloadThroughput=-1, uploadThroughput=-1)  # fmt: skip

    def last_log_line(self) -> str:
        """The last line Chromium logged, other than its harmless D-Bus complaints."""
        lines = self._log.read_text(errors="replace").splitlines() if self._log.exists() else []
        useful = [line.strip() for line in lines if line.strip() and "dbus" not in line.lower()]
        return useful[-1][:200] if useful else "nothing logged"

    def _message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._replies], [], [], max(deadline - time.time(), 0))
            if not ready:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, timeout: float = 60, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._last_event = reply.get("method")

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)  # fmt: skip
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0):
        """Poll until ``expression`` is truthy; return its last value (falsy after ``timeout``)."""
        deadline = time.time() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.time() > deadline:
                return value
            time.sleep(0.05)

    def open(self, path: Path, width: int = 1000, height: int = 700) -> None:
        """Load ``path`` at a window of ``width`` x ``height`` CSS pixels, up to its load event."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)  # fmt: skip
        self.send("Page.navigate", url=path.as_uri())
        self.wait_for("document.readyState === 'complete'")

    def screenshot(self) -> np.ndarray:
        from PIL import Image

        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._commands, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass  # closed already


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = _executable()
    if executable is None:
        pytest.skip("chromium not installed (scripts/test.sh installs it as root or with sudo)")
    try:
        chromium = Chromium(executable, tmp_path_factory.mktemp("chromium-profile"))
    except (OSError, EOFError, TimeoutError, RuntimeError) as error:
        pytest.skip(f"chromium cannot run headless here: {str(error)[:300]}")
    yield chromium
    chromium.close()


def toy_sequence(frames: int = 12, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(1, frames, LAYOUT.num_joints, 3)) * 0.3).astype(np.float32)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """``{kind: path}`` of two figures saved the way the notebooks save them."""
    paths = output_paths(tmp_path_factory.mktemp("out"))
    seq = toy_sequence(frames=40)
    figures = {
        "animation": viz.animate_skeleton_3d(seq, LAYOUT, max_frames=16),
        "side_by_side": viz.side_by_side_3d(
            {"original": seq, "cropped": seq[:, :25]}, LAYOUT, max_frames=16
        ),
    }
    return {kind: viz.save_figure(fig, kind, paths) for kind, fig in figures.items()}


# --- the figures draw offline --------------------------------------------------------------------
def test_saved_figures_draw_offline_from_the_shared_plotly_js(browser, saved):
    for kind, scenes in (("animation", 1), ("side_by_side", 2)):
        browser.open(saved[kind])
        assert browser.wait_for(f"{CANVASES} >= {scenes} && {DRAWN}"), f"{kind}: nothing drawn"
        assert browser.evaluate("typeof Plotly.version") == "string"


def test_a_cdn_figure_stays_blank_so_the_network_is_really_off(browser, tmp_path):
    path = tmp_path / "cdn.html"
    viz.animate_skeleton_3d(toy_sequence(), LAYOUT).write_html(path, include_plotlyjs="cdn")
    browser.open(path)
    drawn = browser.wait_for(DRAWN, timeout=1.0)
    assert not drawn, "the CDN loaded: the offline checks would prove nothing"
    assert browser.evaluate("typeof Plotly") == "undefined"


def test_an_executed_notebook_exported_to_html_draws_offline(browser, tmp_path):
    """The notebook renderers' output (as a kernel stores it) through nbconvert's HTML exporter,
    written where ``jupyter nbconvert`` puts it: next to the notebook, ``OUTPUT_DIR/notebooks/``."""
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    import plotly.io as pio

    renderer = viz.install_plotly_renderers()
    paths = output_paths(tmp_path / "out")
    fig = viz.animate_skeleton_3d(toy_sequence(), LAYOUT)
    viz.save_figure(fig, "anim", paths)  # as the notebooks do: writes figures/plotly.min.js
    bundles = [pio.renderers._build_mime_bundle(fig.to_dict(), renderers_string=renderer)
               for _ in range(2)]  # two figures sharing one plotly.js  # fmt: skip
    outputs = [nbformat.v4.new_output("display_data", data=bundle) for bundle in bundles]
    cells = [nbformat.v4.new_code_cell("fig", outputs=[output]) for output in outputs]
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nbformat.v4.new_notebook(cells=cells))
    assert "plotly.js v" not in html and len(json.dumps(bundles[0])) < 100_000
    page = paths.notebooks / "00_demo.html"
    page.write_text(html, encoding="utf-8")
    browser.open(page)
    both = f"document.querySelectorAll('.js-plotly-plot').length == 2 && {CANVASES} == 2"
    assert browser.wait_for(f"{both} && {DRAWN} == 2"), "not both figures drew"


def test_screenshot_shows_the_skeleton(browser, saved):
    """Pixels of the 3D scene (right of the legend's swatches): blue and red bones."""
    pytest.importorskip("PIL")
    browser.open(saved["animation"], width=900, height=600)
    assert browser.wait_for(f"{CANVASES} && {DRAWN}")
    pixels = browser.screenshot()[:, 200:].reshape(-1, 3)
    counts = {side: int(np.sum((abs(pixels - _rgb(SIDE_COLORS[side])) < 40).all(axis=1)))
              for side in ("left", "right")}  # fmt: skip
    assert min(counts.values()) > 300, counts


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


# --- the wheel and the controls -------------------------------------------------------------------
CAMERA = """JSON.stringify(document.querySelector('.js-plotly-plot')._fullLayout.scene._scene
    .getCamera().eye)"""
CANVAS_BOX = """(() => { const r = document.querySelector('.gl-container canvas')
    .getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()"""
CONTROLS = """(() => {
  const gd = document.querySelector('.js-plotly-plot');
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  return {figure: box(gd),
          buttons: [...gd.querySelectorAll('.updatemenu-button')].map(box),
          slider: [...gd.querySelectorAll('.slider-group')].map(box),
          value: [...gd.querySelectorAll('.slider-group text.slider-label')]
            .map((t) => t.textContent)};
})()"""


@pytest.mark.parametrize("kind", ["animation", "side_by_side"])
def test_the_mouse_wheel_over_a_3d_scene_scrolls_the_page_and_does_not_zoom(browser, saved, kind):
    browser.open(saved[kind], width=1000, height=500)
    assert browser.wait_for(f"{CANVASES} && {DRAWN}")
    browser.evaluate("document.body.style.minHeight = '3000px'; window.scrollTo(0, 0)")
    eye = browser.evaluate(CAMERA)
    x, y = browser.evaluate(CANVAS_BOX)
    browser.send("Input.dispatchMouseEvent", type="mouseWheel", x=x, y=y, deltaX=0, deltaY=240)
    scrolled = browser.wait_for("window.scrollY > 0", timeout=3.0)
    assert browser.evaluate(CAMERA) == eye, "the wheel zoomed the 3D scene"
    assert scrolled, "the page did not scroll: plotly cancelled the wheel event"


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("kind", ["animation", "side_by_side"])
def test_play_pause_and_the_slider_do_not_overlap_and_fit(browser, saved, kind):
    for width in (620, 1300):
        browser.open(saved[kind], width=width, height=700)
        assert browser.wait_for(f"document.querySelectorAll('.slider-group').length && {DRAWN}")
        report = browser.evaluate(CONTROLS)
        (slider,) = report["slider"]
        assert len(report["buttons"]) == 2 and report["value"], report
        for button in report["buttons"]:
            assert not overlap(button, slider), (width, button, slider)
        figure = report["figure"]
        for part in (*report["buttons"], slider):
            inside = figure[0] <= part[0] and part[2] <= figure[2] + 1 and figure[1] <= part[1]
            assert inside and part[3] <= figure[3] + 1, ("cut off", width, part, figure)
