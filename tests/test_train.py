"""Pretraining loop: resume equals an uninterrupted run, atomic checkpoints, caching, loading."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skelviz.checkpoint import CheckpointError, load_checkpoint
from skelviz.config import ConfigError, resolve_config
from skelviz.dataset import SkeletonDataset
from skelviz.skeleton import KINECT_V1_20
from skelviz.train import cached_pretrain, load_pretrained, pretrain


class PooledMLP(nn.Module):
    """Per-joint MLP, then the mean over persons, frames and joints: (N, M, T, V, C) -> (N, 16)."""

    feature_dim = 16

    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(3, 16), nn.ReLU())

    def forward(self, x):
        return self.mlp(x).mean(dim=(1, 2, 3))


class SmallNet(nn.Module):
    """A stand-in embedding net (encoder + head + L2 norm), fast enough for many tiny runs."""

    def __init__(self):
        super().__init__()
        self.encoder = PooledMLP()
        self.head = nn.Linear(16, 8)

    def forward(self, x):  # (N, M, T, V, C) -> (N, 8)
        return F.normalize(self.head(self.encoder(x)), dim=1)


def factory(representation):
    return SmallNet()


def make_dataset(n=40, seed=0):
    rng = np.random.default_rng(seed)
    seqs = [
        rng.normal(size=(1, int(t), 20, 3)).astype(np.float32) + (i % 4)
        for i, t in enumerate(rng.integers(6, 14, size=n))
    ]
    labels = np.arange(n) % 4
    return SkeletonDataset(
        "toy",
        KINECT_V1_20,
        seqs,
        labels,
        ("a", "b", "c", "d"),
        np.zeros(n),
        np.zeros(n),
        tuple(f"s{i}" for i in range(n)),
    )


def config(**overrides):
    base = dict(
        dataset="toy",
        representations=("seq", "stg"),
        embed_dim=8,
        queue_size=16,
        batch_size=8,
        epochs=4,
        frames=8,
        monitor_every=1,
        checkpoint_every=1,
        optimizer="sgd",
        lr=0.05,
        device="cpu",
    )
    return resolve_config("ci", **{**base, **overrides})


def test_resume_after_interruption_equals_uninterrupted_run(tmp_path):
    data, monitor = make_dataset(), (make_dataset(16, 1), make_dataset(8, 2))
    cfg = config()
    straight = pretrain(cfg, data, monitor, tmp_path / "a", progress=False, net_factory=factory)
    first = pretrain(
        cfg, data, monitor, tmp_path / "b", progress=False, stop_after=2, net_factory=factory
    )
    assert len(first.history["loss"]) == 2 * 5 and not load_checkpoint(first.checkpoint)["complete"]
    resumed = pretrain(cfg, data, monitor, tmp_path / "b", progress=False, net_factory=factory)
    assert load_checkpoint(resumed.checkpoint)["complete"]
    assert resumed.history["loss"] == straight.history["loss"]
    assert resumed.history["monitor"] == straight.history["monitor"]
    for (name, a), b in zip(
        straight.model.state_dict().items(), resumed.model.state_dict().values()
    ):
        assert torch.equal(a, b), name  # weights, key nets and queues
    assert len(straight.history["loss"]) == 4 * 5  # 40 samples / batch 8, 4 epochs


def test_history_monitor_and_checkpoint_contents(tmp_path):
    cfg = config(epochs=2, monitor_every=2)
    result = pretrain(
        cfg,
        make_dataset(),
        (make_dataset(12, 1), make_dataset(8, 2)),
        tmp_path,
        progress=False,
        net_factory=factory,
    )
    hist = result.history
    assert set(hist["accuracy"]) == {"seq->stg", "stg->seq"}
    assert all(0.0 <= a <= 1.0 for a in hist["accuracy"]["seq->stg"])
    assert [m["epoch"] for m in hist["monitor"]] == [0, 2]  # untrained, then after epoch 2
    assert set(hist["monitor"][0]["knn"]) == {"seq", "stg"}
    assert result.checkpoint.name.startswith("isc-") and result.checkpoint.suffix == ".pt"
    assert [p.name for p in tmp_path.iterdir()] == [result.checkpoint.name]  # no temp files left
    state = load_checkpoint(result.checkpoint)
    assert {"optimizer", "scheduler", "data_generator", "aug_generator", "history"} <= set(state)
    assert any(key.startswith("queues.seq") for key in state["model"])


def test_same_seed_same_result_different_seed_different(tmp_path):
    data = make_dataset()
    runs = [
        pretrain(
            config(epochs=1, seed=s),
            data,
            None,
            tmp_path / str(i),
            progress=False,
            net_factory=factory,
            resume=False,
        )
        for i, s in enumerate((0, 0, 1))
    ]
    assert runs[0].history["loss"] == runs[1].history["loss"]
    assert runs[0].history["loss"] != runs[2].history["loss"]


def test_cached_pretrain_loads_without_training(tmp_path):
    data, cfg = make_dataset(), config(epochs=1)
    first = cached_pretrain(cfg, data, None, tmp_path, progress=False, net_factory=factory)
    calls = []

    def counting_factory(rep):
        calls.append(rep)
        return SmallNet()

    again = cached_pretrain(cfg, data, None, tmp_path, progress=False, net_factory=counting_factory)
    assert again.history["loss"] == first.history["loss"]
    assert len(calls) == 2  # nets rebuilt to load the weights, but no new training steps
    assert all(
        torch.equal(a, b)
        for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values())
    )


def test_load_pretrained_gives_headless_encoders(tmp_path):
    result = pretrain(
        config(epochs=1), make_dataset(), None, tmp_path, progress=False, net_factory=factory
    )
    cfg, encoders = load_pretrained(result.checkpoint, net_factory=factory)
    assert cfg == config(epochs=1) and set(encoders) == {"seq", "stg"}
    x = torch.randn(3, 1, 8, 20, 3)
    assert encoders["seq"](x).shape == (3, 16) and not encoders["seq"].training
    assert torch.equal(encoders["stg"](x), result.encoders["stg"](x))


def test_truncated_checkpoint_and_other_data_are_rejected(tmp_path):
    result = pretrain(
        config(epochs=1), make_dataset(), None, tmp_path, progress=False, net_factory=factory
    )
    with pytest.raises(CheckpointError, match="other data"):
        pretrain(
            config(epochs=1), make_dataset(48), None, tmp_path, progress=False, net_factory=factory
        )
    result.checkpoint.write_bytes(result.checkpoint.read_bytes()[:100])
    with pytest.raises(CheckpointError, match=result.checkpoint.name):
        load_checkpoint(result.checkpoint)


def test_queue_not_smaller_than_epoch_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="queue_size"):
        pretrain(
            config(queue_size=40),
            make_dataset(),
            None,
            tmp_path,
            progress=False,
            net_factory=factory,
        )


def test_intra_with_real_tiny_encoders(tmp_path):
    cfg = config(representations=("stg",), preset="tiny", embed_dim=16, epochs=1)
    data = make_dataset()
    result = pretrain(cfg, data, (data, make_dataset(8, 2)), tmp_path, progress=False)
    assert set(result.history["accuracy"]) == {"stg"} and len(result.history["loss"]) == 5
    assert np.isfinite(result.history["loss"]).all()
    _, encoders = load_pretrained(result.checkpoint)
    assert encoders["stg"](torch.randn(2, 1, 8, 20, 3)).shape == (2, encoders["stg"].feature_dim)


def test_an_encoder_starts_from_the_same_weights_in_intra_and_inter():
    from skelviz.train import build_moco

    inter = build_moco(config(representations=("seq", "stg")), KINECT_V1_20, 1, factory)
    intra = build_moco(config(representations=("stg",)), KINECT_V1_20, 1, factory)
    for a, b in zip(inter.query_nets["stg"].parameters(), intra.query_nets["stg"].parameters()):
        assert torch.equal(a, b)


def test_cli_uses_the_notebooks_config_names(tmp_path):
    import json

    from skelviz.config import config_hash
    from skelviz.pretrain import main, notebook_config

    summary = main(
        [
            "--profile",
            "ci",
            "--set",
            "epochs=1",
            "--set",
            "representations=seq+stg",
            "--output-dir",
            str(tmp_path),
            "--json",
            str(tmp_path / "s.json"),
            "--no-progress",
        ]
    )
    expected = notebook_config("ci", "seq+stg", "synthetic", summary["train_samples"], epochs=1)
    assert summary["checkpoint"].endswith(f"inter_seq-stg-{config_hash(expected)}.pt")
    assert set(summary["knn_1nn"]) == {"seq", "stg"}
    assert json.loads((tmp_path / "s.json").read_text())["config_hash"] == config_hash(expected)


def test_cli_stop_after_must_be_positive(capsys):
    from skelviz.pretrain import main

    with pytest.raises(SystemExit):
        main(["--profile", "ci", "--stop-after", "0"])
    assert "--stop-after must be >= 1, got 0" in capsys.readouterr().err


def test_moving_average_and_curve_figure():
    from skelviz.train_plots import moving_average, plot_knn_before_after, plot_training_curves

    assert np.allclose(moving_average([1, 2, 3, 4], 2), [1.0, 1.5, 2.5, 3.5])
    history = {
        "loss": [3.0, 2.0, 1.0],
        "accuracy": {"seq->stg": [0.1, 0.2, 0.3], "stg->seq": [0.0, 0.1, 0.2]},
        "monitor": [{"epoch": 0, "knn": {"seq": 0.3}}, {"epoch": 1, "knn": {"seq": 0.4}}],
    }
    fig = plot_training_curves(history, title="t")
    loss_ax, acc_ax, knn_ax = fig.axes
    assert len(acc_ax.get_legend().get_texts()) == 2
    assert list(knn_ax.lines[0].get_ydata()) == [30.0, 40.0]
    bars = plot_knn_before_after({"seq": {"untrained": 0.3, "pretrained": 0.4}}, chance=0.1)
    assert [round(p.get_height(), 6) for p in bars.axes[0].patches] == [30.0, 40.0]
