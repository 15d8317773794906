"""Figures of the downstream evaluation: k sweep, confusion matrix, t-SNE (paper Figure 7) and
retrieval thumbnails (paper Figure 8).

All are matplotlib ``Figure`` objects (no global pyplot state). Skeleton thumbnails are drawn in
2D from the front (x right, z up: the view normalisation puts the spine on +z and the shoulders on
+x), a few key frames of a sequence overlaid from light (early) to dark (late), which is much
faster than 3D axes for a grid of dozens of sequences.

Introduced in ``notebooks/06_linear_and_knn``.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from skelviz.skeleton import SkeletonLayout
from skelviz.viz_style import SIDE_COLORS, bones_by_side, present_persons, sample_frames

__all__ = [
    "plot_knn_sweep",
    "plot_confusion",
    "tsne_embed",
    "tsne_class_subsets",
    "plot_tsne_panels",
    "draw_thumbnail",
    "plot_retrieval",
]


# --- kNN and the linear probe ----------------------------------------------------------------
def plot_knn_sweep(
    results: dict[str, dict], chance: float | None = None, title: str = ""
) -> Figure:
    """Accuracy against k: ``{name: {k: accuracy}}`` (fractions; keys may be strings).

    Introduced in ``notebooks/06_linear_and_knn``.
    """
    fig = Figure(figsize=(5.2, 3.6), layout="constrained")
    ax = fig.subplots()
    for i, (name, by_k) in enumerate(results.items()):
        ks = sorted(int(k) for k in by_k)
        ax.plot(ks, [100 * by_k[str(k)] if str(k) in by_k else 100 * by_k[k] for k in ks],
                "o-", color=f"C{i}", label=name)  # fmt: skip
    if chance is not None:
        ax.axhline(100 * chance, color="0.4", ls="--", lw=1, label="chance")
    ax.set(xlabel="k (neighbours voting)", ylabel="kNN accuracy, %", ylim=(0, 100))
    ax.set_xscale("log")
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_title(
        "\n".join(textwrap.wrap(title or "cosine kNN: accuracy against k", 48)), fontsize=10
    )
    ax.legend(fontsize=8)
    return fig


def plot_confusion(matrix, class_names: list[str], title: str = "") -> Figure:
    """Row-normalised confusion matrix (rows: true class) with per-class accuracy on the right.

    Introduced in ``notebooks/06_linear_and_knn``.
    """
    counts = np.asarray(matrix, dtype=float)  # (classes, classes)
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    n = len(class_names)
    fig = Figure(figsize=(4.5 + 0.32 * n, 2.5 + 0.3 * n), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(100 * rates, cmap="Blues", vmin=0, vmax=100)
    if n <= 20:
        for i in range(n):
            for j in range(n):
                if counts[i, j]:
                    color = "white" if rates[i, j] > 0.6 else "0.2"
                    ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=7,
                            color=color)  # fmt: skip
    per_class = [f"{name}  {100 * rates[i, i]:.0f}%" for i, name in enumerate(class_names)]
    ax.set_yticks(range(n), per_class, fontsize=8)
    ax.set_xticks(range(n), class_names, rotation=60, ha="right", fontsize=8)
    ax.set(xlabel="predicted class", ylabel="true class (per-class accuracy)")
    ax.set_title(title or "linear probe: confusion matrix", fontsize=10)
    fig.colorbar(image, ax=ax, label="% of the true class", shrink=0.8)
    return fig


# --- t-SNE -----------------------------------------------------------------------------------
def tsne_embed(features, seed: int = 0) -> np.ndarray:
    """scikit-learn's t-SNE of ``(N, D)`` features to ``(N, 2)``, seeded (PCA initialisation)."""
    from sklearn.manifold import TSNE

    x = np.asarray(features, dtype=np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # cosine geometry
    perplexity = float(min(30.0, max(2.0, (len(x) - 1) / 3)))
    return TSNE(2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)


def tsne_class_subsets(labels, num_classes: int, seed: int = 0, size: int = 10, subsets: int = 3):
    """The classes each t-SNE figure shows: all of them for at most ``size`` classes, else
    ``subsets`` random sets of ``size`` classes (the paper's Figure 7 does this for NTU)."""
    if num_classes <= size:
        return [list(range(num_classes))]
    rng = np.random.default_rng(seed)
    return [sorted(rng.choice(num_classes, size, replace=False).tolist()) for _ in range(subsets)]


def plot_tsne_panels(
    panels: dict[str, np.ndarray], labels, class_names: list[str], title: str = ""
) -> Figure:
    """Side-by-side scatter plots ``{panel title: (N, 2)}``, points coloured by class.

    Introduced in ``notebooks/06_linear_and_knn``.
    """
    labels = np.asarray(labels)
    classes = sorted(set(labels.tolist()))
    fig = Figure(figsize=(3.3 * len(panels) + 1.6, 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    colors = [f"C{i % 10}" for i in range(len(classes))]
    for ax, (name, points) in zip(axes, panels.items()):
        for color, c in zip(colors, classes):
            mask = labels == c
            ax.scatter(*points[mask].T, s=7, color=color, alpha=0.8, label=class_names[c])
        ax.set_title("\n".join(textwrap.wrap(name, 30)), fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    handles, names = axes[-1].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right center", fontsize=7, markerscale=2)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


# --- retrieval -------------------------------------------------------------------------------
def draw_thumbnail(ax, seq: np.ndarray, layout: SkeletonLayout, key_frames: int = 4) -> None:
    """A few key frames of ``(M, T, V, C)`` overlaid in 2D from the front (x right, z up)."""
    arr = np.asarray(seq, dtype=np.float32)
    frames = sample_frames(arr.shape[1], key_frames)
    persons = present_persons(arr)
    for rank, t in enumerate(frames):
        alpha = 0.25 + 0.75 * (rank + 1) / len(frames)  # early light, late dark
        for m in persons:
            pose = arr[m, t]  # (V, C)
            for side, bones in bones_by_side(layout).items():
                for child, parent in bones:
                    if pose[child].any() and pose[parent].any():  # missing joints are zeros
                        ax.plot(pose[[child, parent], 0], pose[[child, parent], 2],
                                color=SIDE_COLORS[side], lw=1.2, alpha=alpha)  # fmt: skip
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_retrieval(
    rows: dict[str, list[tuple[int, list[int]]]],
    queries,
    gallery,
    layout: SkeletonLayout,
    title: str = "",
) -> Figure:
    """Paper Figure 8: per feature space (a row group), each query and its nearest neighbours.

    ``rows``: ``{feature space: [(query index, [neighbour indices, nearest first]), ...]}``;
    ``queries`` and ``gallery`` are datasets. A neighbour of the query's class gets a green
    frame, another class a red one; titles name the classes.

    Introduced in ``notebooks/06_linear_and_knn``.
    """
    lines = [(space, q, nn) for space, items in rows.items() for q, nn in items]
    columns = 1 + max(len(nn) for _, _, nn in lines)
    fig = Figure(figsize=(1.9 * columns, 2.0 * len(lines)), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(lines), columns))
    names = gallery.class_names
    for r, (space, q, neighbours) in enumerate(lines):
        label = queries.labels[q]
        draw_thumbnail(axes[r, 0], queries.sequences[q], layout)
        axes[r, 0].set_title(f"query: {names[label]}", fontsize=8, fontweight="bold")
        axes[r, 0].set_ylabel(space, fontsize=8)
        for c, g in enumerate(neighbours, start=1):
            ax = axes[r, c]
            draw_thumbnail(ax, gallery.sequences[g], layout)
            correct = gallery.labels[g] == label
            for spine in ax.spines.values():
                spine.set(color="tab:green" if correct else "tab:red", linewidth=2.5)
            ax.set_title(f"{c}. {names[gallery.labels[g]]}", fontsize=8)
        for c in range(len(neighbours) + 1, columns):
            axes[r, c].set_axis_off()
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
