"""Downstream tasks (linear, knn): the probe trains only its classifier, the backbone stays
bit-identical, kNN with the query in its gallery finds the query, runs reuse their pretraining."""

import json

import numpy as np
import pytest
import torch
from test_runs import toy_data

from skelviz.evaluate import knn_accuracy
from skelviz.runs.api import load_run, run
from skelviz.runs.config import resolve_config
from skelviz.runs.tasks.linear import confusion_matrix
from skelviz.runs.tasks.pretrain import build_moco
from skelviz.skeleton import KINECT_V1_20


def config(**overrides):
    base = {
        "representations": "seq+stg", "preset": "tiny", "embed_dim": 8, "queue_size": 16,
        "batch_size": 8, "epochs": 2, "frames": 8, "monitor_every": 1, "checkpoint_every": 1,
        "min_steps_per_epoch": 0,
        "device": "cpu", "linear.epochs": 3, "linear.milestones": (2,), "linear.batch_size": 8,
    }  # fmt: skip
    return resolve_config("ci", **{**base, **overrides})


def go(task, tmp_path, data=None, **overrides):
    return run(task, config(**overrides), data=data or toy_data(), output_dir=tmp_path,
               progress=False, say=lambda *_: None)  # fmt: skip


def test_the_linear_probe_trains_two_tensors_and_leaves_the_backbone_bit_identical(tmp_path):
    probe = go("linear", tmp_path)
    assert probe.metrics["trained_tensors"] == ["classifier.weight", "classifier.bias"]
    assert probe.metrics["backbone_unchanged"] is True
    pretrained = load_run(next((tmp_path / "runs" / "pretrain").iterdir()))
    assert probe.metrics["source"] == pretrained.name
    before = pretrained.encoders()["seq"].state_dict()
    after = load_run(probe.folder).model().encoder.parts["seq"].state_dict()
    assert before.keys() == after.keys()
    for key, tensor in before.items():
        assert torch.equal(tensor, after[key]), key  # weights and BatchNorm statistics
    classifier = load_run(probe.folder).model().classifier
    assert classifier.weight.shape == (4, pretrained.encoders()["seq"].feature_dim)
    encoder_params = sum(p.numel() for p in pretrained.encoders()["seq"].parameters())
    assert probe.metrics["inference_parameters"] == encoder_params + classifier.weight.numel() + 4


def test_the_sanity_check_fails_when_the_backbone_moves(tmp_path):
    from skelviz.runs.tasks.linear import LinearJob

    job = LinearJob(config(**{"linear.pretrained": False}), toy_data(), torch.device("cpu"))
    with torch.no_grad():
        next(job.model.encoder.parameters()).add_(1.0)
    with pytest.raises(RuntimeError, match="changed frozen backbone tensors"):
        job.sanity_check()


def test_an_untrained_probe_reads_the_encoder_as_pretraining_starts_it(tmp_path):
    probe = go("linear", tmp_path, **{"linear.pretrained": False})
    assert probe.metrics["source"] == "untrained" and "untrained" in probe.name
    assert not (tmp_path / "runs" / "pretrain").exists()  # nothing was pretrained for it
    initial = build_moco(probe.config, KINECT_V1_20, 1).query_nets["seq"].encoder.state_dict()
    loaded = load_run(probe.folder).model().encoder.parts["seq"].state_dict()
    assert all(torch.equal(initial[k], loaded[k]) for k in initial)


def test_a_linear_run_reports_the_last_epoch_and_labels_test_selection(tmp_path):
    m = go("linear", tmp_path).metrics
    history = json.loads(
        (next((tmp_path / "runs" / "linear").iterdir()) / "history.json").read_text()
    )
    curve = [r["test_top1"] for r in history["epochs"]]
    assert m["top1"] == pytest.approx(curve[-1])  # the last epoch, not the best one
    assert m["top1_best_test_epoch"] == pytest.approx(max(curve[1:]))
    assert len(curve) == 4  # before training and after each of the 3 epochs
    assert sum(sum(row) for row in m["confusion_matrix"]) == 12  # every test sequence once


def test_concatenated_features_are_both_encoders(tmp_path):
    m = go("knn", tmp_path, **{"knn.representation": "seq+stg"}).metrics
    encoders = load_run(next((tmp_path / "runs" / "pretrain").iterdir())).encoders()
    assert m["feature_dim"] == encoders["seq"].feature_dim + encoders["stg"].feature_dim
    assert set(m["top1_by_k"]) == {"1", "5", "10", "20"}
    assert all(0 <= v <= 1 for v in m["top1_by_k"].values())


def test_knn_with_the_query_in_the_gallery_returns_the_querys_label():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(30, 16))
    labels = rng.integers(0, 5, size=30)
    assert knn_accuracy(features, labels, features, labels, k=1) == 1.0
    assert knn_accuracy(features, labels, features[:5] * 3.0, labels[:5], k=1) == 1.0  # cosine


def test_downstream_runs_reuse_one_pretraining_run(tmp_path):
    go("linear", tmp_path)
    go("knn", tmp_path)
    assert len(list((tmp_path / "runs" / "pretrain").iterdir())) == 1


def test_confusion_matrix_counts_by_hand():
    matrix = confusion_matrix(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 0]), 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_a_linear_run_resumes_to_the_uninterrupted_result(tmp_path):
    straight = go("linear", tmp_path / "a")
    first = run("linear", config(), data=toy_data(), output_dir=tmp_path / "b", progress=False,
                stop_after=1, say=lambda *_: None)  # fmt: skip
    assert not first.complete
    resumed = go("linear", tmp_path / "b")
    assert resumed.history["steps"] == straight.history["steps"]
    assert resumed.metrics["top1"] == straight.metrics["top1"]


def test_combined_features_from_separate_intra_runs(tmp_path):
    probe = go(
        "linear", tmp_path, **{"linear.representation": "seq+stg", "linear.separately": True}
    )
    names = sorted(p.name.rsplit("-", 1)[0] for p in (tmp_path / "runs" / "pretrain").iterdir())
    assert names == ["intra_seq", "intra_stg"]  # one intra run per encoder, no inter run
    assert probe.metrics["source"].count("intra_") == 2 and "intra_separately" in probe.name
    intra_seq = load_run(next((tmp_path / "runs" / "pretrain").glob("intra_seq-*")))
    loaded = load_run(probe.folder).model().encoder.parts["seq"].state_dict()
    assert all(
        torch.equal(v, loaded[k]) for k, v in intra_seq.encoders()["seq"].state_dict().items()
    )


def test_standardized_probe_is_a_linear_map_of_standardized_features(tmp_path):
    from skelviz.runs.tasks.linear import LinearProbe

    torch.manual_seed(0)
    feats = torch.randn(50, 6) * torch.tensor([1.0, 2, 3, 4, 5, 6]) + 7  # (N, D)

    class Identity(torch.nn.Module):
        feature_dim = 6

        def forward(self, x):
            return x

    probe = LinearProbe(Identity(), num_classes=3)
    probe.standardize_with(feats)
    z = (feats - feats.mean(0)) / feats.std(0)  # by hand
    expected = z @ probe.classifier.weight.T + probe.classifier.bias
    assert torch.allclose(probe.classify(feats), expected, atol=1e-5)
    assert [n for n, p in probe.named_parameters() if p.requires_grad] == [
        "classifier.weight",
        "classifier.bias",
    ]
    dead = feats.clone()
    dead[:, 2] = 0.0  # a unit dead on every training sequence
    probe.standardize_with(dead)
    assert probe.feature_std[2] == 1.0 and probe.feature_mean[2] == 0.0
    alive = dead[:1].clone()
    alive[0, 2] = 3.0  # alive on one test sequence: its standardised value stays 3, not 3e6
    by_hand = (alive - probe.feature_mean) / probe.feature_std
    assert by_hand[0, 2] == 3.0 and torch.isfinite(probe.classify(alive)).all()


def test_validation_probe_trains_and_scores_inside_the_train_part(tmp_path):
    data = toy_data()
    result = go("linear", tmp_path, data=data, **{"linear.split": "validation"})
    gallery, queries = data.validation()
    job_total = len(gallery) + len(queries)
    assert job_total == len(data.train) and result.metrics["split"] == "validation"
    assert result.folder.root.name.startswith("seq_from_inter_seq-stg_validation")
    # scored on the validation queries: the confusion matrix counts exactly them
    assert sum(map(sum, result.metrics["confusion_matrix"])) == len(queries)
