"""Results tables generated from finished runs, beside the paper's numbers, never typed by hand.

Every ``metrics.json`` under an output folder (read with :func:`skelviz.runs.store.find_runs` and
:func:`skelviz.runs.api.load_run`, no weights) becomes a row of a table laid out like the paper's:

- :func:`table1_linear` (Table 1, linear evaluation of frozen features),
- :func:`table2_semi_supervised` (Table 2, fine-tuning on a fraction of the labels, scratch
  against pretrained, mean ± std over the label subsets),
- :func:`table3_knn` (Table 3, kNN retrieval; k = 1 and every other k a run recorded),
- :func:`table4_transfer` (Table 4, fine-tuning runs pretrained on another dataset),
- :func:`table7_supervised` (Table 7, from scratch against fine-tuned, all labels),
- :func:`table10_combined` (Table 10, single against combined representations),
- :func:`anchors` (the published N-UCLA numbers and the raw-coordinate floor).

Each row holds the paper's number (NTU / PKU, the setting named in the cell) in one column and
ours in the next, then where ours came from: profile (inferred from the configuration), dataset,
protocol, how many runs (seeds) were averaged, hardware (device and torch threads) and the
training time. Runs whose configurations differ only in their seeds (``run.seed``, and
``finetune.subset_seed`` for fine-tuning) are one row: mean ± sample standard deviation.
The paper's values live in :data:`PAPER` (read from the paper, Tables 1 to 4, 7 and 10).

A number measured on N-UCLA is not an NTU number: the side by side shows which of the paper's
claims (pretraining beats scratch, inter beats intra, ...) carry over, not whether a value was
reproduced. :func:`to_markdown` renders a table as plain text for the README and the notebook.

Introduced in ``notebooks/08_results``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

__all__ = [
    "ANCHORS",
    "PAPER",
    "RunRow",
    "Table",
    "all_tables",
    "anchors",
    "collect_runs",
    "infer_profile",
    "table1_linear",
    "table2_semi_supervised",
    "table3_knn",
    "table4_transfer",
    "table7_supervised",
    "table10_combined",
    "to_markdown",
]

# --- the paper's numbers (top-1 %, ISC, ACM MM 2021) ------------------------------------------
# settings: (dataset, protocol) as skelviz names them; PKU-MMD parts are "pku-mmd I" / "pku-mmd II"
SETTING_NAMES = {
    ("ntu60", "cross_view"): "NTU-60 x-view",
    ("ntu60", "cross_subject"): "NTU-60 x-sub",
    ("ntu120", "cross_setup"): "NTU-120 x-setup",
    ("ntu120", "cross_subject"): "NTU-120 x-sub",
    ("pku-mmd I", "cross_subject"): "PKU-MMD I x-sub",
    ("pku-mmd II", "cross_subject"): "PKU-MMD II x-sub",
}
REFERENCE_SETTING = ("ntu60", "cross_view")  # the paper's ablation setting (Tables 5, 6, 10)

PAPER: dict[str, dict] = {
    "table1": {
        "title": "Table 1: 3D action recognition, linear evaluation (inter SEQ+STG, SEQ encoder)",
        "values": {
            ("ntu60", "cross_view"): 85.2,
            ("ntu60", "cross_subject"): 76.3,
            ("ntu120", "cross_setup"): 67.9,
            ("ntu120", "cross_subject"): 67.1,
            ("pku-mmd I", "cross_subject"): 80.9,
            ("pku-mmd II", "cross_subject"): 36.0,
        },
    },
    "table2": {
        "title": "Table 2: semi-supervised 3D action recognition (mean of five label subsets)",
        # (init, label fraction) -> {setting: (mean, std)}
        "values": {
            ("scratch", 0.01): {
                ("ntu60", "cross_view"): (21.7, 1.0),
                ("ntu60", "cross_subject"): (17.6, 0.5),
                ("pku-mmd I", "cross_subject"): (22.5, 1.0),
            },
            ("scratch", 0.05): {
                ("ntu60", "cross_view"): (47.6, 1.0),
                ("ntu60", "cross_subject"): (42.8, 0.5),
            },
            ("scratch", 0.1): {
                ("ntu60", "cross_view"): (59.8, 0.5),
                ("ntu60", "cross_subject"): (51.6, 1.0),
                ("pku-mmd I", "cross_subject"): (55.4, 1.0),
            },
            ("scratch", 0.2): {
                ("ntu60", "cross_view"): (69.1, 0.5),
                ("ntu60", "cross_subject"): (59.5, 1.0),
            },
            ("pretrained", 0.01): {
                ("ntu60", "cross_view"): (38.1, 1.0),
                ("ntu60", "cross_subject"): (35.7, 0.5),
                ("pku-mmd I", "cross_subject"): (37.7, 1.0),
            },
            ("pretrained", 0.05): {
                ("ntu60", "cross_view"): (65.7, 0.5),
                ("ntu60", "cross_subject"): (59.6, 0.5),
            },
            ("pretrained", 0.1): {
                ("ntu60", "cross_view"): (72.5, 0.4),
                ("ntu60", "cross_subject"): (65.9, 1.0),
                ("pku-mmd I", "cross_subject"): (72.1, 1.0),
            },
            ("pretrained", 0.2): {
                ("ntu60", "cross_view"): (78.2, 0.3),
                ("ntu60", "cross_subject"): (70.8, 1.0),
            },
        },  # fmt: skip
    },
    "table3": {
        "title": "Table 3: 3D action retrieval, 1-NN cosine on frozen features",
        "values": {
            ("ntu60", "cross_view"): 82.6,
            ("ntu60", "cross_subject"): 62.5,
            ("ntu120", "cross_setup"): 52.3,
            ("ntu120", "cross_subject"): 50.6,
        },
    },
    "table4": {
        "title": "Table 4: transfer to PKU-MMD II (pretrained on the source, fine-tuned on it)",
        # source dataset -> %, target PKU-MMD II x-sub
        "values": {"pku-mmd I": 45.1, "ntu60": 45.9},
    },
    "table7": {
        "title": "Table 7: supervised only against fine-tuned from pretraining, all labels",
        "values": {
            ("scratch", ("ntu60", "cross_view")): 87.8,
            ("scratch", ("ntu60", "cross_subject")): 72.9,
            ("scratch", ("ntu120", "cross_setup")): 68.2,
            ("scratch", ("ntu120", "cross_subject")): 66.3,
            ("pretrained", ("ntu60", "cross_view")): 90.4,
            ("pretrained", ("ntu60", "cross_subject")): 79.3,
            ("pretrained", ("ntu120", "cross_setup")): 75.4,
            ("pretrained", ("ntu120", "cross_subject")): 73.1,
        },
    },
    "table10": {
        "title": "Table 10: single and combined representations, linear evaluation, NTU-60 x-view",
        # (downstream representations, "intra" | "inter") -> % ; params in millions (inference)
        "values": {
            (("img",), "intra"): 79.6,
            (("img",), "inter"): 81.7,
            (("stg",), "intra"): 72.5,
            (("stg",), "inter"): 78.9,
            (("seq",), "intra"): 82.5,
            (("seq",), "inter"): 85.2,
            (("img", "stg"), "intra"): 80.3,
            (("img", "stg"), "inter"): 81.8,
            (("img", "seq"), "intra"): 80.3,
            (("img", "seq"), "inter"): 82.6,
            (("seq", "stg"), "intra"): 84.5,
            (("seq", "stg"), "inter"): 86.0,
        },  # fmt: skip
        "params_millions": {
            ("img",): 1.0,
            ("stg",): 3.0,
            ("seq",): 10.0,
            ("img", "stg"): 4.0,
            ("img", "seq"): 11.0,
            ("seq", "stg"): 14.0,
        },  # fmt: skip
    },
}

# published numbers on N-UCLA (cross-view), the anchors for this project's default profile
ANCHORS = [
    {"method": "Predict & Cluster (Su et al., CVPR 2020)", "metric": "1-NN cosine, unsupervised",
     "task": "knn", "value": 84.9},
    {"method": "MCAE", "metric": "linear evaluation", "task": "linear",
     "value": 84.9},
]  # fmt: skip

COLUMNS_TAIL = ["profile", "dataset", "protocol", "seeds", "hardware", "time"]


@dataclass
class Table:
    """One generated table: a title, the column names, rows (dicts keyed by column) and notes.

    Introduced in ``notebooks/08_results``.
    """

    title: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RunRow:
    """A finished run reduced to what the tables need (plain values, no weights).

    Introduced in ``notebooks/08_results``.
    """

    task: str
    name: str
    config: dict  # the configuration sections, as in config.json
    data: dict  # config.json's "data" (dataset, protocol, sizes, ...)
    metrics: dict

    @property
    def dataset(self) -> str:
        return self.data.get("dataset") or self.config.get("data", {}).get("dataset", "")

    @property
    def protocol(self) -> str:
        return self.data.get("protocol") or self.config.get("data", {}).get("protocol", "")


# --- reading runs -----------------------------------------------------------------------------
def collect_runs(output_dir: str | os.PathLike, task: str = "*") -> list[RunRow]:
    """Every finished run under ``output_dir/runs`` (optionally one task), metrics only.

    Runs scored on the validation split (``linear.split = "validation"``) are left out: the
    tables report test numbers.

    Introduced in ``notebooks/08_results``.
    """
    from skelviz.runs.store import find_runs

    rows = []
    for folder in find_runs(output_dir, task):
        # the JSON as written, not load_run's Config: a run made before a configuration field
        # was renamed still reads (find_runs lists only folders holding metrics.json)
        record = folder.read_json("config.json")
        metrics = folder.read_json("metrics.json")
        if metrics.get("split") == "validation":
            continue
        rows.append(
            RunRow(record["task"], folder.root.name, record["config"], record["data"], metrics)
        )
    return rows


def infer_profile(config: dict, adjusted: list[str] | tuple[str, ...] = ()) -> str:
    """The profile whose pretraining overrides the configuration matches (dataset aside), or ``""``.

    Only the pretraining sections are compared (``data`` but its dataset, ``augment``,
    ``encoder``, ``moco``, ``optim``, ``eval``): a downstream field set by hand does not hide the
    profile, a changed pretraining field does (the cell stays blank rather than guess). Fields
    the run fitted to its data (``adjusted``: the notes in ``config.json``'s data, each starting
    with the field's name, e.g. ``"batch_size 64 -> 24: ..."``) are not compared. A run that
    turns on an option beyond the paper (a :data:`skelviz.runs.config.LATER_FIELDS` field away
    from its default) belongs to no profile.

    Introduced in ``notebooks/08_results``.
    """
    from skelviz.runs.config import LATER_FIELDS
    from skelviz.runs.profiles import PROFILES

    if any(not _same(config.get(s, {}).get(f, d), d) for (s, f), d in LATER_FIELDS.items()):
        return ""

    sections = ("data", "augment", "encoder", "moco", "optim", "eval")
    fitted = {note.split(" ", 1)[0] for note in adjusted}  # each note starts with its field
    for name, profile in PROFILES.items():
        matched = True
        for flat, value in profile.config.items():
            if "." in flat or flat == "dataset" or flat in fitted:
                continue
            section = next((s for s in sections if flat in config.get(s, {})), None)
            if section is None:
                continue
            if not _same(config[section][flat], value):
                matched = False
                break
        if matched:
            return name
    return ""


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and list(a) == list(b)
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return a == b


def _group_key(run: RunRow, drop: tuple[tuple[str, str], ...]) -> str:
    """The run's identity without its seeds and runtime fields (``run`` section)."""
    import json

    config = {s: dict(v) for s, v in run.config.items() if s != "run"}
    for section, name in drop:
        config.get(section, {}).pop(name, None)
    facts = {k: run.data.get(k) for k in ("dataset", "protocol", "fingerprint")}
    return json.dumps([run.task, config, facts], sort_keys=True, default=str)


def _groups(runs: list[RunRow], drop=()) -> list[list[RunRow]]:
    groups: dict[str, list[RunRow]] = {}
    for run in runs:
        groups.setdefault(_group_key(run, drop), []).append(run)
    return list(groups.values())


# --- formatting -------------------------------------------------------------------------------
def _mean_std(values: list[float]) -> tuple[float, float | None]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, None
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


def _pct(values: list[float | None]) -> str:
    """Fractions as ``"78.7"`` (one run) or ``"78.7 ± 1.2"`` (mean ± sample std, percent)."""
    values = [v for v in values if v is not None]
    if not values:
        return ""
    mean, std = _mean_std([100.0 * v for v in values])
    return f"{mean:.1f}" if std is None else f"{mean:.1f} ± {std:.1f}"


def _paper(value, setting) -> str:
    if value is None:
        return "–"
    where = SETTING_NAMES.get(setting, str(setting))
    if isinstance(value, tuple):
        return f"{value[0]:.1f} ± {value[1]:.1f} ({where})"
    return f"{value:.1f} ({where})"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _hardware(group: list[RunRow]) -> str:
    found = []
    for run in group:
        m = run.metrics.get("machine") or {}
        text = f"{m.get('device', '?')}, {m.get('threads', '?')} thr"
        if (m.get("processes") or 1) > 1:
            text += f" x {m['processes']} proc"
        if text not in found:
            found.append(text)
    return "; ".join(found)


def _seconds(run: RunRow) -> float | None:
    """Training time (wall clock, summed over resumes), else the last call's wall time."""
    seconds = run.metrics.get("train_seconds")
    if not seconds:
        seconds = run.metrics.get("wall_seconds_last_call")
    return seconds


def _provenance(group: list[RunRow]) -> dict:
    run = group[0]
    profiles = sorted({infer_profile(r.config, r.data.get("adjusted", ())) for r in group})
    times = [s for s in (_seconds(r) for r in group) if s is not None]
    time = _duration(sum(times) / len(times)) if times else ""
    return {
        "profile": "/".join(p for p in profiles if p),
        "dataset": run.dataset,
        "protocol": run.protocol,
        "seeds": len(group),
        "hardware": _hardware(group),
        "time": time + (" each" if time and len(group) > 1 else ""),
    }


def _setting(run: RunRow) -> tuple[str, str]:
    """The paper's (dataset, protocol) for a run; PKU-MMD parts from the dataset options."""
    dataset = run.dataset
    if dataset == "pku-mmd":
        options = " ".join(str(o) for o in run.config.get("data", {}).get("dataset_options", []))
        dataset = "pku-mmd II" if ("2" in options or "II" in options) else "pku-mmd I"
    return dataset, run.protocol


def _paper_setting(run: RunRow, values: dict) -> tuple:
    """The run's own setting when the paper has it, else the paper's reference setting."""
    setting = _setting(run)
    return setting if setting in values else REFERENCE_SETTING


def _reps(run: RunRow, section: str) -> tuple[str, ...]:
    rep = run.metrics.get("representation") or run.config.get(section, {}).get("representation")
    if rep:
        return tuple(sorted(rep.split("+")))
    return tuple(sorted(run.config.get("encoder", {}).get("representations", [])))


def _pretraining(run: RunRow) -> str:
    """``"inter SEQ+STG"``, ``"intra SEQ"`` or ``"untrained"`` for a downstream run."""
    source = str(run.metrics.get("source", ""))
    reps = run.config.get("encoder", {}).get("representations", [])
    if source == "untrained" or source == "scratch":
        return source
    if run.config.get("linear", {}).get("separately") and run.task == "linear":
        return "intra separately"  # each encoder from its own intra run (Table 10)
    kind = "inter" if len(reps) > 1 else "intra"
    return f"{kind} {'+'.join(r.upper() for r in reps)}"


def _label(run: RunRow, section: str) -> str:
    reps = "+".join(r.upper() for r in _reps(run, section))
    return f"{reps}, {_pretraining(run)}"


NUCLA_NOTE = (
    "N-UCLA numbers are not NTU numbers: the paper column is the paper's own setting (named in "
    "each cell); the side by side shows which claims carry over, not a reproduction."
)


# --- the tables -------------------------------------------------------------------------------
def table1_linear(runs: list[RunRow]) -> Table:
    """Table 1: linear evaluation of frozen features, one row per configuration (seeds averaged).

    Introduced in ``notebooks/08_results``.
    """
    paper = PAPER["table1"]["values"]
    table = Table(PAPER["table1"]["title"], ["features", "paper %", "ours %", *COLUMNS_TAIL])
    for group in _groups([r for r in runs if r.task == "linear"], drop=(("run", "seed"),)):
        run = group[0]
        is_paper_row = _reps(run, "linear") == ("seq",) and _pretraining(run) == "inter SEQ+STG"
        setting = _paper_setting(run, paper)
        table.rows.append({
            "features": _label(run, "linear"),
            "paper %": _paper(paper.get(setting), setting) if is_paper_row else "–",
            "ours %": _pct([r.metrics.get("top1") for r in group]),
            **_provenance(group),
        })  # fmt: skip
    table.notes.append("ours: top-1 of the last epoch; the paper's row is its SEQ encoder "
                       "pretrained with inter SEQ+STG.")  # fmt: skip
    return table


def _finetune_groups(runs: list[RunRow], transfer: bool) -> list[list[RunRow]]:
    chosen = [
        r for r in runs
        if r.task == "finetune"
        and bool(r.config.get("finetune", {}).get("source_dataset")) == transfer
    ]  # fmt: skip
    return _groups(chosen, drop=(("run", "seed"), ("finetune", "subset_seed")))


def _fraction(run: RunRow) -> float:
    return float(run.config.get("finetune", {}).get("label_fraction", 1.0))


def _init(run: RunRow) -> str:
    return run.config.get("finetune", {}).get("init", "pretrained")


def table2_semi_supervised(runs: list[RunRow]) -> Table:
    """Table 2: fine-tuning on a fraction of the labels, scratch against pretrained.

    Runs differing only in ``finetune.subset_seed`` (and ``run.seed``) are one row: mean ± sample
    std of their top-1, ``seeds`` = how many.

    Introduced in ``notebooks/08_results``.
    """
    paper = PAPER["table2"]["values"]
    table = Table(PAPER["table2"]["title"], ["labels", "init", "paper %", "ours %", *COLUMNS_TAIL])
    groups = [g for g in _finetune_groups(runs, transfer=False) if _fraction(g[0]) < 1.0]
    groups.sort(key=lambda g: (_fraction(g[0]), _init(g[0]) != "scratch", g[0].name))
    for group in groups:
        run = group[0]
        fraction, init = _fraction(run), _init(run)
        values = paper.get((init, round(fraction, 4)), {})
        setting = _paper_setting(run, values)
        table.rows.append({
            "labels": f"{100 * fraction:g} %",
            "init": f"{init} ({_pretraining(run)})" if init != "scratch" else "scratch",
            "paper %": _paper(values.get(setting), setting),
            "ours %": _pct([r.metrics.get("top1") for r in group]),
            **_provenance(group),
        })  # fmt: skip
    table.notes.append("paper: mean ± std of five label subsets; ours: mean ± sample std over "
                       "the subsets run (seeds column).")  # fmt: skip
    return table


def table3_knn(runs: list[RunRow]) -> Table:
    """Table 3: kNN retrieval (cosine) of frozen features; k = 1 beside the paper, other k after.

    Introduced in ``notebooks/08_results``.
    """
    paper = PAPER["table3"]["values"]
    knn = [r for r in runs if r.task == "knn"]
    ks = sorted({int(k) for r in knn for k in r.metrics.get("top1_by_k", {})} - {1})
    columns = ["features", "paper 1-NN %", "ours 1-NN %", *[f"{k}-NN %" for k in ks]]
    table = Table(PAPER["table3"]["title"], [*columns, *COLUMNS_TAIL])
    for group in _groups(knn, drop=(("run", "seed"),)):
        run = group[0]
        is_paper_row = _reps(run, "knn") == ("seq",) and _pretraining(run) == "inter SEQ+STG"
        setting = _paper_setting(run, paper)
        row = {
            "features": _label(run, "knn"),
            "paper 1-NN %": _paper(paper.get(setting), setting) if is_paper_row else "–",
            "ours 1-NN %": _pct([r.metrics.get("knn_1nn") for r in group]),
        }
        for k in ks:
            row[f"{k}-NN %"] = _pct([r.metrics.get("top1_by_k", {}).get(str(k)) for r in group])
        table.rows.append({**row, **_provenance(group)})
    return table


def table4_transfer(runs: list[RunRow]) -> Table:
    """Table 4: fine-tuning runs whose encoder was pretrained on another dataset.

    Introduced in ``notebooks/08_results``.
    """
    paper = PAPER["table4"]["values"]
    table = Table(
        PAPER["table4"]["title"], ["source → target", "init", "paper %", "ours %", *COLUMNS_TAIL]
    )
    for group in _finetune_groups(runs, transfer=True):
        run = group[0]
        source = run.config["finetune"]["source_dataset"]
        target = _setting(run)[0]
        paper_source = "pku-mmd I" if source == "pku-mmd" else source
        names = {"pku-mmd I": "PKU-MMD I", "ntu60": "NTU-60"}
        if target == "pku-mmd II" and paper_source in paper:
            cell = f"{paper[paper_source]:.1f} ({names[paper_source]} → PKU-MMD II)"
        else:
            cell = "; ".join(f"{v:.1f} ({names[k]} → PKU-MMD II)" for k, v in paper.items())
        table.rows.append({
            "source → target": f"{source} → {run.dataset}",
            "init": _init(run),
            "paper %": cell,
            "ours %": _pct([r.metrics.get("top1") for r in group]),
            **_provenance(group),
        })  # fmt: skip
    return table


def table7_supervised(runs: list[RunRow]) -> Table:
    """Table 7: all labels, the encoder trained from scratch against fine-tuned from pretraining.

    Introduced in ``notebooks/08_results``.
    """
    paper = PAPER["table7"]["values"]
    table = Table(PAPER["table7"]["title"], ["init", "paper %", "ours %", *COLUMNS_TAIL])
    groups = [g for g in _finetune_groups(runs, transfer=False) if _fraction(g[0]) >= 1.0]
    groups.sort(key=lambda g: (_init(g[0]) != "scratch", g[0].name))
    for group in groups:
        run = group[0]
        init = _init(run)
        values = {s: v for (i, s), v in paper.items() if i == init}
        setting = _paper_setting(run, values)
        table.rows.append({
            "init": f"{init} ({_pretraining(run)})" if init != "scratch" else "scratch",
            "paper %": _paper(values.get(setting), setting),
            "ours %": _pct([r.metrics.get("top1") for r in group]),
            **_provenance(group),
        })  # fmt: skip
    return table


PARAM_KEYS = ("inference_parameters", "inference_params", "encoder_params", "num_params")


def table10_combined(runs: list[RunRow]) -> Table:
    """Table 10: linear evaluation of one or two representations, intra against inter.

    The inference-parameter column appears only when the runs' metrics record a count (one of
    :data:`PARAM_KEYS`).

    Introduced in ``notebooks/08_results``.
    """
    spec = PAPER["table10"]
    chosen = [r for r in runs if r.task == "linear" and _pretraining(r) not in ("untrained", "")]
    groups = _groups(chosen, drop=(("run", "seed"),))
    has_params = any(any(k in r.metrics for k in PARAM_KEYS) for g in groups for r in g)
    columns = ["downstream reps", "pretraining", "paper %", "ours %"]
    if has_params:
        columns += ["paper params", "ours params"]
    table = Table(spec["title"], [*columns, *COLUMNS_TAIL])
    groups.sort(key=lambda g: (len(_reps(g[0], "linear")), _reps(g[0], "linear"), g[0].name))
    for group in groups:
        run = group[0]
        reps = _reps(run, "linear")
        kind = _pretraining(run).split(" ")[0]
        value = spec["values"].get((reps, kind))
        row = {
            "downstream reps": "+".join(r.upper() for r in reps),
            "pretraining": _pretraining(run),
            "paper %": _paper(value, REFERENCE_SETTING),
            "ours %": _pct([r.metrics.get("top1") for r in group]),
        }
        if has_params:
            params = spec["params_millions"].get(reps)
            row["paper params"] = f"{params:.1f}M" if params is not None else "–"
            count = next((run.metrics[k] for k in PARAM_KEYS if k in run.metrics), None)
            row["ours params"] = f"{count / 1e6:.2f}M" if isinstance(count, (int, float)) else ""
        table.rows.append({**row, **_provenance(group)})
    return table


RAW_FROM_NOTEBOOK = "recorded by notebook 06"  # where notebook 08's raw-coordinate floor comes from


def anchors(
    runs: list[RunRow], raw_floor: float | None = None, raw_source: str = RAW_FROM_NOTEBOOK
) -> Table:
    """Published N-UCLA numbers beside ours (SEQ, the setting run with the most seeds: mean and
    spread of all its seeds, never the best seed), and the raw-coordinate floor.

    ``raw_floor``: 1-NN accuracy (fraction) of raw coordinates, when a run or notebook recorded it,
    and ``raw_source``, where it came from; without one, a kNN run with representation ``raw``
    gives both.

    Introduced in ``notebooks/08_results``.
    """
    table = Table("Published N-UCLA anchors (cross-view)",
                  ["reference", "metric", "published %", "ours %", "run"])  # fmt: skip
    nucla = [r for r in runs if r.dataset == "nw-ucla" and _pretraining(r) != "untrained"]
    for anchor in ANCHORS:
        key = "knn_1nn" if anchor["task"] == "knn" else "top1"
        candidates = [
            r for r in nucla
            if r.task == anchor["task"] and _reps(r, anchor["task"]) == ("seq",)
            and r.metrics.get(key) is not None
        ]  # fmt: skip
        # the setting with the most seeds, all of them: never the best run (that would choose
        # on the test view)
        groups = _groups(candidates, drop=(("run", "seed"),))
        group = max(groups, key=len, default=[])
        table.rows.append({
            "reference": anchor["method"],
            "metric": anchor["metric"],
            "published %": f"{anchor['value']:.1f}",
            "ours %": _pct([r.metrics[key] for r in group]) if group else "",
            "run": (f"{group[0].task}/{group[0].name}" + (f" (+{len(group) - 1} seeds)"
                    if len(group) > 1 else "")) if group else "no N-UCLA run",
        })  # fmt: skip
    raw = [r for r in runs if r.task == "knn" and r.metrics.get("representation") == "raw"]
    if raw_floor is None and raw:
        raw_floor, raw_source = raw[0].metrics.get("knn_1nn"), f"knn/{raw[0].name}"
    if raw_floor is not None:
        table.rows.append({
            "reference": "raw coordinates (floor)",
            "metric": "1-NN cosine, no learning",
            "published %": "–",
            "ours %": _pct([raw_floor]),
            "run": raw_source,
        })  # fmt: skip
    return table


def all_tables(
    output_dir: str | os.PathLike,
    raw_floor: float | None = None,
    raw_source: str = RAW_FROM_NOTEBOOK,
) -> list[Table]:
    """Every table for the runs under ``output_dir`` (empty tables when there are none);
    ``raw_floor`` and ``raw_source`` go to :func:`anchors`.

    Introduced in ``notebooks/08_results``.
    """
    runs = collect_runs(output_dir)
    return [
        table1_linear(runs),
        table2_semi_supervised(runs),
        table3_knn(runs),
        table4_transfer(runs),
        table7_supervised(runs),
        table10_combined(runs),
        anchors(runs, raw_floor, raw_source),
    ]


def to_markdown(table: Table) -> str:
    """The table as a markdown string: bold title, header, rows and notes (``_none yet_``
    when there are no rows).

    Introduced in ``notebooks/08_results``.
    """

    def cell(value) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = [f"**{table.title}**", ""]
    if not table.rows:
        lines.append("_No finished runs for this table yet._")
    else:
        lines.append("| " + " | ".join(table.columns) + " |")
        lines.append("|" + "|".join("---" for _ in table.columns) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(cell(row.get(c)) for c in table.columns) + " |")
    if table.notes:
        lines.append("")
        lines.extend(table.notes)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    """``python -m skelviz.results OUTPUT_DIR [--raw-floor F]``: every table as markdown."""
    import argparse

    parser = argparse.ArgumentParser(description="results tables of an output folder")
    parser.add_argument("output_dir")
    parser.add_argument("--raw-floor", type=float, default=None, help="raw-coordinate 1-NN")
    args = parser.parse_args(argv)
    source = "given as --raw-floor" if args.raw_floor is not None else RAW_FROM_NOTEBOOK
    tables = all_tables(args.output_dir, args.raw_floor, source)
    text = "\n\n".join(to_markdown(t) for t in tables)
    print(text)
    return text


if __name__ == "__main__":
    main()
