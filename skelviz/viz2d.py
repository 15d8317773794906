"""Static matplotlib figures: pose strips over time (the paper's Figures 2-4 as PNGs), the joint
graph with its adjacency matrix, dataset statistics and crop windows on a time axis.

Figures are built with ``matplotlib.figure.Figure`` (not ``pyplot``), so nothing is registered
with a global figure manager and nothing leaks when a notebook makes many of them; Jupyter
still displays a returned ``Figure`` inline. Style: ``skelviz.viz_style``.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from matplotlib.figure import Figure
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from skelviz.dataset import SkeletonDataset
from skelviz.skeleton import SkeletonLayout
from skelviz.viz_style import (
    MPL_VIEW,
    PERSON_OPACITY,
    SIDE_COLORS,
    bone_side,
    bones_by_side,
    cube_bounds,
    joint_colors,
    present_persons,
    sample_frames,
    visible_joints,
)  # fmt: skip

__all__ = [
    "draw_pose_3d", "skeleton_strip", "compare_strips", "draw_skeleton_graph",
    "class_length_stats", "crop_windows_timeline",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
def draw_pose_3d(
    ax,
    frame: np.ndarray,
    layout: SkeletonLayout,
    persons: list[int],
    centre: np.ndarray,
    half: float,
) -> None:
    """Draw one frame ``(M, V, C)`` on a 3D axis: side-coloured bones, joints, an equal cube.

    Matplotlib's own 3D axes (ticks, panes) cost most of the drawing time and say little here, so
    they are switched off; a grey floor square and an x/y/z corner triad give the orientation.
    """
    groups = bones_by_side(layout)
    colors = joint_colors(layout)
    for m in persons:
        pose = frame[m]  # (V, C)
        visible = visible_joints(pose, layout)  # (V,): missing joints are not drawn
        alpha = PERSON_OPACITY[min(m, len(PERSON_OPACITY) - 1)]
        for side, bones in groups.items():
            shown = [bone for bone in bones if visible[bone[0]] and visible[bone[1]]]
            if shown:
                segments = pose[np.array(shown)]  # (E, 2, C): child and parent of each bone
                lines = Line3DCollection(
                    segments, colors=SIDE_COLORS[side], linewidths=2, alpha=alpha
                )
                ax.add_collection3d(lines)
        ax.scatter(
            *pose[visible].T, s=5, c=np.array(colors)[visible], alpha=alpha, depthshade=False
        )
    low, high = centre - half, centre + half
    floor = np.array([[low[0], low[1]], [high[0], low[1]], [high[0], high[1]], [low[0], high[1]],
                      [low[0], low[1]]])  # fmt: skip
    ax.plot(floor[:, 0], floor[:, 1], np.full(5, low[2]), color="0.75", lw=0.8)
    for axis, label in enumerate("xyz"):
        tip = low.copy()
        tip[axis] += 0.35 * half
        ax.plot(*np.stack([low, tip]).T, color="0.45", lw=0.8)
        ax.text(*tip, label, color="0.35", fontsize=7)
    for setter, i in ((ax.set_xlim, 0), (ax.set_ylim, 1), (ax.set_zlim, 2)):
        setter(low[i], high[i])
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(**MPL_VIEW)
    ax.set_axis_off()


def compare_strips(
    seqs: dict[str, np.ndarray],
    layout: SkeletonLayout,
    frames: int = 6,
    title: str = "",
    shared_box: bool = True,
) -> Figure:
    """One row of poses per ``{name: (M, T_i, V, C)}`` entry, ``frames`` columns taken at the same
    fractions of each sequence's length; one cube for all panels when ``shared_box``.

    Introduced in ``notebooks/01_augmentations_3d``.
    """
    if not seqs:
        raise ValueError("compare_strips: give at least one sequence")
    arrays = {name: np.asarray(s, dtype=np.float32) for name, s in seqs.items()}
    for name, arr in arrays.items():
        if arr.ndim != 4 or arr.shape[2:] != (layout.num_joints, 3) or arr.shape[1] < 1:
            raise ValueError(f"compare_strips[{name!r}]: expected (M, T, {layout.num_joints}, 3), "
                             f"got {arr.shape}")  # fmt: skip
    rows = len(arrays)
    fig = Figure(figsize=(1.8 * frames + 0.5, 1.9 * rows + (0.55 if title else 0.25)))
    top = 1.0 - (0.55 if title else 0.25) / fig.get_figheight()
    fig.subplots_adjust(
        left=0.5 / fig.get_figwidth(), right=1.0, bottom=0.0, top=top, wspace=0.0, hspace=0.12
    )  # fixed layout: constrained layout is slow with 3D axes
    axes = fig.subplots(rows, frames, subplot_kw={"projection": "3d"}, squeeze=False)
    for row, (name, arr) in enumerate(arrays.items()):
        centre, half = cube_bounds(*(arrays.values() if shared_box else [arr]))
        persons = present_persons(arr)
        fractions = np.linspace(0.0, 1.0, frames)
        for col, fraction in enumerate(fractions):
            t = int(round(fraction * (arr.shape[1] - 1)))
            ax = axes[row, col]
            draw_pose_3d(ax, arr[:, t], layout, persons, centre, half)
            ax.set_title(f"t = {t}" + (f" / {arr.shape[1]}" if col == frames - 1 else ""),
                         fontsize=8, pad=0)  # fmt: skip
        axes[row, 0].text2D(-0.06, 0.5, name, transform=axes[row, 0].transAxes, rotation=90,
                            va="center", ha="center", fontsize=10, fontweight="bold")  # fmt: skip
    if title:
        fig.suptitle(title)
    return fig


def skeleton_strip(
    seq: np.ndarray, layout: SkeletonLayout, frames: int = 8, title: str = ""
) -> Figure:
    """A static strip of ``frames`` evenly spaced 3D poses of one ``(M, T, V, C)`` sequence.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    arr = np.asarray(seq, dtype=np.float32)
    frames = len(sample_frames(arr.shape[1], frames)) if arr.ndim == 4 else frames
    return compare_strips({"sequence": arr}, layout, frames=frames, title=title)


# ---------------------------------------------------------------------------------------------
_FRONT_VIEW = {  # schematic (x, y) of joint names, the actor facing the viewer (left on the right)
    "head": (0, 3.3), "neck": (0, 2.85), "shoulder_center": (0, 2.6), "spine_shoulder": (0, 2.6),
    "spine": (0, 1.75), "spine_mid": (0, 1.75), "hip_center": (0, 1.0), "spine_base": (0, 1.0),
    "left_shoulder": (0.75, 2.5), "left_elbow": (1.15, 1.85), "left_wrist": (1.45, 1.2),
    "left_hand": (1.55, 0.95), "left_hand_tip": (1.65, 0.65), "left_thumb": (1.3, 0.8),
    "left_hip": (0.4, 0.9), "left_knee": (0.45, -0.2), "left_ankle": (0.5, -1.2),
    "left_foot": (0.75, -1.35),
}  # fmt: skip
_FRONT_VIEW.update({k.replace("left", "right"): (-x, y) for k, (x, y) in list(_FRONT_VIEW.items())
                    if k.startswith("left")})  # fmt: skip


def _graph_positions(layout: SkeletonLayout) -> np.ndarray:
    """(V, 2) drawing positions: the schematic front view when every name is known, else a tree
    layout (depth from the centre joint downwards, leaves spread left to right)."""
    if all(name in _FRONT_VIEW for name in layout.joint_names):
        return np.array([_FRONT_VIEW[name] for name in layout.joint_names], dtype=float)
    adjacency = layout.adjacency() > 0
    depth = np.full(layout.num_joints, -1)
    depth[layout.center], queue = 0, deque([layout.center])
    while queue:
        joint = queue.popleft()
        for other in np.nonzero(adjacency[joint])[0]:
            if depth[other] < 0:
                depth[other] = depth[joint] + 1
                queue.append(other)
    depth[depth < 0] = depth.max() + 1
    positions = np.zeros((layout.num_joints, 2))
    for level in np.unique(depth):
        members = np.nonzero(depth == level)[0]
        positions[members, 0] = np.linspace(-1, 1, len(members)) if len(members) > 1 else 0
        positions[members, 1] = -level
    return positions


def draw_skeleton_graph(layout: SkeletonLayout) -> Figure:
    """The joint graph in 2D (ids, names, side colours) beside its (V, V) adjacency matrix.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    v = layout.num_joints
    pos = _graph_positions(layout)
    fig = Figure(figsize=(13, 6.2), layout="constrained")
    ax_graph, ax_adj = fig.subplots(1, 2, width_ratios=[1.0, 1.1])
    for child, parent in layout.edges:
        ax_graph.plot(*pos[[child, parent]].T, lw=2.5,
                      color=SIDE_COLORS[bone_side(layout, child, parent)])  # fmt: skip
    ax_graph.scatter(pos[:, 0], pos[:, 1], s=150, c=joint_colors(layout), zorder=3)
    for j, name in enumerate(layout.joint_names):
        ax_graph.annotate(str(j), pos[j], ha="center", va="center", color="white", fontsize=7,
                          fontweight="bold", zorder=4)  # fmt: skip
        side = 1 if pos[j, 0] >= 0 else -1
        ax_graph.annotate(name, pos[j], xytext=(9 * side, 2), textcoords="offset points",
                          ha="left" if side > 0 else "right", fontsize=7)  # fmt: skip
    centre = layout.center
    ax_graph.scatter(*pos[centre], s=420, facecolors="none", edgecolors="black", lw=1.5)
    for side, color in SIDE_COLORS.items():
        ax_graph.plot([], [], color=color, lw=3, label=side)
    ax_graph.legend(loc="lower center", ncol=3, fontsize=8, frameon=False)
    ax_graph.set_title(f"{layout.name}: {v} joints, {len(layout.edges)} bones "
                       f"(ring = centre joint {centre})")  # fmt: skip
    ax_graph.set_aspect("equal")
    ax_graph.margins(x=0.45, y=0.08)
    ax_graph.axis("off")
    adjacency = layout.adjacency()
    ax_adj.imshow(adjacency, cmap="Greys", vmin=0, vmax=1)
    ticks = np.arange(v)
    ax_adj.set_xticks(ticks, [str(j) for j in ticks], fontsize=6)
    ax_adj.set_yticks(ticks, [f"{name} {j}" for j, name in enumerate(layout.joint_names)],
                      fontsize=6)  # fmt: skip
    ax_adj.set_title(f"adjacency A ({v}x{v}, symmetric, {int(adjacency.sum())} ones)")
    ax_adj.set_xlabel("joint id")
    return fig


# ---------------------------------------------------------------------------------------------
def class_length_stats(dataset: SkeletonDataset) -> Figure:
    """Samples per class (bars) and the sequence-length histogram (mean and median marked).

    Introduced in ``notebooks/00_skeleton_data``.
    """
    counts = np.bincount(dataset.labels, minlength=dataset.num_classes)
    lengths = dataset.lengths
    fig = Figure(figsize=(12, max(3.2, 0.28 * dataset.num_classes + 1.2)), layout="constrained")
    ax_cls, ax_len = fig.subplots(1, 2)
    ids = np.arange(dataset.num_classes)
    ax_cls.barh(ids, counts, color="#6b8fb8")
    ax_cls.set_yticks(ids, [f"{i}: {n}" for i, n in enumerate(dataset.class_names)], fontsize=8)
    ax_cls.invert_yaxis()
    ax_cls.set_xlabel("sequences")
    ax_cls.set_title(f"{dataset.name}: {len(dataset)} sequences in {dataset.num_classes} classes")
    ax_len.hist(lengths, bins=min(40, max(5, len(np.unique(lengths)))), color="#9a9a9a")
    marks = ((lengths.mean(), "-", "mean"), (np.median(lengths), "--", "median"))
    for value, style, label in marks:
        ax_len.axvline(value, color="black", ls=style, lw=1.2, label=f"{label} {value:.1f}")
    ax_len.set_xlabel("valid frames T")
    ax_len.set_ylabel("sequences")
    ax_len.set_title(f"sequence length: {lengths.min()}..{lengths.max()} frames")
    ax_len.legend(fontsize=8)
    return fig


def crop_windows_timeline(
    starts: np.ndarray,
    lengths: np.ndarray,
    num_frames: int,
    title: str = "",
    out_frames: int | None = None,
) -> Figure:
    """Temporal crop windows ``[start, start + length)`` as bars on the clip's time axis (Fig. 4).

    Introduced in ``notebooks/01_augmentations_3d``.
    """
    starts, lengths = np.asarray(starts), np.asarray(lengths)
    if starts.shape != lengths.shape or starts.ndim != 1:
        raise ValueError(f"starts {starts.shape} and lengths {lengths.shape} must be equal 1-D")
    if len(starts) and (starts.min() < 0 or (starts + lengths).max() > num_frames):
        raise ValueError(f"a crop window leaves the clip of {num_frames} frames")
    fig = Figure(figsize=(9, 0.32 * len(starts) + 1.4), layout="constrained")
    ax = fig.subplots()
    ratio = lengths / num_frames
    colors = [(0.12 + 0.6 * (1 - r), 0.39, 0.70 - 0.4 * (1 - r)) for r in ratio]
    ax.barh(np.arange(len(starts)), lengths, left=starts, color=colors, height=0.7)
    for i, (s, n) in enumerate(zip(starts, lengths)):
        speed = f", x{n / out_frames:.2f} speed" if out_frames else ""
        ax.text(s + n + 0.5, i, f"{n} frames{speed}", va="center", fontsize=7)
    ax.axvspan(0, num_frames, color="0.92", zorder=0)
    ax.set_xlim(0, num_frames * 1.25)
    ax.set_ylim(len(starts) - 0.5, -0.5)
    ax.set_yticks(np.arange(len(starts)), [f"draw {i + 1}" for i in range(len(starts))], fontsize=7)
    ax.set_xlabel(f"frame (grey: the clip's {num_frames} valid frames; shorter crops are redder)")
    ax.set_title(title or "temporal crop windows")
    return fig
