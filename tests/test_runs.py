"""Runs: the engine resumes to the uninterrupted result, the pretrain task trains, run folders are
reused only for the same key, hold JSON and tensors only, and are read without weights."""

import dataclasses
import json

import numpy as np
import pytest
import torch

from skelviz.dataset import SkeletonDataset
from skelviz.runs.api import load_run, run, run_key
from skelviz.runs.config import ConfigError, config_hash, resolve_config
from skelviz.runs.data import RunData, fingerprint, layout_from_dict, layout_to_dict
from skelviz.runs.store import RunError, find_runs
from skelviz.runs.tasks import get_task
from skelviz.runs.tasks.pretrain import build_moco
from skelviz.skeleton import KINECT_V1_20


def untimed(records: list[dict]) -> list[dict]:
    """Epoch records without their wall/CPU seconds (those differ between two runs)."""
    return [{k: v for k, v in r.items() if not k.endswith("_seconds")} for r in records]


def make_dataset(n=40, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    seqs = [
        rng.normal(size=(1, int(t), 20, 3)).astype(np.float32) + (i % 4) + shift
        for i, t in enumerate(rng.integers(6, 14, size=n))
    ]
    return SkeletonDataset(
        "toy", KINECT_V1_20, seqs, np.arange(n) % 4, ("a", "b", "c", "d"), np.zeros(n), np.zeros(n),
        tuple(f"s{i}" for i in range(n)),
    )  # fmt: skip


def toy_data(n=40, shift=0.0) -> RunData:
    data = make_dataset(n, shift=shift)
    train, test = data.subset(range(n - 12)), data.subset(range(n - 12, n))
    return RunData(train, test, "toy", fingerprint(data))


def config(**overrides):
    base = dict(
        representations="seq+stg", preset="tiny", embed_dim=8, queue_size=16, batch_size=8,
        epochs=3, frames=8, monitor_every=1, checkpoint_every=1, optimizer="sgd", lr=0.05,
        min_steps_per_epoch=0,
        device="cpu",
    )  # fmt: skip
    return resolve_config("ci", **{**base, **overrides})


def pretrain(tmp_path, data=None, **kwargs):
    overrides = {k: kwargs.pop(k) for k in list(kwargs) if k not in ("stop_after", "restart")}
    return run("pretrain", config(**overrides), data=data or toy_data(), output_dir=tmp_path,
               progress=False, say=lambda *_: None, **kwargs)  # fmt: skip


# --- engine: resume ----------------------------------------------------------------------------
def test_resume_after_interruption_equals_uninterrupted_run(tmp_path):
    straight = pretrain(tmp_path / "a")
    first = pretrain(tmp_path / "b", stop_after=1)
    assert not first.complete and first.epochs_done == 1
    assert first.folder.file("state.pt").is_file() and not first.folder.file("weights.pt").exists()
    second = pretrain(tmp_path / "b", stop_after=1)
    assert second.epochs_done == 2
    resumed = pretrain(tmp_path / "b")
    assert resumed.complete and resumed.epochs_done == 3
    assert resumed.history["steps"] == straight.history["steps"]
    assert untimed(resumed.history["epochs"]) == untimed(straight.history["epochs"])
    for (name, a), b in zip(
        straight.model().state_dict().items(), resumed.model().state_dict().values()
    ):
        assert torch.equal(a, b), name  # query nets, key nets and queues
    assert len(straight.history["steps"]["loss"]) == 3 * (28 // 8)
    assert not resumed.folder.file("state.pt").exists()  # a finished run keeps only its weights


@pytest.mark.parametrize("history_file", ["missing", "stale"])
def test_resume_after_a_kill_between_the_state_and_its_history(tmp_path, history_file):
    """A SIGKILL after ``state.pt`` was replaced but before ``history.json`` was: the history is
    missing (the first checkpoint) or one checkpoint behind; the resumed run still equals the
    uninterrupted one (the history travels inside ``state.pt``)."""
    straight = pretrain(tmp_path / "a")
    pretrain(tmp_path / "b", stop_after=1)
    behind = pretrain(tmp_path / "b", stop_after=1).folder.file("history.json")
    assert json.loads(behind.read_text())["epochs"][-1]["epoch"] == 2
    if history_file == "missing":
        behind.unlink()
    else:  # as the file stood at epoch 1
        history = json.loads(behind.read_text())
        history["epochs"] = [e for e in history["epochs"] if e["epoch"] <= 1]
        history["steps"] = {k: v[: 28 // 8] for k, v in history["steps"].items()}
        behind.write_text(json.dumps(history))
    resumed = pretrain(tmp_path / "b")
    assert resumed.complete
    assert resumed.history["steps"] == straight.history["steps"]
    assert untimed(resumed.history["epochs"]) == untimed(straight.history["epochs"])


def test_monitor_scores_the_weights_it_names(tmp_path):
    """The monitor's last record is the 1-NN of the trained encoders (recomputed here from the
    saved weights: scikit-learn's cosine 1-NN on features extracted anew), its first record that
    of the untrained ones, and training moved the features between the two (so equal accuracies
    at two epochs are a coincidence of a small query set, not a stale model)."""
    from sklearn.neighbors import KNeighborsClassifier

    from skelviz.evaluate import extract_features
    from skelviz.runs.tasks.pretrain import build_moco

    data = toy_data()
    result = pretrain(tmp_path, data=data, epochs=3, monitor_every=1)
    first, last = result.history["epochs"][0], result.history["epochs"][-1]
    gallery, queries = data.validation()
    frames = result.config.data.frames
    untrained = build_moco(result.config, data.layout, data.num_persons)

    def one_nn(encoder, fit_rows, fit_set, query_rows, query_set) -> float:
        fit = extract_features(encoder, fit_set, frames).numpy()[fit_rows]
        query = extract_features(encoder, query_set, frames).numpy()[query_rows]
        knn = KNeighborsClassifier(n_neighbors=1, metric="cosine", algorithm="brute")
        knn.fit(fit, fit_set.labels[fit_rows])
        return float(knn.score(query, query_set.labels[query_rows]))

    everything_train, everything_test = np.arange(len(data.train)), np.arange(len(data.test))
    for r, trained in result.encoders().items():
        start = untrained.query_nets[r].encoder
        for record, encoder in ((first, start), (last, trained)):
            test = one_nn(encoder, everything_train, data.train, everything_test, data.test)
            val = one_nn(encoder, gallery, data.train, queries, data.train)
            assert record["knn"][r] == pytest.approx(test, abs=1e-6), r
            assert record["knn_val"][r] == pytest.approx(val, abs=1e-6), r
        before = extract_features(start, data.test, frames)
        after = extract_features(trained, data.test, frames)
        assert (after - before).norm() > 0.1 * before.norm(), r


def test_history_metrics_and_folder_contents(tmp_path):
    result = pretrain(tmp_path, epochs=2, monitor_every=2)
    steps = result.history["steps"]
    assert {"loss", "lr", "accuracy/seq->stg", "accuracy/stg->seq"} == set(steps)
    assert all(0.0 <= a <= 1.0 for a in steps["accuracy/seq->stg"])
    assert [r["epoch"] for r in result.history["epochs"]] == [0, 2]  # untrained, then epoch 2
    assert sorted(p.name for p in result.folder.root.iterdir()) == [
        "config.json",
        "history.json",
        "metrics.json",
        "weights.pt",
    ]  # no temporary files left
    assert result.folder.root.parent == tmp_path / "runs" / "pretrain"
    assert result.folder.root.name.startswith("inter_seq-stg-")
    m = json.loads(result.folder.file("metrics.json").read_text())
    assert set(m["knn"]) == {"seq", "stg"} and m["epochs"] == 2 and m["machine"]["threads"] >= 1
    assert m["knn"]["seq"]["untrained"] == result.history["epochs"][0]["knn"]["seq"]
    stored = json.loads(result.folder.file("config.json").read_text())
    assert stored["key"] in result.folder.root.name and stored["config"]["optim"]["epochs"] == 2
    assert layout_from_dict(stored["data"]["layout"]) == KINECT_V1_20
    weights = torch.load(result.folder.file("weights.pt"), weights_only=True)
    assert any(key.startswith("queues.seq") for key in weights)


def test_same_seed_same_numbers_different_seed_different(tmp_path):
    runs = [pretrain(tmp_path / str(i), epochs=1, seed=s) for i, s in enumerate((0, 0, 1))]
    assert runs[0].history["steps"]["loss"] == runs[1].history["steps"]["loss"]
    assert runs[0].history["steps"]["loss"] != runs[2].history["steps"]["loss"]


def test_a_finished_run_is_reused_and_read_without_weights(tmp_path, monkeypatch):
    first = pretrain(tmp_path, epochs=1)
    import skelviz.runs.tasks.pretrain as task

    monkeypatch.setattr(task, "PretrainJob", None)  # reuse must not build or train anything
    again = pretrain(tmp_path, epochs=1)
    assert again.history == first.history and again.metrics == first.metrics
    monkeypatch.setattr(torch, "load", None)  # reading numbers never touches a tensor file
    listed = find_runs(tmp_path, "pretrain")
    assert [r.root for r in listed] == [first.folder.root]
    assert load_run(listed[0]).metrics == first.metrics


def test_encoders_are_headless_trained_and_in_eval_mode(tmp_path):
    result = pretrain(tmp_path, epochs=1)
    encoders = load_run(result.folder).encoders()
    x = torch.randn(3, 1, 8, 20, 3)
    assert set(encoders) == {"seq", "stg"} and not encoders["seq"].training
    assert encoders["seq"](x).shape == (3, encoders["seq"].feature_dim)
    assert torch.equal(encoders["stg"](x), result.encoders()["stg"](x))


def test_other_data_gives_another_run(tmp_path):
    a = pretrain(tmp_path, epochs=1)
    b = pretrain(tmp_path, data=toy_data(shift=0.5), epochs=1)  # same names, other coordinates
    assert a.folder.root != b.folder.root
    assert run_key(a.config, get_task("pretrain").SECTIONS, "x") != run_key(
        a.config, get_task("pretrain").SECTIONS, "y"
    )


def test_a_foreign_config_in_the_folder_is_named(tmp_path):
    a = pretrain(tmp_path, epochs=1)
    record = json.loads(a.folder.file("config.json").read_text())
    a.folder.file("config.json").write_text(json.dumps({**record, "key": "0123456789ab"}))
    with pytest.raises(RunError, match="belongs to run '0123456789ab'"):
        pretrain(tmp_path, epochs=1)


def test_truncated_and_code_carrying_files_are_refused(tmp_path):
    a = pretrain(tmp_path, epochs=1)
    weights = a.folder.file("weights.pt")
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(RunError, match="weights.pt: cannot be read.*--restart"):
        load_run(a.folder).model()
    marker = tmp_path / "marker"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    torch.save({"x": Payload()}, weights)
    with pytest.raises(RunError, match="refused"):
        load_run(a.folder).model()
    assert not marker.exists()  # the payload never ran


def test_queue_is_fitted_to_the_data_and_the_run_keyed_by_what_was_used(tmp_path, capsys):
    messages = []
    result = run("pretrain", config(queue_size=64, epochs=1), data=toy_data(), output_dir=tmp_path,
                 progress=False, say=messages.append)  # fmt: skip
    assert result.config.moco.queue_size == 16  # 28 samples -> 24 keys per epoch -> K = 16
    assert any("queue_size 64 -> 16" in m for m in messages)
    assert result.facts["adjusted"] and config_hash(result.config) != config_hash(
        config(queue_size=64)
    )
    with pytest.raises(ConfigError, match="larger than the 28 training"):
        pretrain(tmp_path, batch_size=32, queue_size=32)


def test_an_encoder_starts_from_the_same_weights_in_intra_and_inter():
    inter = build_moco(config(representations="seq+stg"), KINECT_V1_20, 1)
    intra = build_moco(config(representations="stg"), KINECT_V1_20, 1)
    for a, b in zip(inter.query_nets["stg"].parameters(), intra.query_nets["stg"].parameters()):
        assert torch.equal(a, b)


def test_config_switches_reach_the_model():
    stepwise = build_moco(config(representations="seq", gru="stepwise"), KINECT_V1_20, 1)
    assert stepwise.query_nets["seq"].encoder.stepwise
    final = build_moco(config(representations="seq+stg", gru="final"), KINECT_V1_20, 1)
    assert final.query_nets["seq"].encoder.readout == "final"  # the STG partner is untouched
    present = build_moco(config(person_pool="present"), KINECT_V1_20, 1)
    assert present.query_nets["stg"].encoder.person_pool == "present"
    with pytest.raises(ConfigError, match="gru"):
        config(gru="backwards")
    released = build_moco(
        config(representations="img", head_init="released", frames=16), KINECT_V1_20, 1
    )
    assert released.query_nets["img"].head.init == "released"


def test_pretraining_lowers_the_loss_once_the_queue_holds_real_keys(tmp_path):
    m = pretrain(tmp_path, representations="seq", epochs=6, lr=0.1).metrics
    steps = m["steps"] // 6
    assert m["loss_last_epoch"] < m["loss_epoch_2"]  # epoch 2: the first with a queue of real keys
    assert m["loss_epoch_1"] < m["loss_epoch_2"]  # epoch 1 starts with random, easy negatives
    assert steps == 28 // 8


def test_layout_round_trip():
    assert layout_from_dict(json.loads(json.dumps(layout_to_dict(KINECT_V1_20)))) == KINECT_V1_20


# --- plots ---------------------------------------------------------------------------------------
def test_moving_average_and_curve_figure():
    from skelviz.train_plots import moving_average, plot_knn_before_after, plot_training_curves

    assert np.allclose(moving_average([1, 2, 3, 4], 2), [1.0, 1.5, 2.5, 3.5])
    history = {
        "steps": {"loss": [3.0, 2.0, 1.0], "lr": [1, 1, 1], "accuracy/seq->stg": [0.1, 0.2, 0.3],
                  "accuracy/stg->seq": [0.0, 0.1, 0.2]},
        "epochs": [{"epoch": 0, "knn": {"seq": 0.3}}, {"epoch": 1, "knn": {"seq": 0.4}}],
    }  # fmt: skip
    fig = plot_training_curves(history, title="t")
    loss_ax, acc_ax, knn_ax = fig.axes
    assert len(acc_ax.get_legend().get_texts()) == 2
    assert list(knn_ax.lines[0].get_ydata()) == [30.0, 40.0]
    bars = plot_knn_before_after({"seq": {"untrained": 0.3, "pretrained": 0.4}}, chance=0.1)
    assert [round(p.get_height(), 6) for p in bars.axes[0].patches] == [30.0, 40.0]


def test_small_training_sets_get_smaller_batches_and_a_queue_below_one_epoch(tmp_path):
    from skelviz.runs.tasks import pretrain as task

    data = toy_data(n=112)  # 100 training sequences
    cfg, notes = task.adjust(config(batch_size=64, queue_size=512, min_steps_per_epoch=8), data)
    # 100 // 64 = 1 step an epoch -> batches of 100 // 8 = 12 -> 8 steps, 96 keys -> K = 84
    assert (cfg.optim.batch_size, cfg.moco.queue_size) == (12, 84)
    assert any("batch_size 64 -> 12" in n for n in notes)
    assert any("queue_size 512 -> 84" in n for n in notes)
    # the learning rate follows the batch: this config's 0.05 x 12 / 64
    assert cfg.optim.lr == pytest.approx(0.05 * 12 / 64) and any("lr 0.05 -> " in n for n in notes)
    assert task.adjust(cfg, data) == (cfg, [])  # adjusting twice changes nothing
    same, none = task.adjust(config(batch_size=8, queue_size=16, min_steps_per_epoch=8), data)
    assert same == config(batch_size=8, queue_size=16, min_steps_per_epoch=8) and none == []


def test_lr_schedules_follow_their_formulas():
    import math

    from skelviz.runs.engine import build_scheduler

    def lrs(**kwargs):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sched, out = build_scheduler(opt, **kwargs), []
        for _ in range(kwargs["epochs"]):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return out

    assert lrs(epochs=5, milestones=(2, 4), gamma=0.1) == pytest.approx([1, 1, 0.1, 0.1, 0.01])
    cosine = lrs(epochs=6, schedule="cosine", warmup_epochs=2)
    assert cosine[:2] == pytest.approx([1 / 3, 2 / 3])
    assert cosine[2:] == pytest.approx([0.5 * (1 + math.cos(math.pi * i / 4)) for i in range(4)])


def test_validation_split_stays_inside_the_training_part():
    from skelviz.runs.data import validation_split

    data = toy_data(n=40).train
    two_views = dataclasses.replace(data, views=np.arange(len(data)) % 2 + 1)
    gallery, queries = validation_split(two_views)
    assert set(two_views.views[gallery]) == {1} and set(two_views.views[queries]) == {2}
    one_view = dataclasses.replace(data, views=np.ones(len(data), int),
                                   subjects=np.arange(len(data)) % 4 + 1)  # fmt: skip
    gallery, queries = validation_split(one_view)
    assert set(one_view.subjects[gallery]) == {1, 3} and set(one_view.subjects[queries]) == {2, 4}
    assert sorted([*gallery, *queries]) == list(range(len(data)))


def test_runs_started_side_by_side_on_one_output_folder_both_pass_the_write_check(tmp_path):
    """Two runs (a sweep's jobs, two benchmarks) check the same ``runs`` folder at once; a probe
    with a fixed name let one delete the other's and fail with 'cannot write there'."""
    from concurrent.futures import ThreadPoolExecutor

    from skelviz.runs.store import RunFolder

    folder = RunFolder(tmp_path / "runs")

    def hammer(_):
        for _ in range(300):
            folder.check_writable()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(hammer, range(4)))  # re-raises a RunError from any thread
    assert list(folder.root.iterdir()) == []  # no probe left behind
