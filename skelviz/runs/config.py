"""One run configuration for every task: sections, validation, overrides and a stable hash.

A :class:`Config` is made of sections (data, augment, encoder, moco, optim, eval, run), each a
frozen dataclass, in the manner of nanoGPT's ``GPTConfig`` with minGPT's named presets (the
presets are the profiles of :mod:`skelviz.runs.profiles`). Every field name is unique across
sections, so an override is ``lr=0.1`` or, equivalently, ``optim.lr=0.1``. The ``full`` profile
holds the paper's NTU settings (Section 4.2) as the released scripts run them; see
``docs/released-code.md``. A run is keyed by the hash of the sections its task reads
(:func:`config_hash`), with runtime-only fields (where it runs, how often it saves) left out.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

from skelviz.encoders import GRU_VARIANTS, HEAD_INITS, PERSON_POOLS, PRESETS
from skelviz.represent import REPRESENTATIONS

__all__ = [
    "ConfigError",
    "SECTIONS",
    "Config",
    "resolve_config",
    "config_from_overrides",
    "config_to_dict",
    "config_from_dict",
    "config_hash",
    "probed_representations",
    "REVISION",
]

ENCODER_PRESETS = tuple(PRESETS)  # paper | small | tiny | small-narrow (skelviz.encoders)
OPTIMIZERS = ("sgd", "adam")
SPATIAL_CHOICES = ("random", "shear", "jitter", "none")
GRU_CHOICES = tuple(GRU_VARIANTS)  # true | stepwise | final | mean (skelviz.encoders)
# Fields that choose where and how often a run executes, not what it computes: never hashed.
RUNTIME_FIELDS = ("device", "checkpoint_every")
# Bumped whenever skelviz computes different numbers for the same configuration, so that runs
# written by an older version are not taken for this one's (their folder names differ).
# 3: the run engine (batched torch augmentation only, per-batch padding, DDP).
REVISION = 3
# Fields added after REVISION 3, hashed only when set away from these defaults: runs written before
# a field existed computed exactly what its default computes, so they keep their keys.
LATER_FIELDS = {("moco", "cross_view_positives"): 0.0, ("encoder", "person_pool"): "all"}


class ConfigError(ValueError):
    """An invalid configuration value; the message names the field and what is allowed."""


# --- sections --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataSection:
    """Which sequences a run reads, and how long each augmented view is."""

    dataset: str = "synthetic"  # a key of skelviz.readers.DATASETS
    dataset_options: tuple[tuple[str, object], ...] = ()  # reader keyword options, as pairs
    protocol: str = "cross_view"  # split whose train part is trained on
    frames: int = 64  # T of every view fed to an encoder (the paper: 64)


@dataclass(frozen=True)
class AugmentSection:
    """The paper's augmentations (Section 3.1); see :class:`skelviz.augment.AugmentConfig`."""

    l_min: float = 0.1  # temporal crop ratio ~ U(l_min, l_max)
    l_max: float = 1.0
    min_crop_frames: int = 1  # the released code hard-codes 64
    spatial: str = "random"  # random | shear | jitter | none
    shear_amplitude: float = 1.0  # off-diagonals ~ U(-a, a)
    jitter_joints: int | None = None  # None: 15/25 of the layout's joints
    jitter_amplitude: float = 1.0
    jitter_p_mask: float = 0.5


@dataclass(frozen=True)
class EncoderSection:
    """Encoders (Section 4.2) and the projection head used while pretraining."""

    representations: tuple[str, ...] = ("seq", "stg")  # one: intra MoCo; two or three: inter
    preset: str = "paper"  # paper | small | tiny | small-narrow (skelviz.encoders.PRESETS)
    # true (one bidirectional nn.GRU, read at the last step) | stepwise (the released per-frame
    # loop) | final (a true BiGRU, each direction read at its own last step) | mean (over time)
    gru: str = "true"
    # beyond the released code: the A-GCN feature averaged over all M person slots (all) or over
    # the slots holding a skeleton (present)
    person_pool: str = "all"
    head_hidden: int | None = None  # MLP hidden width; None = the encoder's feature_dim
    head_init: str = "pytorch"  # pytorch | released (see docs/released-code.md)
    embed_dim: int = 128


@dataclass(frozen=True)
class MoCoSection:
    """Momentum contrast (Sections 3.2-3.3)."""

    queue_size: int = 16384  # K
    momentum: float = 0.999  # m of the key EMA
    temperature: float = 0.07  # tau
    # beyond the paper: probability that a sample's key view comes from another camera's
    # recording of the same performance (N-UCLA, NTU; skelviz.performances); 0 = the paper
    cross_view_positives: float = 0.0


@dataclass(frozen=True)
class OptimSection:
    """Optimiser and schedule of the pretraining run."""

    optimizer: str = "sgd"  # sgd | adam
    lr: float = 0.01
    sgd_momentum: float = 0.9
    weight_decay: float = 1e-4
    batch_size: int = 64
    epochs: int = 451
    milestones: tuple[int, ...] = (351,)  # lr x lr_gamma at each epoch listed
    lr_gamma: float = 0.1
    schedule: str = "step"  # step: the milestones above | cosine: half a cosine to 0
    warmup_epochs: int = 0  # lr rises linearly over these first epochs
    min_steps_per_epoch: int = 8  # smaller training sets get smaller batches (0 = never shrink)


@dataclass(frozen=True)
class EvalSection:
    """Evaluation during and after a run."""

    monitor_every: int = 10  # cosine kNN monitor every this many epochs (0 = only before/after)
    knn_k: int = 1  # neighbours of the kNN monitor and retrieval


@dataclass(frozen=True)
class RunSection:
    """Identity and execution of a run."""

    name: str = ""  # run folder stem; empty: the task names it (e.g. inter_seq-stg)
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N (not hashed)
    amp: bool = False  # bfloat16 autocast, CUDA only
    checkpoint_every: int = 10  # epochs between resumable checkpoints (not hashed)


@dataclass(frozen=True)
class LinearSection:
    """Linear evaluation (Section 4.3, Appendix A.1): a frozen encoder, one linear layer."""

    representation: str = ""  # whose features ("" = the first pretrained, SEQ in the paper);
    # "seq+stg" concatenates two encoders' features (Table 10)
    pretrained: bool = True  # False: the same encoder untrained (the baseline)
    separately: bool = False  # True: each encoder from its own intra run (Table 10's intra rows)
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 80
    milestones: tuple[int, ...] = (50, 70)  # lr x lr_gamma at each epoch listed
    lr_gamma: float = 0.1
    crop_l_min: float = 0.5  # training crop ratio ~ U(crop_l_min, 1), resized to frames
    standardize: bool = False  # scale features by the training part's mean / std (MAE's probe)
    split: str = "test"  # test: train part -> test part | validation: inside the train part


@dataclass(frozen=True)
class KnnSection:
    """kNN retrieval (Table 3): cosine k-NN on frozen features, the train split as gallery."""

    representation: str = ""  # whose features ("" = the first pretrained); "seq+stg" concatenates
    pretrained: bool = True  # False: the same encoder untrained (the baseline)
    ks: tuple[int, ...] = (1, 5, 10, 20)  # the paper reports k = 1


@dataclass(frozen=True)
class FinetuneSection:
    """Fine-tuning (Tables 2, 4, 7; Appendix A.1): the encoder and a new linear classifier trained
    together on a class-balanced labelled subset, from the pretraining run's encoder or from
    scratch, on the run's own dataset or after pretraining on a source dataset (transfer)."""

    representation: str = ""  # whose encoder ("" = the first pretrained, SEQ in the paper)
    init: str = "pretrained"  # pretrained | scratch (the same encoder randomly initialised)
    label_fraction: float = 1.0  # labelled share of every class (at least one sequence each)
    subset_seed: int = 0  # which labelled subset; also seeds the classifier, batches and crops
    optimizer: str = "adam"  # adam | sgd (Appendix A.1: Adam)
    lr: float = 1e-4
    momentum: float = 0.9  # sgd only
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 50
    milestones: tuple[int, ...] = (30, 40)  # lr x lr_gamma at each epoch listed
    lr_gamma: float = 0.1
    train_l_min: float = 0.5  # training crop ratio ~ U(train_l_min, 1), resized to frames
    test_every: int = 1  # test accuracy every this many epochs (and always after the last)
    source_dataset: str = ""  # "" = pretrain on the run's own train split; else transfer
    source_protocol: str = ""  # the source's split ("" = the run's protocol)
    source_dataset_options: tuple[tuple[str, object], ...] = ()  # the source reader's options
    source_fingerprint: str = ""  # set by the task: the source data's content hash (keys runs)


SECTIONS: dict[str, type] = {
    "data": DataSection,
    "augment": AugmentSection,
    "encoder": EncoderSection,
    "moco": MoCoSection,
    "optim": OptimSection,
    "eval": EvalSection,
    "run": RunSection,
    "linear": LinearSection,
    "knn": KnnSection,
    "finetune": FinetuneSection,
}


@dataclass(frozen=True)
class Config:
    """Every setting of a run, one section per concern.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """

    data: DataSection = field(default_factory=DataSection)
    augment: AugmentSection = field(default_factory=AugmentSection)
    encoder: EncoderSection = field(default_factory=EncoderSection)
    moco: MoCoSection = field(default_factory=MoCoSection)
    optim: OptimSection = field(default_factory=OptimSection)
    eval: EvalSection = field(default_factory=EvalSection)
    run: RunSection = field(default_factory=RunSection)
    linear: LinearSection = field(default_factory=LinearSection)
    knn: KnnSection = field(default_factory=KnnSection)
    finetune: FinetuneSection = field(default_factory=FinetuneSection)

    @property
    def mode(self) -> str:
        """``"intra"`` for one representation, ``"inter"`` for two or three."""
        return "intra" if len(self.encoder.representations) == 1 else "inter"

    def replace(self, **overrides) -> Config:
        """A validated copy with flat (``lr=...``) or dotted (``optim.lr=...``) overrides."""
        return config_from_overrides(self, overrides)


def _field_owners() -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            owners.setdefault(f.name, []).append(section)
    return owners


FIELD_SECTIONS = _field_owners()  # field name -> the sections that have it, in SECTIONS order
PRETRAINING_SECTIONS = ("data", "augment", "encoder", "moco", "optim", "eval", "run")


# --- overrides -------------------------------------------------------------------------------
def resolve_config(profile: str = "ci", **overrides) -> Config:
    """The profile's configuration with ``overrides`` (flat or dotted keys) applied, validated.

    The synthetic set is sized by the profile (``dataset_options``) unless options are given.
    Raises :class:`ConfigError` for an unknown profile or field, or an invalid value.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    from skelviz.runs.profiles import PROFILES

    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    chosen = PROFILES[profile]
    config = config_from_overrides(Config(), {**chosen.config, **overrides})
    if not any(key.rpartition(".")[2] == "dataset_options" for key in overrides):
        options = chosen.reader_options(config.data.dataset)
        config = config_from_overrides(config, {"dataset_options": options})
    return config


def config_from_overrides(base: Config, overrides: dict) -> Config:
    """``base`` with ``overrides`` applied, normalised and validated.

    A key is ``field`` or ``section.field``. A field name alone means the first section that has
    it, and the pretraining sections come first: ``lr`` is ``optim.lr``, the linear probe's is
    ``linear.lr``. A name only downstream sections share (``representation``) needs its section.

    Lists become tuples; a dict ``dataset_options`` becomes sorted pairs; representations given
    as ``"seq+stg"`` are split on ``+``. Raises :class:`ConfigError` for an unknown field or an
    invalid value.
    """
    per_section: dict[str, dict] = {}
    for key, value in overrides.items():
        section, _, name = key.rpartition(".")
        owners = FIELD_SECTIONS.get(name, [])
        if section and section in owners:
            owner = section
        elif not section and owners and (len(owners) == 1 or owners[0] in PRETRAINING_SECTIONS):
            owner = owners[0]
        elif not section and owners:
            choices = " or ".join(f"{o}.{name}" for o in owners)
            raise ConfigError(f"config field {key!r} is in several sections; write {choices}")
        else:
            raise ConfigError(f"unknown config field {key!r}; known: {_known_fields()}")
        per_section.setdefault(owner, {})[name] = _normalise(name, value)
    sections = {
        name: dataclasses.replace(getattr(base, name), **per_section.get(name, {}))
        for name in SECTIONS
    }
    return validate(Config(**sections))


def _known_fields() -> str:
    return ", ".join(f"{s}.{n}" for n, owners in FIELD_SECTIONS.items() for s in owners)


def _normalise(name: str, value):
    if name == "representations" and isinstance(value, str):
        return tuple(r.strip() for r in value.split("+") if r.strip())
    if name in ("dataset_options", "source_dataset_options"):
        if isinstance(value, dict):
            return tuple(sorted(value.items()))
        return tuple(tuple(pair) for pair in value)
    if name == "label_fraction" and _is_int(value):
        return float(value)  # 1 and 1.0 are one run
    if name == "ks" and isinstance(value, int):
        return (value,)
    if isinstance(value, list):
        return tuple(value)
    return value


# --- validation ------------------------------------------------------------------------------
def validate(cfg: Config) -> Config:
    """Check every constraint of ``cfg``; return it unchanged or raise :class:`ConfigError`."""

    def need(ok: bool, message: str) -> None:
        if not ok:
            raise ConfigError(message)

    data, aug, enc, moco, opt, ev, run = (getattr(cfg, s) for s in PRETRAINING_SECTIONS)
    reps = enc.representations
    need(
        isinstance(reps, tuple) and len(reps) >= 1,
        f"representations: give one or more of {REPRESENTATIONS}",
    )
    for r in reps:
        need(r in REPRESENTATIONS, f"representations: unknown {r!r}; known: {REPRESENTATIONS}")
    need(len(set(reps)) == len(reps), f"representations: {reps} repeats a representation")
    need(
        "img" not in reps or data.frames >= 16,
        f"frames: the img encoder (HCN) needs >= 16, got {data.frames}",
    )
    for value, allowed, name in (
        (enc.preset, ENCODER_PRESETS, "preset"),
        (enc.gru, GRU_CHOICES, "gru"),
        (enc.person_pool, PERSON_POOLS, "person_pool"),
        (enc.head_init, HEAD_INITS, "head_init"),
        (opt.optimizer, OPTIMIZERS, "optimizer"),
        (aug.spatial, SPATIAL_CHOICES, "spatial"),
    ):
        need(value in allowed, f"{name}: {value!r} is not one of {allowed}")
    for section, name in (
        (data, "frames"), (aug, "min_crop_frames"), (enc, "embed_dim"), (moco, "queue_size"),
        (opt, "batch_size"), (opt, "epochs"), (ev, "knn_k"),
    ):  # fmt: skip
        value = getattr(section, name)
        need(_is_int(value) and value > 0, f"{name}: must be a positive integer, got {value!r}")
    for section, name in ((ev, "monitor_every"), (run, "checkpoint_every"), (run, "seed")):
        value = getattr(section, name)
        need(
            _is_int(value) and value >= 0, f"{name}: must be a non-negative integer, got {value!r}"
        )
    for section, name in ((opt, "lr"), (moco, "temperature"), (opt, "lr_gamma")):
        value = getattr(section, name)
        need(_is_number(value) and value > 0, f"{name}: must be a number > 0, got {value!r}")
    need(
        _is_number(moco.cross_view_positives) and 0 <= moco.cross_view_positives <= 1,
        f"cross_view_positives: must lie in [0, 1], got {moco.cross_view_positives!r}",
    )
    need(
        _is_number(moco.momentum) and 0 <= moco.momentum <= 1,
        f"momentum: must lie in [0, 1], got {moco.momentum!r}",
    )
    need(
        _is_number(opt.sgd_momentum) and 0 <= opt.sgd_momentum < 1,
        f"sgd_momentum: must lie in [0, 1), got {opt.sgd_momentum!r}",
    )
    need(
        _is_number(opt.weight_decay) and opt.weight_decay >= 0,
        f"weight_decay: must be >= 0, got {opt.weight_decay!r}",
    )
    need(
        _is_number(aug.l_min) and _is_number(aug.l_max) and 0 < aug.l_min <= aug.l_max <= 1,
        f"l_min/l_max: need 0 < l_min <= l_max <= 1, got {aug.l_min!r}, {aug.l_max!r}",
    )
    need(
        _is_number(aug.jitter_p_mask) and 0 <= aug.jitter_p_mask <= 1,
        "jitter_p_mask: must lie in [0, 1]",
    )
    for section, name in ((aug, "jitter_joints"), (enc, "head_hidden")):
        value = getattr(section, name)
        need(
            value is None or (_is_int(value) and value > 0),
            f"{name}: None or a positive integer, got {value!r}",
        )
    need(
        moco.queue_size % opt.batch_size == 0,
        f"queue_size: K={moco.queue_size} must be a multiple of batch_size={opt.batch_size} "
        "(the queue is filled one whole batch at a time, as in MoCo)",
    )
    need(
        isinstance(opt.milestones, tuple)
        and all(_is_int(e) and e > 0 for e in opt.milestones)
        and list(opt.milestones) == sorted(opt.milestones),
        f"milestones: increasing positive epochs, got {opt.milestones!r}",
    )
    need(
        cfg.linear.split in ("test", "validation"),
        f"linear.split: 'test' or 'validation', got {cfg.linear.split!r}",
    )
    need(
        isinstance(cfg.linear.standardize, bool),
        f"linear.standardize: true or false, got {cfg.linear.standardize!r}",
    )
    need(
        opt.schedule in ("step", "cosine"),
        f"schedule: 'step' or 'cosine', got {opt.schedule!r}",
    )
    need(
        opt.schedule == "step" or not opt.milestones,
        f"milestones: the cosine schedule takes none, got {opt.milestones!r}",
    )
    for name in ("warmup_epochs", "min_steps_per_epoch"):
        value = getattr(opt, name)
        need(_is_int(value) and value >= 0, f"{name}: an integer >= 0, got {value!r}")
    need(isinstance(run.amp, bool), f"amp: must be true or false, got {run.amp!r}")
    need(isinstance(run.device, str), f"device: must be a string, got {run.device!r}")
    need(
        isinstance(run.name, str)
        and (run.name == "" or run.name.replace("-", "_").replace(".", "_").isidentifier()),
        f"name: letters, digits, '-', '_' and '.' only, got {run.name!r}",
    )
    need(
        isinstance(data.dataset, str) and isinstance(data.protocol, str),
        "dataset and protocol: strings",
    )
    _validate_downstream(cfg, need)
    _validate_finetune(cfg, need)
    return cfg


def _validate_downstream(cfg: Config, need) -> None:
    """Constraints of the downstream sections (linear, knn, finetune)."""
    for section in ("linear", "knn", "finetune"):
        _check_representation(cfg, section, need)
    for section in ("linear", "finetune"):
        _check_schedule(getattr(cfg, section), section, need)
    need(isinstance(cfg.linear.pretrained, bool), "linear.pretrained: true or false")
    need(isinstance(cfg.linear.separately, bool), "linear.separately: true or false")
    need(isinstance(cfg.knn.pretrained, bool), "knn.pretrained: true or false")
    need(
        _is_number(cfg.linear.crop_l_min) and 0 < cfg.linear.crop_l_min <= 1,
        "linear.crop_l_min: must lie in (0, 1]",
    )
    ks = cfg.knn.ks
    need(
        isinstance(ks, tuple) and len(ks) > 0 and all(_is_int(k) and k > 0 for k in ks),
        f"knn.ks: one or more positive integers, got {ks!r}",
    )


def _check_representation(cfg: Config, section: str, need) -> None:
    """``section.representation``: empty (the first pretrained) or pretrained ones joined by +."""
    text = getattr(cfg, section).representation
    reps = text.split("+") if isinstance(text, str) else [None]
    need(
        text == ""
        or (all(r in cfg.encoder.representations for r in reps) and len(set(reps)) == len(reps)),
        f"{section}.representation: {text!r} must name one or more of the pretrained "
        f"encoders {cfg.encoder.representations}, joined by +",
    )


def _check_schedule(values, section: str, need) -> None:
    """The optimiser fields a downstream section shares with the others."""
    for name in ("batch_size", "epochs"):
        value = getattr(values, name)
        need(_is_int(value) and value > 0, f"{section}.{name}: a positive integer, got {value!r}")
    for name in ("lr", "lr_gamma"):
        value = getattr(values, name)
        need(_is_number(value) and value > 0, f"{section}.{name}: a number > 0, got {value!r}")
    need(
        _is_number(values.momentum) and 0 <= values.momentum < 1,
        f"{section}.momentum: must lie in [0, 1)",
    )
    need(
        _is_number(values.weight_decay) and values.weight_decay >= 0,
        f"{section}.weight_decay: >= 0",
    )
    need(
        isinstance(values.milestones, tuple)
        and all(_is_int(e) and e > 0 for e in values.milestones)
        and list(values.milestones) == sorted(values.milestones),
        f"{section}.milestones: increasing positive epochs, got {values.milestones!r}",
    )


FINETUNE_INITS = ("pretrained", "scratch")


def _validate_finetune(cfg: Config, need) -> None:
    """Constraints of the finetune section beyond those it shares (``_validate_downstream``)."""
    ft = cfg.finetune
    need(ft.init in FINETUNE_INITS, f"finetune.init: {ft.init!r} is not one of {FINETUNE_INITS}")
    need(
        ft.optimizer in OPTIMIZERS,
        f"finetune.optimizer: {ft.optimizer!r} is not one of {OPTIMIZERS}",
    )
    need(
        _is_number(ft.label_fraction) and 0 < ft.label_fraction <= 1,
        f"finetune.label_fraction: must lie in (0, 1], got {ft.label_fraction!r}",
    )
    need(
        _is_int(ft.test_every) and ft.test_every > 0,
        f"finetune.test_every: a positive integer, got {ft.test_every!r}",
    )
    need(
        _is_int(ft.subset_seed) and ft.subset_seed >= 0,
        f"finetune.subset_seed: a non-negative integer, got {ft.subset_seed!r}",
    )
    need(
        _is_number(ft.train_l_min) and 0 < ft.train_l_min <= 1,
        "finetune.train_l_min: must lie in (0, 1]",
    )
    for name in ("source_dataset", "source_protocol", "source_fingerprint"):
        value = getattr(ft, name)
        need(isinstance(value, str), f"finetune.{name}: a string, got {value!r}")
    need(
        isinstance(ft.source_dataset_options, tuple)
        and all(isinstance(p, tuple) and len(p) == 2 for p in ft.source_dataset_options),
        "finetune.source_dataset_options: reader options as a dict or (name, value) pairs",
    )
    need(
        ft.source_dataset != ""
        or not (ft.source_protocol or ft.source_dataset_options or ft.source_fingerprint),
        "finetune.source_protocol / source_dataset_options / source_fingerprint: only with a "
        "finetune.source_dataset",
    )


def probed_representations(cfg: Config, section: str) -> tuple[str, ...]:
    """The encoders whose features a downstream section reads: its ``representation`` split on
    ``+``, or the first pretrained representation when it is empty."""
    text = getattr(cfg, section).representation
    return tuple(text.split("+")) if text else cfg.encoder.representations[:1]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- serialisation and hash ------------------------------------------------------------------
def config_to_dict(cfg: Config) -> dict:
    """``{section: {field: value}}``, JSON-safe (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(cfg)))


def config_from_dict(values: dict) -> Config:
    """Inverse of :func:`config_to_dict`; unknown sections or fields raise :class:`ConfigError`."""
    unknown = sorted(set(values) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"unknown config section(s) {unknown}; known: {list(SECTIONS)}")
    flat = {f"{s}.{k}": v for s, fields in values.items() for k, v in fields.items()}
    return config_from_overrides(Config(), flat)


def _hashed(section: str, field: str, value: object) -> bool:
    """Whether a field counts in the hash: never a runtime field, a later field only when set."""
    if field in RUNTIME_FIELDS:
        return False
    return (section, field) not in LATER_FIELDS or LATER_FIELDS[section, field] != value


def config_hash(cfg: Config, sections: tuple[str, ...] = tuple(SECTIONS)) -> str:
    """Stable 12-hex-digit hash of what a run computes: the given sections, runtime-only fields
    (``device``, ``checkpoint_every``) removed, and so are :data:`LATER_FIELDS` at their
    defaults; plus :data:`REVISION`.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    values = config_to_dict(cfg)
    hashed = {s: {k: v for k, v in values[s].items() if _hashed(s, k, v)} for s in sections}
    hashed["revision"] = REVISION
    text = json.dumps(hashed, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]
