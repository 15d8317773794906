"""skelviz.results: tables generated from run folders written by hand in the engine's format."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

from skelviz import results
from skelviz.runs.profiles import PROFILES

# the sections a linear run's config.json holds (default profile, inter SEQ+STG pretraining)
DEFAULT_EPOCHS = PROFILES["default"].config["epochs"]  # a run of the default profile as it is
DEFAULT_FRAMES = PROFILES["default"].config["frames"]
DEFAULT_PRESET = PROFILES["default"].config["preset"]
CONFIG = {
    "augment": {"jitter_amplitude": 1.0, "jitter_joints": None, "jitter_p_mask": 0.5,
                "l_max": 1.0, "l_min": 0.5, "min_crop_frames": 1, "shear_amplitude": 1.0,
                "spatial": "random"},
    "data": {"dataset": "nw-ucla", "dataset_options": [], "frames": DEFAULT_FRAMES,
             "protocol": "cross_view"},
    "encoder": {"embed_dim": 128, "gru": "true", "head_hidden": None, "head_init": "pytorch",
                "preset": DEFAULT_PRESET, "representations": ["seq", "stg"]},
    "eval": {"knn_k": 1, "monitor_every": 10},
    "finetune": {"batch_size": 64, "epochs": 50, "init": "pretrained", "label_fraction": 1.0,
                 "lr": 0.001, "milestones": [30, 40], "optimizer": "adam", "representation": "",
                 "source_dataset": "", "source_dataset_options": [], "source_protocol": "",
                 "subset_seed": 0},
    "knn": {"ks": [1, 5, 10, 20], "pretrained": True, "representation": ""},
    "linear": {"batch_size": 64, "epochs": 40, "lr": 0.1, "lr_gamma": 0.1, "milestones": [25, 35],
               "momentum": 0.9, "pretrained": True, "representation": "seq",
               "weight_decay": 0.0},
    "moco": {"momentum": 0.99, "queue_size": 512, "temperature": 0.07},
    "optim": {"batch_size": 64, "epochs": DEFAULT_EPOCHS, "lr": 0.001, "lr_gamma": 0.1,
              "milestones": [], "optimizer": "adam", "sgd_momentum": 0.9, "weight_decay": 0.0},
    "run": {"amp": False, "checkpoint_every": 5, "device": "cpu", "name": "", "seed": 0},
}  # fmt: skip
DATA = {"adjusted": [], "class_names": [f"c{i}" for i in range(10)], "dataset": "nw-ucla",
        "fingerprint": "df6fc63c848c", "num_classes": 10, "num_persons": 1,
        "protocol": "cross_view", "test_samples": 464, "train_samples": 1020}  # fmt: skip
MACHINE = {"cpu": "x86_64", "device": "cpu", "processes": 1, "python": "3.11.7", "threads": 1,
           "torch": "2.13.0+cpu"}  # fmt: skip


def write_run(root: Path, task: str, name: str, config: dict, metrics: dict) -> Path:
    """One finished run folder as the engine writes it (config, history, metrics; no weights)."""
    key = f"{abs(hash(json.dumps(config, sort_keys=True))) % 16**12:012x}"
    folder = root / "runs" / task / f"{name}-{key}"
    folder.mkdir(parents=True)
    record = {"config": config, "config_hash": key, "data": DATA, "key": key,
              "skelviz": "0.1.0", "task": task}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(record))
    history = {"epochs": [], "steps": {}, "train_cpu_seconds": 1.0, "train_seconds": 60.0}
    (folder / "history.json").write_text(json.dumps(history))
    base = {"epochs": 40, "machine": MACHINE, "train_cpu_seconds": 30.0,
            "wall_seconds_last_call": 75.0, "chance": 0.1}  # fmt: skip
    (folder / "metrics.json").write_text(json.dumps({**base, **metrics}))
    return folder


def linear_run(root: Path, seed: int, top1: float, train_seconds: float) -> Path:
    config = copy.deepcopy(CONFIG)
    config["run"]["seed"] = seed
    metrics = {"top1": top1, "source": "inter_seq-stg-fc07410745a2", "representation": "seq",
               "backbone_unchanged": True, "train_seconds": train_seconds}  # fmt: skip
    return write_run(root, "linear", "seq_from_inter_seq-stg", config, metrics)


def test_two_seeds_become_one_row_with_mean_and_std(tmp_path):
    linear_run(tmp_path, 0, 0.78, 60.0)
    linear_run(tmp_path, 1, 0.80, 120.0)
    runs = results.collect_runs(tmp_path)
    assert [r.task for r in runs] == ["linear", "linear"]

    table = results.table1_linear(runs)
    assert len(table.rows) == 1
    row = table.rows[0]
    std = math.sqrt(((78.0 - 79.0) ** 2 + (80.0 - 79.0) ** 2) / 1)  # sample std, percent
    assert row["ours %"] == f"79.0 ± {std:.1f}" == "79.0 ± 1.4"
    assert row["paper %"] == "85.2 (NTU-60 x-view)"  # the paper's Table 1, reference setting
    assert row["features"] == "SEQ, inter SEQ+STG"
    assert row["seeds"] == 2
    assert row["profile"] == "default"
    assert (row["dataset"], row["protocol"]) == ("nw-ucla", "cross_view")
    assert row["hardware"] == "cpu, 1 thr"
    assert row["time"] == "1.5 min each"

    text = results.to_markdown(table)
    lines = text.splitlines()
    assert lines[0] == f"**{results.PAPER['table1']['title']}**"
    assert lines[2] == "| " + " | ".join(table.columns) + " |"
    assert lines[4] == (
        "| SEQ, inter SEQ+STG | 85.2 (NTU-60 x-view) | 79.0 ± 1.4 | default | nw-ucla | "
        "cross_view | 2 | cpu, 1 thr | 1.5 min each |"
    )

    # the same runs in Table 10 (single representation, inter) and the MCAE anchor
    t10 = results.table10_combined(runs)
    assert [r["paper %"] for r in t10.rows] == ["85.2 (NTU-60 x-view)"]
    assert "paper params" not in t10.columns  # no parameter counts recorded: no column
    anchor = results.anchors(runs, raw_floor=0.75)
    # all seeds of the setting (mean ± std as in Table 1), never the best seed; P&C: no kNN run
    assert [r["ours %"] for r in anchor.rows] == ["", "79.0 ± 1.4", "75.0"]
    assert anchor.rows[-1]["run"] == "recorded by notebook 06"
    given = results.anchors(runs, raw_floor=0.756, raw_source="given as --raw-floor")
    assert given.rows[-1]["ours %"] == "75.6" and given.rows[-1]["run"] == "given as --raw-floor"


def test_a_different_setting_is_a_different_row_and_ntu_uses_its_own_paper_value(tmp_path):
    linear_run(tmp_path, 0, 0.5, 10.0)
    config = copy.deepcopy(CONFIG)
    config["data"].update(dataset="ntu60", protocol="cross_subject")
    config["encoder"]["preset"] = "paper"
    folder = write_run(tmp_path, "linear", "seq_from_inter_seq-stg", config,
                       {"top1": 0.7, "source": "inter", "representation": "seq"})  # fmt: skip
    record = json.loads((folder / "config.json").read_text())
    record["data"] = {**DATA, "dataset": "ntu60", "protocol": "cross_subject"}
    (folder / "config.json").write_text(json.dumps(record))
    rows = results.table1_linear(results.collect_runs(tmp_path)).rows
    by_dataset = {r["dataset"]: r for r in rows}
    assert by_dataset["ntu60"]["paper %"] == "76.3 (NTU-60 x-sub)"
    assert by_dataset["ntu60"]["profile"] == ""  # matches no profile: left blank
    assert by_dataset["nw-ucla"]["seeds"] == 1 and by_dataset["nw-ucla"]["ours %"] == "50.0"


def test_finetune_subsets_are_averaged_scratch_beside_pretrained(tmp_path):
    for init, values in {"scratch": (0.2, 0.3), "pretrained": (0.4, 0.5)}.items():
        for subset_seed, top1 in enumerate(values):
            config = copy.deepcopy(CONFIG)
            config["finetune"].update(init=init, label_fraction=0.01, subset_seed=subset_seed)
            source = "scratch" if init == "scratch" else "inter_seq-stg-fc07410745a2"
            write_run(tmp_path, "finetune", f"seq_{init}", config,
                      {"top1": top1, "init": init, "source": source, "representation": "seq",
                       "label_fraction": 0.01, "subset_seed": subset_seed})  # fmt: skip
    runs = results.collect_runs(tmp_path)
    table = results.table2_semi_supervised(runs)
    assert [(r["init"], r["paper %"], r["ours %"], r["seeds"]) for r in table.rows] == [
        ("scratch", "21.7 ± 1.0 (NTU-60 x-view)", "25.0 ± 7.1", 2),
        ("pretrained (inter SEQ+STG)", "38.1 ± 1.0 (NTU-60 x-view)", "45.0 ± 7.1", 2),
    ]
    assert table.rows[0]["labels"] == "1 %"
    assert results.table7_supervised(runs).rows == []  # no all-label runs
    assert results.table4_transfer(runs).rows == []  # no source_dataset set


def test_no_runs_gives_empty_tables_that_say_so(tmp_path):
    tables = results.all_tables(tmp_path)
    assert len(tables) == 7
    assert all(not t.rows for t in tables[:-1])
    assert "_No finished runs for this table yet._" in results.to_markdown(tables[0])


def test_the_command_line_prints_every_table(tmp_path, capsys):
    from skelviz.results import main

    text = main([str(tmp_path)])
    assert text.count("**Table") == 6 and text in capsys.readouterr().out


def test_a_run_fitted_to_small_data_still_names_its_profile():
    config = copy.deepcopy(CONFIG)
    config["data"]["dataset"] = "synthetic"  # the profile's one recipe: same frames and epochs
    config["optim"].update(batch_size=24, lr=0.001 * 24 / 64)
    config["moco"]["queue_size"] = 168
    assert results.infer_profile(config) == ""  # the fitted fields differ from the profile's
    notes = ["batch_size 64 -> 24: 208 training sequences ...", "lr 0.001 -> 0.000375: scaled",
             "queue_size 512 -> 168: K must stay below ..."]  # fmt: skip
    assert results.infer_profile(config, notes) == "default"
    config["optim"]["epochs"] = 55  # a field set by hand still hides the profile
    assert results.infer_profile(config, notes) == ""


def test_a_run_with_an_option_beyond_the_paper_belongs_to_no_profile():
    config = copy.deepcopy(CONFIG)
    assert results.infer_profile(config) == "default"
    config["moco"]["cross_view_positives"] = 0.5
    assert results.infer_profile(config) == ""
    del config["moco"]["cross_view_positives"]  # written before the option existed
    config["encoder"]["person_pool"] = "present"
    assert results.infer_profile(config) == ""
