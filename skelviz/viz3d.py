"""Interactive 3D skeletons with plotly: an animation with a frame slider and play button, and
side-by-side panels (original versus augmented) that play together.

Every frame draws, per person, three line traces (left / right / centre bones, segments separated
by ``None``) and one marker trace (joints coloured by side): a fixed number of traces, so plotly
animation frames replace the coordinates trace by trace and carry nothing else. Coordinates are
rounded to 0.1 mm. Style: ``skelviz.viz_style``. The play / pause buttons sit left of the slider,
a fixed number of pixels apart, below the plot. How a figure is shown (``scrollZoom`` off, the wheel
scrolls the page) is set where it is shown or saved: ``skelviz.viz``.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from skelviz.skeleton import SkeletonLayout
from skelviz.viz_style import (
    PERSON_OPACITY,
    PLOTLY_CAMERA,
    SIDE_COLORS,
    SIDES,
    bones_by_side,
    cube_bounds,
    joint_colors,
    present_persons,
    sample_frames,
    visible_joints,
)  # fmt: skip

__all__ = [
    "COORD_DECIMALS", "CONTROLS_BUTTONS_PX", "CONTROLS_BUTTONS_PAD", "CONTROLS_SLIDER_PAD",
    "CONTROLS_MARGIN_B", "skeleton_traces", "frame_updates", "animate_skeleton_3d",
    "side_by_side_3d",
]  # fmt: skip

COORD_DECIMALS = 4  # coordinates are stored in the figure JSON to 0.1 mm (metres) / 1e-4 units
# Animation controls, in pixels (plotly sizes buttons in pixels whatever the figure's width):
CONTROLS_BUTTONS_PX = 130  # room left of the slider for play + pause (about 110 px drawn)
CONTROLS_SLIDER_PAD = {"l": CONTROLS_BUTTONS_PX, "r": 20, "t": 10, "b": 10}
CONTROLS_BUTTONS_PAD = {"l": 10, "r": 0, "t": 26, "b": 0}  # centred on the slider's rail
CONTROLS_MARGIN_B = 110  # bottom margin holding the controls, tick labels included


# ---------------------------------------------------------------------------------------------
def _check(seq: np.ndarray, layout: SkeletonLayout, what: str) -> np.ndarray:
    arr = np.asarray(seq, dtype=np.float32)
    if arr.ndim != 4 or arr.shape[2:] != (layout.num_joints, 3) or arr.shape[1] < 1:
        raise ValueError(
            f"{what}: expected (M, T, {layout.num_joints}, 3) for layout {layout.name!r}, "
            f"got {arr.shape}"
        )
    return arr


def _person_coords(pose: np.ndarray, layout: SkeletonLayout) -> list[tuple[list, list, list]]:
    """(x, y, z) lists of one person's 3 bone traces (``None`` between bones) and joint trace;
    missing joints become ``None`` (not drawn), so every frame has the same trace lengths."""
    rounded = np.round(pose.astype(np.float64), COORD_DECIMALS)  # (V, C); 0.1 mm keeps JSON small
    visible = visible_joints(pose, layout)  # (V,)
    points = [[float(v) for v in p] if visible[j] else [None] * 3 for j, p in enumerate(rounded)]
    coords = []
    for side in SIDES:
        xyz: list[list[float | None]] = [[], [], []]
        for child, parent in bones_by_side(layout)[side]:
            for axis in range(3):
                xyz[axis] += [points[child][axis], points[parent][axis], None]
        coords.append(tuple(xyz))
    coords.append(tuple([p[axis] for p in points] for axis in range(3)))
    return coords


def skeleton_traces(
    frame: np.ndarray,
    layout: SkeletonLayout,
    persons: list[int],
    scene: str = "scene",
    show_legend: bool = True,
) -> list[go.Scatter3d]:
    """Traces for one frame ``(M, V, C)``: per person, 3 bone traces (by side) + 1 joint trace."""
    traces = []
    for m in persons:
        opacity = PERSON_OPACITY[min(m, len(PERSON_OPACITY) - 1)]
        *bones, (jx, jy, jz) = _person_coords(frame[m], layout)
        for side, (x, y, z) in zip(SIDES, bones):
            traces.append(go.Scatter3d(
                x=x, y=y, z=z, mode="lines", scene=scene, opacity=opacity,
                line={"color": SIDE_COLORS[side], "width": 6}, name=f"person {m + 1}: {side}",
                legendgroup=side, showlegend=show_legend and m == persons[0], hoverinfo="skip",
            ))  # fmt: skip
        traces.append(go.Scatter3d(
            x=jx, y=jy, z=jz, mode="markers", scene=scene, opacity=opacity,
            marker={"size": 3, "color": joint_colors(layout)}, text=list(layout.joint_names),
            hoverinfo="text", name=f"person {m + 1}: joints", showlegend=False,
        ))  # fmt: skip
    return traces


def frame_updates(frame: np.ndarray, layout: SkeletonLayout, persons: list[int]) -> list[dict]:
    """Only the coordinates of :func:`skeleton_traces`, in the same order: what an animation
    frame must carry (styles stay on the figure's traces, keeping the figure small)."""
    return [{"type": "scatter3d", "x": x, "y": y, "z": z}
            for m in persons for x, y, z in _person_coords(frame[m], layout)]  # fmt: skip


def _scene_layout(centre: np.ndarray, half: float) -> dict:
    axes = {
        f"{name}axis": {"range": [float(centre[i] - half), float(centre[i] + half)],
                        "title": name, "showbackground": True}
        for i, name in enumerate("xyz")
    }  # fmt: skip
    return {**axes, "aspectmode": "cube", "camera": PLOTLY_CAMERA}


def _animation_controls(labels: list[str], duration_ms: int, prefix: str) -> dict:
    """Play / pause buttons and a slider with one step per animation frame, in one row below the
    plot: the buttons at the left edge, the slider (its current-value label above its rail) starting
    :data:`CONTROLS_BUTTONS_PX` pixels to their right. Pixel paddings, not paper fractions, keep
    the two apart at any figure width."""
    frame_args = {"frame": {"duration": duration_ms, "redraw": True}, "mode": "immediate",
                  "transition": {"duration": 0}}  # fmt: skip
    steps = [{"method": "animate", "label": label, "args": [[label], frame_args]}
             for label in labels]  # fmt: skip
    buttons = [
        {"label": "play", "method": "animate", "args": [None, {**frame_args, "fromcurrent": True}]},
        {"label": "pause", "method": "animate", "args": [[None], frame_args]},
    ]
    return {
        "updatemenus": [{"type": "buttons", "buttons": buttons, "direction": "left",
                         "showactive": False, "x": 0.0, "xanchor": "left", "y": 0.0,
                         "yanchor": "top", "pad": dict(CONTROLS_BUTTONS_PAD)}],
        "sliders": [{"steps": steps, "active": 0, "x": 0.0, "xanchor": "left", "len": 1.0,
                     "y": 0.0, "yanchor": "top", "pad": dict(CONTROLS_SLIDER_PAD),
                     "currentvalue": {"prefix": prefix, "xanchor": "left"}}],
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
def animate_skeleton_3d(
    seq: np.ndarray,
    layout: SkeletonLayout,
    title: str = "",
    max_frames: int | None = None,
    frame_duration_ms: int = 60,
) -> go.Figure:
    """Animated 3D skeleton of one ``(M, T, V, C)`` sequence: a frame per time step (or
    ``max_frames`` evenly spaced ones), a matching slider, play / pause, equal-aspect box.

    Slider labels and frame names are the original time indices.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    arr = _check(seq, layout, "animate_skeleton_3d")
    persons = present_persons(arr)
    times = sample_frames(arr.shape[1], max_frames)
    labels = [str(t) for t in times]
    frames = [go.Frame(name=label, data=frame_updates(arr[:, t], layout, persons))
              for label, t in zip(labels, times)]  # fmt: skip
    fig = go.Figure(data=skeleton_traces(arr[:, times[0]], layout, persons), frames=frames)
    centre, half = cube_bounds(arr)
    fig.update_layout(
        title=title or f"{layout.name}: {arr.shape[1]} frames", scene=_scene_layout(centre, half),
        height=560, margin={"l": 0, "r": 0, "t": 40, "b": CONTROLS_MARGIN_B},
        legend={"x": 0.0, "y": 1.0}, **_animation_controls(labels, frame_duration_ms, "frame "),
    )  # fmt: skip
    return fig


def side_by_side_3d(
    seqs: dict[str, np.ndarray],
    layout: SkeletonLayout,
    title: str = "",
    max_frames: int | None = None,
    shared_box: bool = True,
    frame_duration_ms: int = 60,
) -> go.Figure:
    """One 3D panel per ``{name: (M, T_i, V, C)}`` entry, animated together by one slider.

    Sequences may differ in length (an original and its 64-frame crop): animation frame k shows
    every sequence at the same *fraction* of its length, ``round(k * (T_i - 1) / (K - 1))``, with
    K = the longest T (or ``max_frames``). ``shared_box`` uses one cube for every panel, so a
    shear that stretches the body is visible as such.

    Introduced in ``notebooks/01_augmentations_3d``.
    """
    if not seqs:
        raise ValueError("side_by_side_3d: give at least one sequence")
    arrays = {name: _check(s, layout, f"side_by_side_3d[{name!r}]") for name, s in seqs.items()}
    names = list(arrays)
    count = len(names)
    steps = len(sample_frames(max(a.shape[1] for a in arrays.values()), max_frames))
    fig = make_subplots(rows=1, cols=count, specs=[[{"type": "scene"}] * count],
                        subplot_titles=names, horizontal_spacing=0.01)  # fmt: skip
    persons = {name: present_persons(a) for name, a in arrays.items()}

    def time_index(arr: np.ndarray, k: int) -> int:
        return int(round(k * (arr.shape[1] - 1) / max(steps - 1, 1)))

    for i, name in enumerate(names):
        scene = "scene" if i == 0 else f"scene{i + 1}"
        for trace in skeleton_traces(arrays[name][:, 0], layout, persons[name], scene, i == 0):
            fig.add_trace(trace)
    labels = [f"{k / max(steps - 1, 1):.2f}" for k in range(steps)]
    fig.frames = [
        go.Frame(
            name=label,
            data=[
                update
                for name in names
                for update in frame_updates(
                    arrays[name][:, time_index(arrays[name], k)], layout, persons[name]
                )
            ],
        )
        for k, label in enumerate(labels)
    ]
    scenes = {}
    for i, name in enumerate(names):
        centre, half = cube_bounds(*(arrays.values() if shared_box else [arrays[name]]))
        scenes["scene" if i == 0 else f"scene{i + 1}"] = _scene_layout(centre, half)
    controls = _animation_controls(labels, frame_duration_ms, "fraction of clip ")
    fig.update_layout(title=title or None, height=500, width=max(420 * count, 600),
                      margin={"l": 0, "r": 0, "t": 60, "b": CONTROLS_MARGIN_B}, **scenes,
                      **controls)  # fmt: skip
    return fig
