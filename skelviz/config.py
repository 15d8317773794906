"""Pretraining configuration: one dataclass, three named profiles, a validating resolver and a hash.

The ``full`` profile holds the paper's NTU settings (Section 4.2) as the released scripts run them
(``script_pretrain.sh``: batch 64, SGD lr 0.01, momentum 0.9, wd 1e-4, K = 16384, m = 0.999,
tau = 0.07, 451 epochs with x0.1 at epoch 351, MLP heads); see
``shared/notes/reference-implementation.md`` section 1.1. ``ci`` trains tiny encoders on the
synthetic set in seconds, ``default`` trains the ``small`` encoder presets on N-UCLA in minutes on
a 2-core CPU.
The pattern is nanoGPT's ``GPTConfig`` plus minGPT's named presets; the hash keys checkpoint reuse
(uvadlc's "checkpoint exists? load : train", keyed on the resolved configuration).

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

__all__ = [
    "PretrainConfig",
    "PROFILES",
    "REPRESENTATIONS",
    "ConfigError",
    "resolve_config",
    "config_hash",
    "TRAINING_REVISION",
    "check_queue_fits",
    "fit_queue",
    "config_to_dict",
    "config_from_dict",
]

REPRESENTATIONS = ("seq", "img", "stg")
ENCODER_PRESETS = ("paper", "small", "tiny")
OPTIMIZERS = ("sgd", "adam")
SPATIAL_CHOICES = ("random", "shear", "jitter", "none")
# Fields that choose *where* a run executes, not *what* it computes: left out of the hash.
_RUNTIME_FIELDS = ("device",)


class ConfigError(ValueError):
    """An invalid configuration value; the message names the field and what is allowed."""


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PretrainConfig:
    """Everything one MoCo pretraining run depends on (flat, so an override is one keyword).

    One representation means intra-skeleton MoCo (paper Section 3.2); two or three mean
    inter-skeleton MoCo over every ordered pair (Section 3.3).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """

    name: str = "isc"  # checkpoint stem: checkpoints/<name>-<hash>.pt
    # --- data ---
    dataset: str = "synthetic"  # a key of skelviz.readers.DATASETS
    dataset_options: tuple[tuple[str, object], ...] = ()  # reader keyword options, as pairs
    protocol: str = "cross_view"  # split whose train part is pretrained on
    frames: int = 64  # T of every augmented view (the paper: 64)
    # --- augmentation (skelviz.augment.AugmentConfig) ---
    l_min: float = 0.1  # temporal crop ratio ~ U(l_min, l_max)
    l_max: float = 1.0
    min_crop_frames: int = 1  # the released code hard-codes 64
    shear_amplitude: float = 1.0  # off-diagonals ~ U(-a, a)
    jitter_joints: int | None = None  # None: 15/25 of the layout's joints
    jitter_amplitude: float = 1.0
    jitter_p_mask: float = 0.5
    spatial: str = "random"  # random | shear | jitter | none
    # --- encoders ---
    representations: tuple[str, ...] = ("seq", "stg")
    preset: str = "paper"  # paper | small | tiny
    head_hidden: int | None = None  # MLP hidden width; None = the encoder's feature_dim
    embed_dim: int = 128
    # --- MoCo ---
    queue_size: int = 16384  # K
    momentum: float = 0.999  # m of the key EMA
    temperature: float = 0.07  # tau
    # --- optimisation ---
    optimizer: str = "sgd"  # sgd | adam
    lr: float = 0.01
    sgd_momentum: float = 0.9
    weight_decay: float = 1e-4
    batch_size: int = 64
    epochs: int = 451
    milestones: tuple[int, ...] = (351,)  # lr x lr_gamma at each epoch listed
    lr_gamma: float = 0.1
    # --- run ---
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N (not hashed)
    amp: bool = False  # bfloat16 autocast, CUDA only
    monitor_every: int = 10  # kNN monitor every this many epochs (0 = off)
    checkpoint_every: int = 10  # write a resumable checkpoint every this many epochs

    @property
    def mode(self) -> str:
        """``"intra"`` for one representation, ``"inter"`` for two or three."""
        return "intra" if len(self.representations) == 1 else "inter"


# ---------------------------------------------------------------------------------------------
PROFILES: dict[str, dict[str, object]] = {
    # seconds on a 2-core CPU: tiny encoders, the synthetic set, a short queue
    "ci": dict(
        dataset="synthetic",
        dataset_options=(("samples_per_class", 12),),
        frames=32,
        l_min=0.5,
        preset="tiny",
        queue_size=64,
        momentum=0.99,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=32,
        epochs=4,
        milestones=(),
        monitor_every=2,
        checkpoint_every=2,
    ),
    # minutes on a 2-core CPU: small encoders on N-UCLA (1020 train samples in cross-view);
    # Adam moved N-UCLA accuracy far more than SGD in a few minutes (shared notes). 70 epochs is
    # what the 15-minute budget of inter SEQ+STG holds on the 2-core VM (about 12 minutes).
    "default": dict(
        dataset="nw-ucla",
        frames=32,
        l_min=0.5,
        preset="small",
        queue_size=512,
        momentum=0.99,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        epochs=70,
        milestones=(),
        monitor_every=10,
        checkpoint_every=5,
    ),
    # the paper / released NTU-60 script on a GPU
    "full": dict(
        dataset="ntu60",
        frames=64,
        min_crop_frames=64,
        preset="paper",
        queue_size=16384,
        momentum=0.999,
        optimizer="sgd",
        lr=0.01,
        sgd_momentum=0.9,
        weight_decay=1e-4,
        batch_size=64,
        epochs=451,
        milestones=(351,),
        monitor_every=10,
        checkpoint_every=10,
    ),
}


def resolve_config(profile: str = "ci", **overrides) -> PretrainConfig:
    """The profile's configuration with ``overrides`` applied, validated.

    Overriding ``dataset`` drops the profile's ``dataset_options`` (they are options of the
    profile's own dataset's reader) unless ``dataset_options`` is given too.
    Lists become tuples; a dict ``dataset_options`` becomes sorted pairs; a representation given
    as ``"seq+stg"`` is split on ``+``. Raises :class:`ConfigError` for an unknown profile or
    field, or an invalid value.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}; known: {list(PROFILES)}")
    known = {f.name for f in dataclasses.fields(PretrainConfig)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"unknown config field(s) {unknown}; known fields: {sorted(known)}")
    values = {**PROFILES[profile], **overrides}
    if values.get("dataset", "synthetic") != PROFILES[profile].get("dataset", "synthetic") and (
        "dataset_options" not in overrides
    ):
        values["dataset_options"] = ()  # the profile's reader options belong to its own dataset
    return validate(PretrainConfig(**_normalise(values)))


def _normalise(values: dict) -> dict:
    out = dict(values)
    reps = out.get("representations")
    if isinstance(reps, str):
        out["representations"] = tuple(r.strip() for r in reps.split("+") if r.strip())
    for key in ("representations", "milestones"):
        if key in out and isinstance(out[key], list):
            out[key] = tuple(out[key])
    opts = out.get("dataset_options")
    if isinstance(opts, dict):
        out["dataset_options"] = tuple(sorted(opts.items()))
    elif isinstance(opts, list):
        out["dataset_options"] = tuple(tuple(p) for p in opts)
    return out


def validate(cfg: PretrainConfig) -> PretrainConfig:
    """Check every constraint of ``cfg``; return it unchanged or raise :class:`ConfigError`."""

    def need(ok: bool, message: str) -> None:
        if not ok:
            raise ConfigError(message)

    reps = cfg.representations
    need(len(reps) >= 1, "representations: give at least one of " + str(REPRESENTATIONS))
    for r in reps:
        need(r in REPRESENTATIONS, f"representations: unknown {r!r}; known: {REPRESENTATIONS}")
    need(len(set(reps)) == len(reps), f"representations: {reps} repeats a representation")
    need(cfg.preset in ENCODER_PRESETS, f"preset: {cfg.preset!r} not in {ENCODER_PRESETS}")
    need(cfg.optimizer in OPTIMIZERS, f"optimizer: {cfg.optimizer!r} not in {OPTIMIZERS}")
    need(cfg.spatial in SPATIAL_CHOICES, f"spatial: {cfg.spatial!r} not in {SPATIAL_CHOICES}")
    for field in ("frames", "min_crop_frames", "embed_dim", "queue_size", "batch_size", "epochs"):
        need(
            _is_int(getattr(cfg, field)) and getattr(cfg, field) > 0,
            f"{field}: must be a positive integer, got {getattr(cfg, field)!r}",
        )
    for field in ("lr", "temperature", "lr_gamma"):
        need(getattr(cfg, field) > 0, f"{field}: must be > 0, got {getattr(cfg, field)!r}")
    need(0.0 <= cfg.momentum <= 1.0, f"momentum: must lie in [0, 1], got {cfg.momentum}")
    need(0.0 <= cfg.sgd_momentum < 1.0, f"sgd_momentum: must lie in [0, 1), got {cfg.sgd_momentum}")
    need(cfg.weight_decay >= 0, f"weight_decay: must be >= 0, got {cfg.weight_decay}")
    need(
        0.0 < cfg.l_min <= cfg.l_max <= 1.0,
        f"l_min/l_max: need 0 < l_min <= l_max <= 1, got {cfg.l_min}, {cfg.l_max}",
    )
    need(0.0 <= cfg.jitter_p_mask <= 1.0, "jitter_p_mask: must lie in [0, 1]")
    need(
        cfg.jitter_joints is None or (_is_int(cfg.jitter_joints) and cfg.jitter_joints > 0),
        f"jitter_joints: None or a positive integer, got {cfg.jitter_joints!r}",
    )
    need(
        cfg.head_hidden is None or (_is_int(cfg.head_hidden) and cfg.head_hidden > 0),
        f"head_hidden: None or a positive integer, got {cfg.head_hidden!r}",
    )
    need(
        cfg.queue_size % cfg.batch_size == 0,
        f"queue_size: K={cfg.queue_size} must be a multiple of batch_size={cfg.batch_size} "
        f"(the queue is filled one whole batch at a time, as in MoCo)",
    )
    need(
        list(cfg.milestones) == sorted(cfg.milestones)
        and all(_is_int(e) and e > 0 for e in cfg.milestones),
        f"milestones: increasing positive epochs, got {cfg.milestones}",
    )
    for field in ("monitor_every", "checkpoint_every", "seed"):
        need(
            _is_int(getattr(cfg, field)) and getattr(cfg, field) >= 0,
            f"{field}: must be a non-negative integer, got {getattr(cfg, field)!r}",
        )
    need(isinstance(cfg.amp, bool), f"amp: must be True or False, got {cfg.amp!r}")
    need(
        isinstance(cfg.name, str) and cfg.name.replace("-", "_").replace(".", "_").isidentifier(),
        f"name: letters, digits, '-', '_' and '.' only, got {cfg.name!r}",
    )
    return cfg


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_queue_fits(cfg: PretrainConfig, num_train: int) -> None:
    """Raise :class:`ConfigError` unless K is below the samples one epoch feeds the queue.

    With K >= the number of keys an epoch enqueues (``num_train`` rounded down to whole batches),
    the queue always still holds each sample's own older key as a "negative".

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    per_epoch = (num_train // cfg.batch_size) * cfg.batch_size
    if per_epoch == 0:
        raise ConfigError(
            f"batch_size={cfg.batch_size} is larger than the {num_train} training samples"
        )
    if cfg.queue_size >= per_epoch:
        raise ConfigError(
            f"queue_size: K={cfg.queue_size} must be below the {per_epoch} keys one epoch "
            f"enqueues ({num_train} training samples in whole batches of {cfg.batch_size}); "
            f"otherwise each sample's own older key sits in the queue as a negative"
        )


def fit_queue(cfg: PretrainConfig, num_train: int) -> PretrainConfig:
    """``cfg`` itself when its queue fits ``num_train`` samples, else a copy whose K is the
    largest multiple of ``batch_size`` below one epoch of keys (used when a notebook swaps in a
    smaller dataset than its profile was sized for).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    per_epoch = (num_train // cfg.batch_size) * cfg.batch_size
    if cfg.queue_size < per_epoch or per_epoch <= cfg.batch_size:
        return cfg
    return dataclasses.replace(cfg, queue_size=per_epoch - cfg.batch_size)


# ---------------------------------------------------------------------------------------------
def config_to_dict(cfg: PretrainConfig) -> dict:
    """A JSON-safe dict of every field (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(cfg)))


def config_from_dict(values: dict) -> PretrainConfig:
    """Inverse of :func:`config_to_dict` (unknown keys raise :class:`ConfigError`)."""
    known = {f.name for f in dataclasses.fields(PretrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown config field(s) {unknown}")
    return validate(PretrainConfig(**_normalise(values)))


# Bumped whenever a code change alters what a run with the same configuration computes, so that
# checkpoints written by an older skelviz are not taken for this one's (their names differ).
# 2: the augmentation draws one uniform table per batch of views (fused CPU kernel).
TRAINING_REVISION = 2


def config_hash(cfg: PretrainConfig) -> str:
    """Stable 12-hex-digit hash of everything that changes what a run computes.

    sha256 of the sorted-key JSON of the fields, minus the runtime-only ``device``, plus
    ``TRAINING_REVISION`` (the version of the training code's numbers).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    values = config_to_dict(cfg)
    for key in _RUNTIME_FIELDS:
        values.pop(key, None)
    values["training_revision"] = TRAINING_REVISION
    text = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]
