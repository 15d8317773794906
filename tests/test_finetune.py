"""Fine-tuning (task finetune): class-balanced seeded label subsets shared by pretrained and scratch
runs, transfer carries only the encoder into a model with another class count, scratch starts
from the untrained encoder, the encoder trains (unlike the linear probe), runs resume exactly."""

import numpy as np
import pytest
import torch
from test_runs import make_dataset, toy_data, untimed

from skelviz.dataset import SkeletonDataset
from skelviz.runs.api import load_run, run
from skelviz.runs.config import ConfigError, resolve_config
from skelviz.runs.data import RunData, fingerprint
from skelviz.runs.tasks import finetune
from skelviz.runs.tasks.downstream import batch_bounds
from skelviz.runs.tasks.finetune import FinetuneJob, label_subset
from skelviz.runs.tasks.pretrain import build_moco
from skelviz.skeleton import KINECT_V1_20

CPU = torch.device("cpu")


def config(**overrides):
    base = {
        "representations": "seq+stg", "preset": "tiny", "embed_dim": 8, "queue_size": 16,
        "batch_size": 8, "epochs": 2, "frames": 8, "monitor_every": 1, "checkpoint_every": 1,
        "min_steps_per_epoch": 0,
        "device": "cpu", "finetune.epochs": 3, "finetune.milestones": (2,),
        "finetune.batch_size": 8, "finetune.lr": 1e-3,
    }  # fmt: skip
    return resolve_config("ci", **{**base, **overrides})


def go(tmp_path, data=None, task="finetune", **overrides):
    return run(task, config(**overrides), data=data or toy_data(), output_dir=tmp_path,
               progress=False, say=lambda *_: None)  # fmt: skip


def three_class_data(n=30) -> RunData:
    """Another dataset of the same skeleton shape with 3 classes instead of 4."""
    base = make_dataset(n, seed=5, shift=0.3)
    data = SkeletonDataset(
        "toy3", KINECT_V1_20, base.sequences, np.arange(n) % 3, ("x", "y", "z"), np.zeros(n),
        np.zeros(n), tuple(f"t{i}" for i in range(n)),
    )  # fmt: skip
    train, test = data.subset(range(n - 9)), data.subset(range(n - 9, n))
    return RunData(train, test, "toy", fingerprint(data))


def upstream_for(tmp_path, data):
    def upstream(task, cfg, data=data):
        return run(task, cfg, data=data, output_dir=tmp_path, progress=False, say=lambda *_: None)

    return upstream


# --- labelled subsets --------------------------------------------------------------------------
def test_label_subsets_are_class_balanced_and_keep_one_per_class():
    labels = np.repeat(np.arange(5), [100, 60, 40, 20, 3])  # (223,) unbalanced classes
    subset = label_subset(labels, 0.1, seed=0)
    assert np.bincount(labels[subset]).tolist() == [10, 6, 4, 2, 1]  # 10 % of each, >= 1
    assert np.all(np.diff(subset) > 0)  # sorted, no repeats
    assert np.bincount(labels[label_subset(labels, 0.01, 0)]).tolist() == [1, 1, 1, 1, 1]
    assert label_subset(labels, 1.0, 3).tolist() == list(range(223))


def test_label_subsets_are_seeded_and_nested():
    labels = np.arange(400) % 4
    a, b, c = (label_subset(labels, 0.05, seed) for seed in (0, 0, 1))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert set(a) <= set(label_subset(labels, 0.2, 0))  # one seed: 5 % inside 20 %


def test_pretrained_and_scratch_runs_train_on_the_same_subset(tmp_path):
    data = toy_data()
    jobs = {
        init: FinetuneJob(
            config(**{"finetune.init": init, "finetune.label_fraction": 0.25}),
            data, CPU, upstream=upstream_for(tmp_path, data),
        )
        for init in ("pretrained", "scratch")
    }  # fmt: skip
    assert np.array_equal(jobs["pretrained"].labelled, jobs["scratch"].labelled)
    assert np.bincount(data.train.labels[jobs["scratch"].labelled]).tolist() == [2, 2, 2, 2]
    other = FinetuneJob(
        config(**{"finetune.init": "scratch", "finetune.label_fraction": 0.25,
                  "finetune.subset_seed": 1}), data, CPU,
    )  # fmt: skip
    assert not np.array_equal(other.labelled, jobs["scratch"].labelled)


def test_a_lone_last_sequence_joins_the_batch_before_it():
    assert batch_bounds(17, 8) == [(0, 8), (8, 17)]  # BatchNorm cannot train on one sequence
    assert batch_bounds(18, 8) == [(0, 8), (8, 16), (16, 18)]
    assert batch_bounds(1, 8) == [(0, 1)] and batch_bounds(10, 64) == [(0, 10)]


# --- where the encoder comes from --------------------------------------------------------------
def test_scratch_starts_from_the_untrained_encoder(tmp_path):
    cfg = config(**{"finetune.init": "scratch"})
    job = FinetuneJob(cfg, toy_data(), CPU)
    initial = build_moco(cfg, KINECT_V1_20, 1).query_nets["seq"].encoder.state_dict()
    loaded = job.model.encoder.parts["seq"].state_dict()
    assert initial.keys() == loaded.keys()
    assert all(torch.equal(initial[k], loaded[k]) for k in initial)
    result = go(tmp_path, **{"finetune.init": "scratch"})
    assert result.metrics["source"] == "scratch" and result.name.startswith("seq_all_s0_scratch")
    assert not (tmp_path / "runs" / "pretrain").exists()  # nothing was pretrained for it


def test_transfer_carries_only_the_encoder_into_a_model_with_another_class_count(
    tmp_path, monkeypatch
):
    source, target = toy_data(), three_class_data()  # 4 classes, then 3
    monkeypatch.setattr(finetune, "_source_data", lambda cfg: source)  # no reader for toy data
    overrides = {"finetune.source_dataset": "synthetic", "finetune.source_protocol": "toy"}
    cfg, notes = finetune.adjust(config(**overrides), target)
    assert cfg.finetune.source_fingerprint == source.fingerprint and notes == []
    pretrained = run("pretrain", finetune.source_config(cfg), data=source, output_dir=tmp_path,
                     progress=False, say=lambda *_: None)  # fmt: skip
    job = FinetuneJob(cfg, target, CPU, upstream=upstream_for(tmp_path, target))
    before = pretrained.encoders()["seq"].state_dict()
    loaded = job.model.encoder.parts["seq"].state_dict()
    assert all(torch.equal(before[k], loaded[k]) for k in before)  # the encoder, as pretrained
    assert job.model.classifier.out_features == 3  # a new classifier for the target's classes
    assert job.source == f"synthetic/{pretrained.name}"

    result = go(tmp_path, data=target, **overrides)  # through run(): the source run is reused
    assert len(list((tmp_path / "runs" / "pretrain").iterdir())) == 1
    assert result.metrics["source"] == f"synthetic/{pretrained.name}"
    assert len(result.metrics["per_class_top1"]) == 3 and result.metrics["chance"] == 1 / 3
    assert "from_synthetic_inter_seq-stg" in result.name
    model = load_run(result.folder).model()
    assert model.classifier.weight.shape == (3, model.encoder.feature_dim)


def test_transfer_needs_the_same_skeleton_shape(monkeypatch):
    source = toy_data()
    layout = KINECT_V1_20
    other = make_dataset(20)
    other.sequences = [np.concatenate([s, s], axis=0) for s in other.sequences]  # 2 persons
    other = SkeletonDataset("two", layout, other.sequences, other.labels, other.class_names,
                            other.subjects, other.views, other.sample_names)  # fmt: skip
    target = RunData(other.subset(range(12)), other.subset(range(12, 20)), "toy", "x")
    monkeypatch.setattr(finetune, "_source_data", lambda cfg: source)
    with pytest.raises(ConfigError, match="equal skeleton shapes"):
        finetune.adjust(config(**{"finetune.source_dataset": "synthetic"}), target)


def test_a_scratch_run_ignores_the_source_and_is_the_transfer_baseline(tmp_path):
    plain = go(tmp_path, data=three_class_data(), **{"finetune.init": "scratch"})
    cfg, notes = finetune.adjust(
        config(**{"finetune.init": "scratch", "finetune.source_dataset": "nw-ucla"}),
        three_class_data(),
    )
    assert cfg == plain.config and "dropped" in notes[0]  # the same key: the same run


def test_the_real_source_path_synthetic_to_a_smaller_variant(tmp_path):
    """Pretrain on the synthetic set, fine-tune on a differently seeded, smaller one."""
    source_options = {"samples_per_class": 6}
    common = {"dataset": "synthetic", "frames": 8, "batch_size": 8, "queue_size": 8,
              "epochs": 1, "finetune.epochs": 1}  # fmt: skip
    cfg = config(**common, dataset_options={"samples_per_class": 2, "seed": 1},
                 **{"finetune.source_dataset": "synthetic",
                    "finetune.source_dataset_options": source_options})  # fmt: skip
    result = run("finetune", cfg, output_dir=tmp_path, progress=False, say=lambda *_: None)
    source = run("pretrain", config(**common, dataset_options=source_options),
                 output_dir=tmp_path, progress=False, say=lambda *_: None)  # fmt: skip
    assert result.metrics["source"] == f"synthetic/{source.name}"  # reused, not trained again
    assert result.facts["train_samples"] < source.facts["train_samples"]


# --- training ----------------------------------------------------------------------------------
def test_the_encoder_trains_unlike_in_the_linear_probe(tmp_path):
    tuned = go(tmp_path, **{"finetune.representation": "stg"})
    probe = go(tmp_path, task="linear", **{"linear.representation": "stg"})
    pretrained = load_run(next((tmp_path / "runs" / "pretrain").iterdir()))
    before = pretrained.encoders()["stg"].state_dict()
    tuned_encoder = load_run(tuned.folder).model().encoder.parts["stg"].state_dict()
    probed_encoder = load_run(probe.folder).model().encoder.parts["stg"].state_dict()
    assert all(torch.equal(before[k], probed_encoder[k]) for k in before)
    moved = [k for k in before if not torch.equal(before[k], tuned_encoder[k])]
    assert any(k.endswith("running_mean") for k in moved)  # BatchNorm statistics updated
    assert any(k.endswith("weight") and "bn" not in k for k in moved)  # and the weights
    change = tuned.metrics["encoder_change"]
    assert change["relative_l2"] > 0 and change["tensors_changed"] == len(moved)
    assert tuned.metrics["source"] == pretrained.name and tuned.metrics["init"] == "pretrained"


def test_a_finetune_run_reports_the_last_epoch_and_its_subset(tmp_path):
    m = go(tmp_path, **{"finetune.label_fraction": 0.25, "finetune.test_every": 2}).metrics
    history = load_run(next((tmp_path / "runs" / "finetune").iterdir())).history
    assert [r["epoch"] for r in history["epochs"]] == [0, 2, 3]  # every 2nd epoch and the last
    assert m["top1"] == pytest.approx(history["epochs"][-1]["test_top1"])
    assert m["labelled_samples"] == 8 and m["labelled_per_class"] == [2, 2, 2, 2]
    assert len(history["steps"]["loss"]) == 3  # one batch of 8 per epoch
    assert 0 <= m["top1"] <= 1 and set(m["per_class_top1"]) == {"a", "b", "c", "d"}


def test_a_finetune_run_resumes_to_the_uninterrupted_result(tmp_path):
    straight = go(tmp_path / "a")
    first = run("finetune", config(), data=toy_data(), output_dir=tmp_path / "b",
                progress=False, stop_after=1, say=lambda *_: None)  # fmt: skip
    assert not first.complete
    resumed = go(tmp_path / "b")
    assert resumed.history["steps"] == straight.history["steps"]
    assert untimed(resumed.history["epochs"]) == untimed(straight.history["epochs"])
    assert resumed.metrics["top1"] == straight.metrics["top1"]
    a, b = straight.model().state_dict(), resumed.model().state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_finetune_config_is_validated_and_one_fraction_is_one_run():
    with pytest.raises(ConfigError, match="label_fraction"):
        config(**{"finetune.label_fraction": 0.0})
    with pytest.raises(ConfigError, match="finetune.init"):
        config(**{"finetune.init": "imagenet"})
    with pytest.raises(ConfigError, match="finetune.representation"):
        config(representations="seq", **{"finetune.representation": "stg"})
    with pytest.raises(ConfigError, match="only with a finetune.source_dataset"):
        config(**{"finetune.source_protocol": "cross_view"})
    assert config(**{"finetune.label_fraction": 1}) == config()
