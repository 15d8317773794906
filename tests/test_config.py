"""Pretraining configuration: profiles, validation errors and the stable hash."""

import hashlib
import json
import subprocess
import sys

import pytest

from skelviz.config import (
    PROFILES,
    ConfigError,
    check_queue_fits,
    config_from_dict,
    config_hash,
    config_to_dict,
    resolve_config,
)


def test_profiles_resolve_and_full_matches_the_paper():
    for profile in PROFILES:
        cfg = resolve_config(profile)
        assert cfg.queue_size % cfg.batch_size == 0
    full = resolve_config("full")
    assert (full.batch_size, full.optimizer, full.lr, full.sgd_momentum, full.weight_decay) == (
        64,
        "sgd",
        0.01,
        0.9,
        1e-4,
    )
    assert (full.queue_size, full.momentum, full.temperature) == (16384, 0.999, 0.07)
    assert (full.epochs, full.milestones, full.preset, full.frames) == (451, (351,), "paper", 64)
    assert full.representations == ("seq", "stg") and full.mode == "inter"


def test_default_profile_queue_is_below_nucla_cross_view_train_size():
    # N-UCLA cross-view trains on views 1 + 2: 1020 samples (shared/data/README.md)
    check_queue_fits(resolve_config("default"), 1020)


def test_overrides_and_string_representations():
    cfg = resolve_config("ci", representations="seq+img", lr=0.5, milestones=[2, 3])
    assert cfg.representations == ("seq", "img") and cfg.lr == 0.5 and cfg.milestones == (2, 3)
    assert resolve_config("ci", representations=["stg"]).mode == "intra"


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(queue_size=100, batch_size=32), "multiple of batch_size"),
        (dict(representations=("seq", "rgb")), "unknown 'rgb'"),
        (dict(representations=("seq", "seq")), "repeats"),
        (dict(representations=()), "at least one"),
        (dict(lr=-1.0), "lr: must be > 0"),
        (dict(temperature=0.0), "temperature"),
        (dict(momentum=1.5), "momentum"),
        (dict(batch_size=0), "batch_size"),
        (dict(epochs=2.5), "epochs"),
        (dict(preset="huge"), "preset"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(l_min=0.0), "l_min"),
        (dict(milestones=(5, 3)), "milestones"),
        (dict(learning_rate=0.1), "unknown config field"),
    ],
)
def test_invalid_values_raise_clear_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        resolve_config("ci", **overrides)


def test_unknown_profile_lists_known_ones():
    with pytest.raises(ConfigError, match="known: \\['ci', 'default', 'full'\\]"):
        resolve_config("laptop")


def test_queue_must_be_below_one_epoch_of_keys():
    cfg = resolve_config("ci", queue_size=64, batch_size=32)
    check_queue_fits(cfg, 100)  # 96 keys per epoch > 64
    with pytest.raises(ConfigError, match="below the 64 keys"):
        check_queue_fits(cfg, 70)  # 2 whole batches = 64 keys
    with pytest.raises(ConfigError, match="larger than the 10 training samples"):
        check_queue_fits(cfg, 10)


def test_hash_is_sha256_of_sorted_json_without_device_with_the_training_revision(monkeypatch):
    import skelviz.config

    cfg = resolve_config("ci")
    values = config_to_dict(cfg)
    values.pop("device")
    values["training_revision"] = skelviz.config.TRAINING_REVISION
    expected = hashlib.sha256(
        json.dumps(values, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()[:12]
    assert config_hash(cfg) == expected
    assert config_hash(resolve_config("ci", device="cpu")) == config_hash(cfg)
    assert config_hash(resolve_config("ci", lr=2e-3)) != config_hash(cfg)
    assert config_hash(resolve_config("ci", seed=1)) != config_hash(cfg)
    monkeypatch.setattr(skelviz.config, "TRAINING_REVISION", skelviz.config.TRAINING_REVISION - 1)
    assert config_hash(cfg) != expected  # an older skelviz's checkpoints have other names


def test_hash_is_stable_across_processes():
    code = (
        "from skelviz.config import resolve_config, config_hash; "
        "print(config_hash(resolve_config('full')))"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == config_hash(resolve_config("full"))


def test_dict_round_trip_keeps_hash():
    cfg = resolve_config("ci", dataset_options={"samples_per_class": 5, "seed": 2})
    again = config_from_dict(json.loads(json.dumps(config_to_dict(cfg))))
    assert again == cfg and config_hash(again) == config_hash(cfg)
    with pytest.raises(ConfigError, match="unknown config field"):
        config_from_dict({**config_to_dict(cfg), "bogus": 1})


def test_overriding_the_dataset_drops_the_profiles_reader_options():
    assert resolve_config("ci").dataset_options == (("samples_per_class", 12),)
    assert resolve_config("ci", dataset="nw-ucla").dataset_options == ()
    kept = resolve_config("ci", dataset="nw-ucla", dataset_options={"x": 1})
    assert kept.dataset_options == (("x", 1),)


def test_fit_queue_shrinks_only_when_needed():
    from skelviz.config import fit_queue

    cfg = resolve_config("default")  # K = 512, batch 64
    assert fit_queue(cfg, 1020) is cfg
    small = fit_queue(cfg, 300)  # 4 whole batches = 256 keys per epoch -> K = 192
    assert small.queue_size == 192
    check_queue_fits(small, 300)
