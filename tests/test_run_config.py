"""Run configuration: sections, the one profile registry, validation errors and the stable hash."""

import dataclasses
import hashlib
import json
import subprocess
import sys

import pytest

from skelviz.runs.config import (
    REVISION,
    SECTIONS,
    Config,
    ConfigError,
    config_from_dict,
    config_hash,
    config_to_dict,
    resolve_config,
)
from skelviz.runs.profiles import PROFILES, get_profile


def test_profiles_resolve_and_full_matches_the_paper():
    for profile in PROFILES:
        cfg = resolve_config(profile)
        assert cfg.moco.queue_size % cfg.optim.batch_size == 0
    full = resolve_config("full")
    o = full.optim
    assert (o.batch_size, o.optimizer, o.lr, o.sgd_momentum, o.weight_decay) == (
        64,
        "sgd",
        0.01,
        0.9,
        1e-4,
    )
    assert (full.moco.queue_size, full.moco.momentum, full.moco.temperature) == (16384, 0.999, 0.07)
    assert (o.epochs, o.milestones, full.encoder.preset, full.data.frames) == (
        451,
        (351,),
        "paper",
        64,
    )
    assert full.encoder.representations == ("seq", "stg") and full.mode == "inter"
    # the Config defaults are the paper's settings: the full profile changes none of them but data
    defaults = Config()
    assert (full.optim, full.moco, full.encoder) == (
        defaults.optim,
        defaults.moco,
        defaults.encoder,
    )


def test_profiles_grow_from_ci_to_full():
    ci, default, full = (get_profile(name) for name in ("ci", "default", "full"))
    for knob in (
        "synthetic_samples_per_class",
        "animation_frames",
        "strip_frames",
        "num_examples",
        "stat_draws",
    ):
        assert getattr(ci, knob) < getattr(default, knob) < getattr(full, knob), knob
    assert (ci.out_frames, default.out_frames, full.out_frames) == (64, 64, 64)  # paper Section 4.2
    with pytest.raises(ValueError, match="known profiles: ci, default, full"):
        get_profile("laptop")


def test_flat_and_dotted_overrides_and_string_representations():
    cfg = resolve_config("ci", representations="seq+img", lr=0.5, milestones=[2, 3])
    assert cfg.encoder.representations == ("seq", "img") and cfg.optim.lr == 0.5
    assert cfg.optim.milestones == (2, 3)
    assert resolve_config("ci", **{"optim.lr": 0.5}) == resolve_config("ci", lr=0.5)
    assert resolve_config("ci", representations=["stg"]).mode == "intra"
    with pytest.raises(ConfigError, match="unknown config field 'moco.lr'"):
        resolve_config("ci", **{"moco.lr": 0.5})  # lr lives in optim


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(queue_size=100, batch_size=32), "multiple of batch_size"),
        (dict(representations=("seq", "rgb")), "unknown 'rgb'"),
        (dict(representations=("seq", "seq")), "repeats"),
        (dict(representations=()), "one or more"),
        (dict(lr=-1.0), "lr: must be a number > 0"),
        (dict(lr="fast"), "lr: must be a number > 0"),
        (dict(temperature=0.0), "temperature"),
        (dict(momentum=1.5), "momentum"),
        (dict(batch_size=0), "batch_size"),
        (dict(epochs=2.5), "epochs"),
        (dict(preset="huge"), "preset"),
        (dict(gru="lstm"), "gru"),
        (dict(head_init="zeros"), "head_init"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(l_min=0.0), "l_min"),
        (dict(milestones=(5, 3)), "milestones"),
        (dict(amp="yes"), "amp"),
        (dict(representations="img", frames=8), "HCN"),
        ({"finetune.lr": -1}, "finetune.lr: a number > 0"),
        ({"finetune.milestones": (5, 3)}, "finetune.milestones"),
        ({"linear.momentum": 1.5}, "linear.momentum"),
        ({"finetune.representation": "img"}, "finetune.representation: 'img'"),
        ({"knn.ks": (0,)}, "knn.ks"),
        (dict(learning_rate=0.1), "unknown config field 'learning_rate'"),
    ],
)
def test_invalid_values_raise_clear_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        resolve_config("ci", **overrides)


def test_unknown_profile_lists_known_ones():
    with pytest.raises(ConfigError, match="known: ci, default, full"):
        resolve_config("laptop")


def test_a_field_name_alone_means_the_pretraining_section_that_has_it():
    pretraining = ["data", "augment", "encoder", "moco", "optim", "eval", "run"]
    assert list(SECTIONS)[:7] == pretraining
    names = [f.name for s in pretraining for f in dataclasses.fields(SECTIONS[s])]
    assert len(names) == len(set(names))  # unique among the pretraining sections
    cfg = resolve_config("ci", lr=0.5, **{"linear.lr": 0.2}, crop_l_min=0.7)
    assert (cfg.optim.lr, cfg.linear.lr, cfg.linear.crop_l_min) == (0.5, 0.2, 0.7)
    with pytest.raises(ConfigError, match="write linear.representation or knn.representation"):
        resolve_config("ci", representation="stg")
    with pytest.raises(ConfigError, match="linear.representation: 'img'"):
        resolve_config("ci", representations="seq+stg", **{"linear.representation": "img"})


def test_hash_is_sha256_of_the_sections_without_runtime_fields_with_the_revision(monkeypatch):
    import skelviz.runs.config as config_module

    cfg = resolve_config("ci")
    values = config_to_dict(cfg)
    values["run"].pop("device")
    values["run"].pop("checkpoint_every")
    values["moco"].pop("cross_view_positives")  # added later: hashed only away from their defaults
    values["encoder"].pop("person_pool")
    values["revision"] = REVISION
    expected = hashlib.sha256(
        json.dumps(values, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()[:12]
    assert config_hash(cfg) == expected
    assert config_hash(resolve_config("ci", device="cpu", checkpoint_every=7)) == expected
    assert config_hash(resolve_config("ci", lr=2e-3)) != expected
    assert config_hash(resolve_config("ci", seed=1)) != expected
    assert config_hash(resolve_config("ci", cross_view_positives=0.5)) != expected
    assert config_hash(resolve_config("ci", person_pool="present")) != expected
    # a task hashes only its sections: a change elsewhere keeps its runs
    assert config_hash(resolve_config("ci", lr=2e-3), ("data",)) == config_hash(cfg, ("data",))
    monkeypatch.setattr(config_module, "REVISION", REVISION - 1)
    assert config_hash(cfg) != expected  # an older skelviz's runs have other names


def test_hash_is_stable_across_processes():
    code = (
        "from skelviz.runs.config import resolve_config, config_hash; "
        "print(config_hash(resolve_config('full')))"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == config_hash(resolve_config("full"))


def test_dict_round_trip_keeps_hash():
    cfg = resolve_config("ci", dataset_options={"samples_per_class": 5, "seed": 2})
    again = config_from_dict(json.loads(json.dumps(config_to_dict(cfg))))
    assert again == cfg and config_hash(again) == config_hash(cfg)
    with pytest.raises(ConfigError, match="unknown config section"):
        config_from_dict({**config_to_dict(cfg), "bogus": {}})


def test_the_profile_sizes_the_synthetic_set_only():
    for name in ("ci", "default"):
        size = PROFILES[name].synthetic_samples_per_class
        cfg = resolve_config(name, dataset="synthetic")
        assert cfg.data.dataset_options == (("samples_per_class", size),)
    assert resolve_config("ci", dataset="nw-ucla").data.dataset_options == ()
    kept = resolve_config("ci", dataset="nw-ucla", dataset_options={"x": 1})
    assert kept.data.dataset_options == (("x", 1),)


def test_the_synthetic_set_and_real_data_share_one_recipe_per_profile():
    """The main job's synthetic set trains with the recipe chosen for real data (no schedule of
    its own): only the data fields differ; fitting to a small set happens later, in ``adjust``."""
    for name in PROFILES:
        synthetic = config_to_dict(resolve_config(name, dataset="synthetic"))
        real = config_to_dict(resolve_config(name, dataset="nw-ucla"))
        for key in ("dataset", "dataset_options"):
            del synthetic["data"][key]
            del real["data"][key]
        assert synthetic == real, name
