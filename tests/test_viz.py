"""skelviz.viz: plotly animations, matplotlib strips and graphs, and save_figure for both.

Expectations are independent of the drawing code: frame and slider counts from the input shape,
coordinates read back from the traces, colours from the layout's left/right pairs, adjacency from
the edge list, bar heights from ``np.bincount``.
"""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")  # tests only; notebooks use the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from skelviz import viz  # noqa: E402
from skelviz.dataset import SkeletonDataset  # noqa: E402
from skelviz.paths import output_paths  # noqa: E402
from skelviz.skeleton import KINECT_V1_20, NTU25  # noqa: E402
from skelviz.viz_style import SIDE_COLORS, cube_bounds, sample_frames  # noqa: E402

LAYOUT = KINECT_V1_20
NAMES = LAYOUT.joint_names


def toy_sequence(frames: int = 7, persons: int = 1, seed: int = 0) -> np.ndarray:
    """(M, T, V, C) float32 with no zero joint (so every person counts as present)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(persons, frames, LAYOUT.num_joints, 3)) + 3.0).astype(np.float32)


# --- plotly animation -----------------------------------------------------------------------------
def test_one_animation_frame_and_one_slider_step_per_time_step():
    seq = toy_sequence(frames=7)
    fig = viz.animate_skeleton_3d(seq, LAYOUT)
    steps = fig.layout.sliders[0].steps
    assert len(fig.frames) == 7 and len(steps) == 7
    assert (
        [s.args[0][0] for s in steps] == [f.name for f in fig.frames] == [str(t) for t in range(7)]
    )
    assert {b.label for b in fig.layout.updatemenus[0].buttons} == {"play", "pause"}
    assert all(len(f.data) == len(fig.data) == 4 for f in fig.frames), (
        "3 bone traces + 1 joint trace"
    )


def test_frame_traces_hold_that_frames_coordinates():
    seq = toy_sequence(frames=5)
    fig = viz.animate_skeleton_3d(seq, LAYOUT)
    joints = fig.frames[3].data[3]
    assert np.allclose(np.c_[joints.x, joints.y, joints.z], seq[0, 3], atol=1e-4)
    assert np.allclose(np.c_[fig.data[3].x, fig.data[3].y, fig.data[3].z], seq[0, 0], atol=1e-4)
    assert list(fig.data[3].text) == list(NAMES)


def test_max_frames_samples_evenly_and_keeps_the_ends():
    fig = viz.animate_skeleton_3d(toy_sequence(frames=50), LAYOUT, max_frames=6)
    names = [f.name for f in fig.frames]
    assert len(names) == 6 and names[0] == "0" and names[-1] == "49"
    assert len(fig.layout.sliders[0].steps) == 6


def test_an_absent_second_person_is_not_drawn_a_present_one_is():
    seq = toy_sequence(frames=3, persons=2)
    assert len(viz.animate_skeleton_3d(seq, LAYOUT).data) == 8
    seq[1] = 0.0
    assert len(viz.animate_skeleton_3d(seq, LAYOUT).data) == 4


def test_colours_follow_body_sides():
    fig = viz.animate_skeleton_3d(toy_sequence(frames=2), LAYOUT)
    lines = {trace.name.split(": ")[1]: trace for trace in fig.data if trace.mode == "lines"}
    assert {side: t.line.color for side, t in lines.items()} == SIDE_COLORS
    seq = toy_sequence(frames=2)[0, 0].astype(np.float64).round(4)  # (V, C), as stored
    elbow, shoulder = NAMES.index("left_elbow"), NAMES.index("left_shoulder")
    left_x = [x for x in lines["left"].x if x is not None]
    assert seq[elbow, 0] in left_x and seq[shoulder, 0] in left_x
    right_x = [x for x in lines["right"].x if x is not None]
    assert seq[elbow, 0] not in right_x
    colors = fig.data[3].marker.color
    assert colors[NAMES.index("left_hand")] == SIDE_COLORS["left"]
    assert colors[NAMES.index("right_foot")] == SIDE_COLORS["right"]
    assert colors[NAMES.index("head")] == SIDE_COLORS["center"]


def test_scene_is_an_equal_aspect_cube_holding_every_joint():
    seq = toy_sequence(frames=4)
    seq[..., 2] *= 5.0  # much taller than wide
    scene = viz.animate_skeleton_3d(seq, LAYOUT).layout.scene
    ranges = [scene.xaxis.range, scene.yaxis.range, scene.zaxis.range]
    widths = [hi - lo for lo, hi in ranges]
    assert scene.aspectmode == "cube" and np.allclose(widths, widths[0])
    for axis, (lo, hi) in enumerate(ranges):
        assert lo <= seq[..., axis].min() and seq[..., axis].max() <= hi
    assert scene.camera.up.z == 1


def test_side_by_side_plays_sequences_of_different_lengths_together():
    long, short = toy_sequence(frames=30, seed=1), toy_sequence(frames=8, seed=2)
    fig = viz.side_by_side_3d({"original": long, "crop": short}, LAYOUT)
    assert len(fig.frames) == 30 and len(fig.layout.sliders[0].steps) == 30
    assert len(fig.data) == 8 and {t.scene for t in fig.data} == {"scene", "scene2"}
    last = fig.frames[-1].data
    assert np.allclose(last[3].x, long[0, 29, :, 0], atol=1e-4)
    assert np.allclose(last[7].x, short[0, 7, :, 0], atol=1e-4)
    assert fig.layout.scene.xaxis.range == fig.layout.scene2.xaxis.range, "shared box"
    with pytest.raises(ValueError, match="crop"):
        viz.side_by_side_3d({"crop": short[:, :, :5]}, LAYOUT)


# --- matplotlib -----------------------------------------------------------------------------------
def test_strips_have_one_3d_panel_per_pose_and_register_nothing_with_pyplot():
    before = plt.get_fignums()
    strip = viz.skeleton_strip(toy_sequence(frames=20), LAYOUT, frames=5)
    grid = viz.compare_strips(
        {"a": toy_sequence(frames=20), "b": toy_sequence(frames=64)}, LAYOUT, frames=4
    )
    assert len(strip.axes) == 5 and all(ax.name == "3d" for ax in strip.axes)
    assert len(grid.axes) == 8
    assert grid.axes[3].get_title() == "t = 19 / 20" and grid.axes[7].get_title() == "t = 63 / 64"
    lo, hi = grid.axes[0].get_zlim()
    assert (lo, hi) == grid.axes[7].get_zlim()
    viz.draw_skeleton_graph(NTU25)
    assert plt.get_fignums() == before


def test_skeleton_graph_draws_every_bone_and_the_adjacency_matrix():
    fig = viz.draw_skeleton_graph(LAYOUT)
    ax_graph, ax_adj = fig.axes
    bones = [line for line in ax_graph.get_lines() if len(line.get_xdata()) == 2]
    assert len(bones) == len(LAYOUT.edges)
    assert np.array_equal(ax_adj.get_images()[0].get_array(), LAYOUT.adjacency())
    blue = [line for line in bones if line.get_color() == SIDE_COLORS["left"]]
    assert len(blue) == sum(LAYOUT.side_of(c) == "left" for c, _ in LAYOUT.edges)


def test_class_length_stats_counts_classes_and_lengths():
    seqs = [toy_sequence(frames=t) for t in (5, 9, 9, 12)]
    data = SkeletonDataset(
        "toy",
        LAYOUT,
        seqs,
        labels=[0, 2, 2, 2],
        class_names=("a", "b", "c"),
        subjects=[1, 1, 2, 2],
        views=[0] * 4,
        sample_names=list("wxyz"),
    )
    ax_cls, ax_len = viz.class_length_stats(data).axes
    assert [p.get_width() for p in ax_cls.patches] == [1, 0, 3]
    assert sum(p.get_height() for p in ax_len.patches) == 4
    assert "8.8" in " ".join(t.get_text() for t in ax_len.get_legend().get_texts())


def test_crop_windows_are_drawn_where_they_are():
    fig = viz.crop_windows_timeline(np.array([0, 10]), np.array([64, 30]), 100, out_frames=64)
    bars = fig.axes[0].patches
    assert [(b.get_x(), b.get_width()) for b in bars[:2]] == [(0, 64), (10, 30)]
    with pytest.raises(ValueError, match="leaves the clip"):
        viz.crop_windows_timeline(np.array([50]), np.array([64]), 100)


def test_style_helpers():
    assert sample_frames(10, None).tolist() == list(range(10))
    assert sample_frames(10, 4).tolist() == [0, 3, 6, 9]
    centre, half = cube_bounds(np.array([[[[0, 0, 0], [1, 2, 4]]]], dtype=np.float32), margin=0)
    assert np.allclose(centre, [1, 2, 4]) and half == pytest.approx(1e-3), "zero joints ignored"
    centre, half = cube_bounds(np.array([[[[-1, 0, 1], [1, 2, 5]]]], dtype=np.float32), margin=0)
    assert np.allclose(centre, [0, 1, 3]) and half == pytest.approx(2.0)


# --- save_figure ----------------------------------------------------------------------------------
def test_save_figure_writes_png_and_small_html_beside_one_shared_plotly_js(tmp_path):
    paths = output_paths(tmp_path)
    png = viz.save_figure(viz.skeleton_strip(toy_sequence(), LAYOUT, frames=3), "00_strip", paths)
    html = viz.save_figure(
        viz.animate_skeleton_3d(toy_sequence(frames=10), LAYOUT), "00_anim", tmp_path
    )
    assert png == paths.figures / "00_strip.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert html == paths.figures / "00_anim.html"
    text = html.read_text()
    assert '<script charset="utf-8" src="plotly.min.js"></script>' in text
    assert "cdn.plot.ly" not in text and "plotly.js v" not in text
    assert html.stat().st_size < 200_000, "plotly.js (~4 MB) must not be embedded"
    library = paths.figures / viz.PLOTLYJS_FILE
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    assert library.read_text(encoding="utf-8") == get_plotlyjs()
    assert f"plotly.js v{get_plotlyjs_version()}" in library.read_text()[:100]
    viz.save_figure(viz.animate_skeleton_3d(toy_sequence(frames=3), LAYOUT), "00_other", paths)
    assert sorted(p.name for p in paths.figures.iterdir()) == [
        "00_anim.html", "00_other.html", "00_strip.png", "plotly.min.js",
    ], "one plotly.min.js for all figures, no temporary files left"  # fmt: skip


def test_a_stale_or_broken_plotly_js_is_replaced_and_a_current_one_kept(tmp_path):
    from plotly.offline import get_plotlyjs

    library = tmp_path / viz.PLOTLYJS_FILE
    library.write_text("/**\n* plotly.js v1.0.0\n*/")
    assert viz.write_plotlyjs(tmp_path) == library
    assert library.read_text(encoding="utf-8") == get_plotlyjs()
    library.write_bytes(library.read_bytes()[:-10])  # cut short, e.g. a full disk
    viz.write_plotlyjs(tmp_path)
    assert library.read_text(encoding="utf-8") == get_plotlyjs()
    stamp = library.stat().st_mtime_ns
    viz.write_plotlyjs(tmp_path)
    assert library.stat().st_mtime_ns == stamp, "an up-to-date copy is not rewritten"


def test_saved_html_turns_scroll_zoom_off_and_lets_the_wheel_scroll_the_page(tmp_path):
    html = viz.save_figure(viz.side_by_side_3d({"a": toy_sequence(), "b": toy_sequence()}, LAYOUT),
                           "pair", tmp_path).read_text()  # fmt: skip
    config = re.search(r",\s*(\{[^{}]*\})\s*\)\.then\(", html)  # Plotly.newPlot's last argument
    assert config, "the config argument of Plotly.newPlot"
    assert json.loads(config.group(1))["scrollZoom"] is False
    assert viz.PLOTLY_CONFIG == {"scrollZoom": False}
    assert viz.WHEEL_SCROLLS_PAGE_JS in html  # the wheel then scrolls the page (browser test)
    modebar = json.loads(config.group(1)).get("displayModeBar", True)
    assert modebar is not False, "the modebar (zoom, rotate, reset) stays"


def _button_width_px(label: str) -> int:
    """Upper bound of a plotly button's width: under 8 px a character at 12 px, plus padding."""
    return 8 * len(label) + 20


@pytest.mark.parametrize("kind", ["animation", "side_by_side"])
def test_play_pause_sit_left_of_the_slider_and_its_label_by_layout_coordinates(kind):
    seq = toy_sequence(frames=8)
    fig = (viz.animate_skeleton_3d(seq, LAYOUT) if kind == "animation" else
           viz.side_by_side_3d({"a": seq, "b": seq[:, :5]}, LAYOUT))  # fmt: skip
    (menu,), (slider,) = fig.layout.updatemenus, fig.layout.sliders
    # Both hang from the plot's bottom-left corner into the bottom margin, so their horizontal
    # distance is in pixels (pads), the same at every figure width.
    assert (menu.x, menu.xanchor, menu.y, menu.yanchor, menu.direction) == (
        0, "left", 0, "top", "left",
    )  # fmt: skip
    assert (slider.x, slider.xanchor, slider.y, slider.yanchor, slider.len) == (
        0, "left", 0, "top", 1,
    )  # fmt: skip
    assert slider.currentvalue.xanchor == "left", "the label starts where the rail starts"
    buttons_end = menu.pad.l + sum(_button_width_px(b.label) for b in menu.buttons)
    assert buttons_end < slider.pad.l, (buttons_end, slider.pad.l)
    # Label (~25 px), rail (~20 px) and tick labels (~25 px) fit in the bottom margin.
    assert slider.pad.t + 70 + slider.pad.b <= fig.layout.margin.b
    assert menu.pad.t + 35 <= fig.layout.margin.b


def test_save_figure_closes_pyplot_figures_and_overwrites(tmp_path):
    fig = plt.figure()
    fig.gca().plot([0, 1])
    assert fig.number in plt.get_fignums()
    first = viz.save_figure(fig, "x", tmp_path)
    assert fig.number not in plt.get_fignums()
    fig2 = plt.figure(figsize=(2, 2))
    second = viz.save_figure(fig2, "x.png", tmp_path)
    assert first == second and fig2.number not in plt.get_fignums()
    assert len(list((tmp_path / "figures").iterdir())) == 1


@pytest.mark.parametrize("name", ["a/b", "../x", "", " x"])
def test_save_figure_rejects_paths_as_names(tmp_path, name):
    with pytest.raises(ValueError, match="figure name"):
        viz.save_figure(plt.figure(), name, tmp_path)
    plt.close("all")


def test_save_figure_rejects_other_objects(tmp_path):
    with pytest.raises(TypeError, match="matplotlib or plotly"):
        viz.save_figure(np.zeros(3), "x", tmp_path)


def test_missing_joints_and_their_bones_are_not_drawn():
    seq = toy_sequence(frames=2)
    hand, wrist = NAMES.index("left_hand"), NAMES.index("left_wrist")
    seq[0, 1, hand] = 0.0  # lost in frame 1
    seq[0, :, LAYOUT.center] = (
        0.0  # the centre joint sits at the origin after centring: still drawn
    )
    fig = viz.animate_skeleton_3d(seq, LAYOUT)
    joints = fig.frames[1].data[3]
    assert joints.x[hand] is None and joints.x[LAYOUT.center] == 0.0
    left = fig.frames[1].data[0]  # left bones: (child, parent, None) triples
    pairs = list(zip(left.x[0::3], left.x[1::3]))
    wrist_x = round(float(seq[0, 1, wrist, 0]), 4)
    assert (None, wrist_x) in pairs, "the hand-wrist bone loses its missing end"
    strip = viz.skeleton_strip(seq, LAYOUT, frames=2)
    FigureCanvasAgg(strip).draw()  # 3D collections hold their projected segments after a draw
    drawn = sum(
        len(c.get_segments()) for c in strip.axes[1].collections if hasattr(c, "get_segments")
    )
    assert drawn == len(LAYOUT.edges) - 1
