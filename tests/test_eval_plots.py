"""Figures of the downstream evaluation: what each draws is what it was given."""

import numpy as np
from test_runs import make_dataset

from skelviz.eval_plots import (
    plot_confusion,
    plot_knn_sweep,
    plot_retrieval,
    plot_tsne_panels,
    tsne_class_subsets,
    tsne_embed,
)


def test_knn_sweep_draws_each_curve_in_percent():
    fig = plot_knn_sweep({"a": {"1": 0.5, "5": 0.25}, "b": {1: 0.1, 5: 0.2}}, chance=0.1)
    ax = fig.axes[0]
    assert list(ax.lines[0].get_ydata()) == [50.0, 25.0] and list(ax.lines[1].get_ydata()) == [
        10,
        20,
    ]
    assert list(ax.lines[0].get_xdata()) == [1, 5]


def test_confusion_rows_are_normalised_and_labelled_with_their_accuracy():
    fig = plot_confusion([[3, 1], [0, 2]], ["walk", "run"])
    ax = fig.axes[0]
    assert np.allclose(ax.images[0].get_array(), [[75, 25], [0, 100]])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["walk  75%", "run  100%"]


def test_tsne_subsets_of_ten_classes_and_a_seeded_embedding():
    assert tsne_class_subsets(np.arange(8), 8) == [list(range(8))]
    subsets = tsne_class_subsets(np.arange(60), 60, seed=1)
    assert len(subsets) == 3 and all(len(s) == len(set(s)) == 10 for s in subsets)
    assert subsets == tsne_class_subsets(np.arange(60), 60, seed=1)
    x = np.random.default_rng(0).normal(size=(30, 5))
    assert np.allclose(tsne_embed(x, seed=2), tsne_embed(x, seed=2))
    fig = plot_tsne_panels({"a": tsne_embed(x), "b": x[:, :2]}, np.arange(30) % 3, ["p", "q", "r"])
    assert len(fig.axes) == 2 and len(fig.axes[0].collections) == 3  # one scatter per class


def test_retrieval_frames_neighbours_of_the_query_class_green_and_others_red():
    data = make_dataset(12)  # labels i % 4
    fig = plot_retrieval({"space": [(0, [4, 1])]}, data, data, data.layout)
    _, same, other = fig.axes[:3]
    from matplotlib.colors import to_rgba

    assert same.spines["top"].get_edgecolor() == to_rgba("tab:green")
    assert other.spines["top"].get_edgecolor() == to_rgba("tab:red")
    assert same.get_title() == "1. a" and other.get_title() == "2. b"
