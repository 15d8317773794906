"""The ablation sweep's cells, one per number of the paper's ablation tables (Section 4.4,
Appendix A.3 and A.4): Tables 5, 6, 8, 9 and 10, and the curves of Figure 6.

Pure functions, no training: every cell is a pretraining configuration (overrides on top of a
profile and :data:`ABLATION_SCHEDULE`) and a downstream probe (linear evaluation and 1-NN of one
or more representations). Cells that share a pretraining configuration share its run, because the
engine keys runs by configuration (:mod:`skelviz.runs.api`); :mod:`skelviz.sweep` runs them and
:mod:`skelviz.report` reads the results back.

How the paper's rows are expressed with the ``augment`` section (see ``docs/ablations.md``):

- temporal crop-resize off: ``l_min = l_max = 1`` (the whole sequence, resized to ``frames``);
  on: the profile's ``l_min`` (Table 9 sets it explicitly);
- pose (shear) alone: ``spatial = "shear"``; joint jitter alone: ``spatial = "jitter"``; both:
  ``spatial = "random"`` (the released code's composition: one of the two per view, a fair
  coin); neither: ``spatial = "none"``;
- |j| of Table 8: the paper's 2, 5, 10, 15, 20 of 25 joints scaled to the layout's V joints,
  rounded half up (``round(15 * 20 / 25) = 12`` on N-UCLA's 20 joints).

Introduced in ``notebooks/09_ablations_report``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = [
    "AUGMENTATION_ROWS",
    "ABLATION_SCHEDULE",
    "ABLATION_PROBE",
    "Cell",
    "PAPER_ABLATIONS",
    "TABLES",
    "augment_overrides",
    "cells",
    "estimate_seconds",
    "jitter_joint_counts",
    "schedule_overrides",
]

TABLES = ("5", "6", "8", "9", "10")
REPS = ("img", "stg", "seq")  # the paper's column order in Tables 5 and 6
PAPER_JOINTS = 25  # NTU's layout, the joint count of the paper's |j|
PAPER_JITTER = (2, 5, 10, 15, 20)  # Table 8's |j| of 25
PAPER_L_MIN = (0.1, 0.3, 0.5)  # Table 9

# Table 5's rows in the paper's order: which of (temporal crop-resize, pose, joint jitter) is on
AUGMENTATION_ROWS: tuple[tuple[str, ...], ...] = (
    (),
    ("temporal",),
    ("pose",),
    ("jitter",),
    ("temporal", "pose"),
    ("temporal", "jitter"),
    ("temporal", "pose", "jitter"),
)
ALL_AUGMENTATIONS = AUGMENTATION_ROWS[-1]
# Table 6's inter rows (pretraining representations, alphabetical as skelviz names runs)
INTER_ROWS: tuple[tuple[str, ...], ...] = (
    ("img", "stg"), ("img", "seq"), ("seq", "stg"), ("img", "seq", "stg"),
)  # fmt: skip
# Table 10's inter single-representation rows: the pair each number comes from in the paper
TABLE10_INTER_SINGLE = {"img": ("img", "seq"), "stg": ("seq", "stg"), "seq": ("seq", "stg")}
TABLE10_PAIRS: tuple[tuple[str, ...], ...] = (("img", "stg"), ("img", "seq"), ("seq", "stg"))

# --- the paper's numbers (NTU-60 cross-view, linear evaluation top-1 %) ------------------------
PAPER_ABLATIONS: dict[str, dict] = {
    "5": {  # (augmentations on) -> {representation: %}
        (): {"img": 51.0, "stg": 51.4, "seq": 50.0},
        ("temporal",): {"img": 62.5, "stg": 53.5, "seq": 64.1},
        ("pose",): {"img": 69.8, "stg": 63.8, "seq": 71.7},
        ("jitter",): {"img": 74.6, "stg": 66.1, "seq": 75.2},
        ("temporal", "pose"): {"img": 73.2, "stg": 69.3, "seq": 73.8},
        ("temporal", "jitter"): {"img": 77.0, "stg": 68.3, "seq": 80.0},
        ("temporal", "pose", "jitter"): {"img": 79.6, "stg": 72.5, "seq": 82.5},
    },
    "6": {  # pretraining representations -> {downstream representation: %}
        ("img",): {"img": 79.6},
        ("stg",): {"stg": 72.5},
        ("seq",): {"seq": 82.5},
        ("img", "stg"): {"img": 80.0, "stg": 78.0},
        ("img", "seq"): {"img": 81.7, "seq": 83.0},
        ("seq", "stg"): {"stg": 78.9, "seq": 85.2},
        ("img", "seq", "stg"): {"img": 81.2, "stg": 81.6, "seq": 85.4},
    },
    "8": {2: 65.6, 5: 67.5, 10: 69.4, 15: 74.6, 20: 70.6},  # |j| of 25 -> % (IMG, jitter only)
    "9": {0.1: 62.5, 0.3: 62.0, 0.5: 60.8},  # l_min -> % (IMG, temporal crop-resize only)
}
# Table 10 (single and combined, intra and inter, parameter counts) is skelviz.results.PAPER

# --- the ablation schedule --------------------------------------------------------------------
# Applied on top of the chosen profile. `default`: 15 of its 100 pretraining epochs (monitored
# once, at the end) and 20 of its 40 linear epochs, so that the whole N-UCLA sweep with 3 seeds
# fits 3 hours on a 2-core CPU (estimate_seconds; docs/ablations.md shows the measurement).
# `ci` and `full` run as they are.
ABLATION_SCHEDULE: dict[str, dict] = {
    "ci": {},
    "default": {
        "epochs": 15, "milestones": (), "monitor_every": 15, "checkpoint_every": 5,
        "linear.epochs": 20, "linear.milestones": (12, 17),
    },
    "full": {},
}  # fmt: skip

# The sweep's probe, under either schedule (so that the schedules differ only in length): `default`
# standardises the probe's features; the paper's plain SGD probe (lr 0.1) diverged on IMG features
# after 15 pretraining epochs (training loss above 1,000, chance accuracy; docs/ablations.md).
ABLATION_PROBE: dict[str, dict] = {"ci": {}, "default": {"linear.standardize": True}, "full": {}}

# Measured CPU seconds per epoch, one torch thread, `default` profile on N-UCLA (1,020 training
# sequences, frames 32, `small` encoders), from finished 70-epoch runs and 3-epoch timings
# (docs/ablations.md); an inter run costs the sum of its encoders (9.1 s measured for SEQ+STG).
EPOCH_CPU_SECONDS = {
    "pretrain": {"seq": 2.6, "stg": 6.9, "img": 3.4},
    "linear": {"seq": 0.75, "stg": 1.4, "img": 1.1},
    "knn": 2.0,  # one whole kNN run (features of both splits)
}


@dataclass(frozen=True)
class Cell:
    """One number of a paper table: a pretraining setting and a downstream probe.

    ``pretrain`` holds the pretraining overrides (representations and augment fields; never the
    seed), ``probe`` the downstream representations joined by ``+``, ``separately`` whether the
    probe concatenates encoders of separate intra runs (Table 10), ``tasks`` the downstream tasks
    and ``paper`` the paper's NTU-60 number (``None`` where it has none).

    Introduced in ``notebooks/09_ablations_report``.
    """

    table: str
    row: str
    probe: str
    pretrain: dict = field(hash=False)
    paper: float | None = None
    separately: bool = False
    tasks: tuple[str, ...] = ("linear", "knn")

    @property
    def representations(self) -> tuple[str, ...]:
        return tuple(self.pretrain["representations"].split("+"))

    def overrides(self, seed: int) -> dict:
        """Flat configuration overrides of this cell's downstream runs for one seed."""
        _check_seed(seed)
        probe = {"linear.representation": self.probe, "knn.representation": self.probe}
        if self.separately:
            probe["linear.separately"] = True
        return {**self.pretrain, **probe, "seed": seed}

    def pretrain_overrides(self, seed: int) -> dict:
        """Flat overrides of the pretraining run(s) this cell reads, for one seed."""
        _check_seed(seed)
        return {**self.pretrain, "seed": seed}


def _check_seed(seed) -> None:
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        raise ValueError(f"seed: a non-negative integer, got {seed!r}")


# --- rows -------------------------------------------------------------------------------------
def augment_overrides(augmentations: tuple[str, ...]) -> dict:
    """The ``augment`` overrides that switch on exactly ``augmentations`` (a subset of
    ``("temporal", "pose", "jitter")``); temporal on keeps the profile's ``l_min``.

    Introduced in ``notebooks/09_ablations_report``.
    """
    unknown = set(augmentations) - set(ALL_AUGMENTATIONS)
    if unknown:
        raise ValueError(f"unknown augmentation(s) {sorted(unknown)}; known: {ALL_AUGMENTATIONS}")
    pose, jitter = "pose" in augmentations, "jitter" in augmentations
    spatial = {(True, True): "random", (True, False): "shear", (False, True): "jitter"}
    overrides = {"spatial": spatial.get((pose, jitter), "none")}
    if "temporal" not in augmentations:
        overrides.update(l_min=1.0, l_max=1.0)  # the whole sequence, resized to `frames`
    return overrides


def row_label(augmentations: tuple[str, ...]) -> str:
    """``"none"``, ``"temporal"``, ``"temporal+pose+jitter"``, ..."""
    return "+".join(augmentations) or "none"


def jitter_joint_counts(num_joints: int) -> dict[int, int]:
    """Table 8's |j| of 25 joints scaled to ``num_joints``, rounded half up (at least 1):
    ``{2: 2, 5: 4, 10: 8, 15: 12, 20: 16}`` for N-UCLA's 20 joints.

    Introduced in ``notebooks/09_ablations_report``.
    """
    if not (isinstance(num_joints, int) and num_joints >= 2):
        raise ValueError(f"num_joints: an integer >= 2, got {num_joints!r}")
    return {j: max(1, math.floor(j * num_joints / PAPER_JOINTS + 0.5)) for j in PAPER_JITTER}


def _pretrain(reps: tuple[str, ...], augmentations=ALL_AUGMENTATIONS, **extra) -> dict:
    return {"representations": "+".join(reps), **augment_overrides(augmentations), **extra}


def _table5() -> list[Cell]:
    paper = PAPER_ABLATIONS["5"]
    return [
        Cell("5", row_label(augs), rep, _pretrain((rep,), augs), paper[augs][rep])
        for augs in AUGMENTATION_ROWS
        for rep in REPS
    ]


def _table6() -> list[Cell]:
    paper = PAPER_ABLATIONS["6"]
    out = [Cell("6", f"intra {rep}", rep, _pretrain((rep,)), paper[(rep,)][rep]) for rep in REPS]
    for reps in INTER_ROWS:
        label = f"inter {'+'.join(reps)}"
        out += [Cell("6", label, r, _pretrain(reps), paper[reps][r]) for r in REPS if r in reps]
    return out


def _table8(num_joints: int) -> list[Cell]:
    from skelviz.augment import default_jitter_joints

    out = []
    for of25, count in jitter_joint_counts(num_joints).items():
        # the layout's default count is left unset, so the cell shares Table 5's jitter run
        extra = {} if count == default_jitter_joints(num_joints) else {"jitter_joints": count}
        pretrain = _pretrain(("img",), ("jitter",), **extra)
        label = f"|j|={of25} of 25 ({count} of {num_joints})"
        out.append(Cell("8", label, "img", pretrain, PAPER_ABLATIONS["8"][of25]))
    return out


def _table9() -> list[Cell]:
    paper = PAPER_ABLATIONS["9"]
    return [
        Cell("9", f"l_min={v}", "img", _pretrain(("img",), ("temporal",), l_min=v), paper[v])
        for v in PAPER_L_MIN
    ]


def _table10() -> list[Cell]:
    from skelviz.results import PAPER

    paper = PAPER["table10"]["values"]
    out = []
    for rep in REPS:
        out.append(Cell("10", "intra", rep, _pretrain((rep,)), paper[((rep,), "intra")]))
        pair = TABLE10_INTER_SINGLE[rep]
        out.append(Cell("10", "inter", rep, _pretrain(pair), paper[((rep,), "inter")]))
    for pair in TABLE10_PAIRS:
        probe = "+".join(pair)
        out.append(Cell("10", "intra separately", probe, _pretrain(pair),
                        paper[(pair, "intra")], separately=True, tasks=("linear",)))  # fmt: skip
        out.append(Cell("10", "inter", probe, _pretrain(pair), paper[(pair, "inter")]))
    return out


def cells(tables: tuple[str, ...] | list[str] = TABLES, num_joints: int = 25) -> list[Cell]:
    """Every cell of ``tables`` (a subset of :data:`TABLES`) in the paper's order.

    ``num_joints`` is the layout's joint count (Table 8 scales |j| to it). Figure 6 has no cells
    of its own: it plots the pretraining history of Table 5's runs.

    Introduced in ``notebooks/09_ablations_report``.
    """
    tables = [str(t) for t in tables]
    unknown = [t for t in tables if t not in TABLES]
    if unknown or not tables:
        raise ValueError(f"unknown table(s) {unknown or tables}; known: {', '.join(TABLES)}")
    build = {"5": _table5, "6": _table6, "8": lambda: _table8(num_joints), "9": _table9,
             "10": _table10}  # fmt: skip
    return [cell for t in TABLES if t in tables for cell in build[t]()]


# --- schedule and cost ------------------------------------------------------------------------
def schedule_overrides(profile: str, schedule: str = "ablation") -> dict:
    """The sweep's overrides on top of ``profile``: its probe, and with ``schedule="ablation"``
    the shorter schedule (``"profile"``: the profile's own epochs).

    Introduced in ``notebooks/09_ablations_report``.
    """
    if profile not in ABLATION_SCHEDULE:
        raise ValueError(f"unknown profile {profile!r}; known: {', '.join(ABLATION_SCHEDULE)}")
    shorter = ABLATION_SCHEDULE[profile] if schedule == "ablation" else {}
    return {**ABLATION_PROBE[profile], **shorter}


def estimate_seconds(
    pretrain_reps: list[tuple[str, ...]],
    linear_probes: list[str],
    knn_runs: int,
    pretrain_epochs: int,
    linear_epochs: int,
    workers: int = 1,
    slowdown: float = 1.35,
) -> float:
    """Wall seconds of a sweep from :data:`EPOCH_CPU_SECONDS` (the `default` profile on N-UCLA).

    ``pretrain_reps``: each distinct pretraining run's representations; ``linear_probes``: each
    distinct linear run's probed representations (``"seq+stg"``). ``slowdown`` is wall over CPU
    time of a run beside another on two cores (1.14-1.5 measured, docs/ablations.md).

    Introduced in ``notebooks/09_ablations_report``.
    """
    per = EPOCH_CPU_SECONDS
    cpu = sum(per["pretrain"][r] for reps in pretrain_reps for r in reps) * pretrain_epochs
    cpu += sum(per["linear"][r] for p in linear_probes for r in p.split("+")) * linear_epochs
    cpu += per["knn"] * knn_runs
    return cpu * slowdown / max(1, workers)
