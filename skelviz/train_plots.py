"""Figures of a pretraining run: contrastive loss and accuracy per step (the paper's Figure 6) and
the cosine 1-NN monitor, untrained versus pretrained.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

__all__ = ["moving_average", "plot_training_curves", "plot_knn_before_after"]


def moving_average(values, window: int) -> np.ndarray:
    """Trailing mean over ``window`` steps (shorter at the start), same length as ``values``."""
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) == 0:
        return values
    cumsum = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    start = np.maximum(idx - window, 0)
    return (cumsum[idx] - cumsum[start]) / (idx - start)


def plot_training_curves(history: dict, title: str = "", window: int | None = None) -> Figure:
    """Three panels: InfoNCE loss per step, top-1 contrastive accuracy per loss term, 1-NN monitor.

    Raw values are drawn faintly, a trailing moving average on top.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    steps_log = history["steps"]  # the engine's history (skelviz.runs.engine)
    loss = np.asarray(steps_log["loss"], dtype=float)
    window = window or max(1, len(loss) // 20)
    steps = np.arange(1, len(loss) + 1)
    fig = Figure(figsize=(13, 3.6), layout="constrained")
    ax_loss, ax_acc, ax_knn = fig.subplots(1, 3)
    ax_loss.plot(steps, loss, color="0.75", lw=0.8)
    ax_loss.plot(steps, moving_average(loss, window), color="C0", lw=1.8, label=f"mean of {window}")
    ax_loss.set(xlabel="step", ylabel="loss (sum of InfoNCE terms)", title="contrastive loss")
    ax_loss.legend(loc="upper right", fontsize=8)
    accuracy = {k.split("/", 1)[1]: v for k, v in steps_log.items() if k.startswith("accuracy/")}
    for i, (term, acc) in enumerate(accuracy.items()):
        acc = 100 * np.asarray(acc, dtype=float)
        ax_acc.plot(steps, acc, color=f"C{i}", lw=0.6, alpha=0.3)
        ax_acc.plot(steps, moving_average(acc, window), color=f"C{i}", lw=1.8, label=term)
    ax_acc.set(
        xlabel="step",
        ylabel="top-1 of (1 + K) logits, %",
        title="contrastive accuracy",
        ylim=(0, 100),
    )
    ax_acc.legend(loc="lower right", fontsize=8)
    monitor = [record for record in history["epochs"] if "knn" in record]
    if monitor:
        epochs = [m["epoch"] for m in monitor]
        for i, name in enumerate(monitor[0]["knn"]):
            ax_knn.plot(
                epochs,
                [100 * m["knn"][name] for m in monitor],
                "o-",
                color=f"C{i}",
                label=f"{name} encoder",
            )
        ax_knn.legend(loc="lower right", fontsize=8)
    ax_knn.set(
        xlabel="epoch (0 = untrained)", ylabel="1-NN accuracy, %", title="cosine 1-NN monitor"
    )
    if title:
        fig.suptitle(title)
    return fig


def plot_knn_before_after(
    results: dict[str, dict[str, float]], title: str = "", chance: float | None = None
) -> Figure:
    """Grouped bars: ``{encoder: {"untrained": acc, "pretrained": acc}}`` (fractions), in %.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    names = list(results)
    x = np.arange(len(names))
    fig = Figure(figsize=(3.2 + 1.4 * len(names), 3.6), layout="constrained")
    ax = fig.subplots()
    for i, (key, offset) in enumerate((("untrained", -0.2), ("pretrained", 0.2))):
        values = [100 * results[n][key] for n in names]
        bars = ax.bar(
            x + offset, values, width=0.38, color=f"C{i + 7}" if i == 0 else "C0", label=key
        )
        ax.bar_label(bars, fmt="%.1f", fontsize=8)
    if chance is not None:
        ax.axhline(100 * chance, color="0.4", ls="--", lw=1, label="chance")
    ax.set_xticks(x, names)
    ax.set(ylabel="1-NN accuracy, %", ylim=(0, 100))
    ax.set_title("\n".join(textwrap.wrap(title or "cosine 1-NN: before vs after", 36)), fontsize=10)
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    return fig
