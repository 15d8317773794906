"""The ablation report (Section 4.4, Appendix A.3 and A.4): the sweep's results in the layout of
the paper's Tables 5, 6, 8, 9 and 10, the curves of Figure 6, and each claim of the paper tested
against our seeds.

Reads the manifest :mod:`skelviz.sweep` writes (``<output>/sweep-<schedule>.json``: which run
folder holds each cell and seed) and the runs' ``metrics.json`` / ``history.json`` through
:func:`skelviz.results.collect_runs`; nothing is trained and no weights are read.

**The verdict rule** (:func:`verdict`). A comparison "A beats B" has the paper's two numbers and
ours over n seeds. With ``d`` = mean(A) - mean(B) and ``margin`` = the larger of the two sample
standard deviations over seeds: ours orders A above B when ``d > margin``, B above A when
``d < -margin``, and cannot tell them apart otherwise (also whenever either side has fewer than 2
seeds). Ours **agrees** with the paper when it orders the pair as the paper's numbers do,
**disagrees** when it orders them the other way, and **cannot tell apart** otherwise. A claim of
several comparisons agrees when more of them agree than disagree and at least half agree,
disagrees in the mirror case, and cannot tell apart otherwise.

    python -m skelviz.report --output-dir outputs/ablation-nw-ucla --html report.html \
        --export docs/results/ablations-nw-ucla.json     # the results, without the run folders
    python -m skelviz.report --results docs/results/ablations-nw-ucla.json --html report.html

Introduced in ``notebooks/09_ablations_report``.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import statistics
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from skelviz import ablations
from skelviz.results import PAPER, Table, collect_runs, to_markdown

__all__ = [
    "Stat", "Comparison", "Claim", "load_manifest", "cell_values", "verdict", "claims",
    "claims_table", "comparisons_table", "paper_tables", "schedule_table", "figure6_curves",
    "plot_figure6", "plot_claims", "Report", "build_report", "export_results",
    "load_results", "summary_markdown", "render_html", "main",
]  # fmt: skip

METRICS = {"linear": ("linear", "top1"), "knn": ("knn", "knn_1nn")}


# --- numbers ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stat:
    """Our values of one cell over seeds (fractions), with mean and sample std in percent."""

    values: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float | None:
        return 100.0 * statistics.fmean(self.values) if self.values else None

    @property
    def std(self) -> float | None:
        return 100.0 * statistics.stdev(self.values) if self.n >= 2 else None

    def text(self) -> str:
        if not self.values:
            return ""
        return f"{self.mean:.1f}" if self.std is None else f"{self.mean:.1f} ± {self.std:.1f}"


def load_manifest(output_dir: str | os.PathLike, schedule: str = "ablation") -> dict:
    """The sweep's manifest; a missing one raises ``FileNotFoundError`` naming the command."""
    path = Path(output_dir) / f"sweep-{schedule}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no sweep manifest; run `python -m skelviz.sweep --output-dir {output_dir}` "
            "(or its --dry-run) first"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def cell_values(output_dir: str | os.PathLike, manifest: dict) -> dict[tuple, dict]:
    """``{(table, row, probe): {"linear": Stat, "knn": Stat, "params": int | None, "cell": …}}``
    from the finished runs (unfinished seeds are left out)."""
    runs = {f"{r.task}/{r.name}": r for r in collect_runs(output_dir)}
    out = {}
    for cell in manifest["cells"]:
        entry = {"cell": cell, "params": None}
        for metric, (task, key) in METRICS.items():
            values = []
            for folders in cell["seeds"].values():
                run = runs.get(folders.get(task, "").replace("runs/", "", 1))
                if run is not None and run.metrics.get(key) is not None:
                    values.append(float(run.metrics[key]))
                    if task == "linear":
                        entry["params"] = run.metrics.get("inference_parameters")
            entry[metric] = Stat(tuple(values))
        out[(cell["table"], cell["row"], cell["probe"])] = entry
    return out


# --- the verdict rule -------------------------------------------------------------------------
def ordering(a: Stat, b: Stat) -> int:
    """+1 when ``a`` is above ``b`` beyond the seeds' spread, -1 below, 0 cannot tell (or fewer
    than 2 seeds on a side). See the module docstring.

    Introduced in ``notebooks/09_ablations_report``.
    """
    if a.n < 2 or b.n < 2:
        return 0
    d, margin = a.mean - b.mean, max(a.std, b.std)
    return 1 if d > margin else -1 if d < -margin else 0


def verdict(paper_a: float, paper_b: float, a: Stat, b: Stat) -> str:
    """``"agrees"``, ``"disagrees"`` or ``"cannot tell apart"`` (see the module docstring).

    Introduced in ``notebooks/09_ablations_report``.
    """
    ours = ordering(a, b)
    paper = (paper_a > paper_b) - (paper_a < paper_b)
    if ours == 0 or paper == 0:
        return "cannot tell apart"
    return "agrees" if ours == paper else "disagrees"


def claim_verdict(verdicts: list[str]) -> str:
    """One verdict for a claim of several comparisons (see the module docstring)."""
    agree, disagree = verdicts.count("agrees"), verdicts.count("disagrees")
    if agree > disagree and 2 * agree >= len(verdicts):
        return "agrees"
    if disagree > agree and 2 * disagree >= len(verdicts):
        return "disagrees"
    return "cannot tell apart"


@dataclass
class Comparison:
    """ "A beats B": labels, the paper's two numbers and our two cells."""

    claim: str
    a: str
    b: str
    paper_a: float
    paper_b: float
    ours_a: Stat
    ours_b: Stat

    @property
    def verdict(self) -> str:
        return verdict(self.paper_a, self.paper_b, self.ours_a, self.ours_b)

    @property
    def delta(self) -> float | None:
        if not (self.ours_a.n and self.ours_b.n):
            return None
        return self.ours_a.mean - self.ours_b.mean


@dataclass
class Claim:
    key: str
    text: str
    table: str
    comparisons: list[Comparison]

    @property
    def verdict(self) -> str:
        return claim_verdict([c.verdict for c in self.comparisons])


# --- the claims -------------------------------------------------------------------------------
CLAIMS = {
    "augment_each": ("Each augmentation alone beats no augmentation", "5"),
    "augment_all": ("The composition of all three augmentations is best", "5"),
    "inter_beats_intra": ("Inter beats intra for every representation", "6"),
    "seq_stg_best_pair": ("SEQ+STG is the best pair", "6, 10"),
    "half_joints": ("Jittering about half the joints is best", "8"),
    "small_l_min": ("A small l_min (0.1) is best", "9"),
    "combining_helps": ("Combining two representations beats the better one alone", "10"),
}
ROW_LABEL = {"intra": "intra", "inter": "inter"}


def _best(entries: list[tuple[str, float, Stat]]) -> tuple[str, float, Stat]:
    """The competitor with our highest mean (the paper's value rides along)."""
    scored = [e for e in entries if e[2].n]
    pool = scored or entries
    return max(pool, key=lambda e: (e[2].mean if e[2].n else -math.inf, e[1]))


def claims(values: dict, metric: str = "linear") -> list[Claim]:
    """Every claim whose cells the manifest holds, each with its comparisons.

    Introduced in ``notebooks/09_ablations_report``.
    """

    def get(table, row, probe):
        entry = values.get((table, row, probe))
        return None if entry is None else (entry["cell"]["paper"], entry[metric])

    out: dict[str, list[Comparison]] = {k: [] for k in CLAIMS}

    def add(key, a_label, a, b_label, b):
        if a is not None and b is not None and a[0] is not None and b[0] is not None:
            out[key].append(Comparison(key, a_label, b_label, a[0], b[0], a[1], b[1]))

    reps = ablations.REPS
    for rep in reps:
        none = get("5", "none", rep)
        for aug in ("temporal", "pose", "jitter"):
            add("augment_each", f"{aug} ({rep.upper()})", get("5", aug, rep),
                f"none ({rep.upper()})", none)  # fmt: skip
        others = [(ablations.row_label(r), get("5", ablations.row_label(r), rep))
                  for r in ablations.AUGMENTATION_ROWS[:-1]]  # fmt: skip
        others = [(name, v[0], v[1]) for name, v in others if v is not None]
        if others:
            name, paper, stat = _best(others)
            add("augment_all", f"all three ({rep.upper()})", get("5", "temporal+pose+jitter", rep),
                f"best other: {name} ({rep.upper()})", (paper, stat))  # fmt: skip
    for pair in ablations.INTER_ROWS:
        for rep in pair:
            add("inter_beats_intra", f"inter {'+'.join(pair)} ({rep.upper()})",
                get("6", f"inter {'+'.join(pair)}", rep), f"intra ({rep.upper()})",
                get("6", f"intra {rep}", rep))  # fmt: skip
    add("seq_stg_best_pair", "inter seq+stg (SEQ)", get("6", "inter seq+stg", "seq"),
        "inter img+seq (SEQ)", get("6", "inter img+seq", "seq"))  # fmt: skip
    add("seq_stg_best_pair", "inter seq+stg (STG)", get("6", "inter seq+stg", "stg"),
        "inter img+stg (STG)", get("6", "inter img+stg", "stg"))  # fmt: skip
    combos = [(f"inter {p}", get("10", "inter", p)) for p in ("img+stg", "img+seq")]
    combos = [(n, v[0], v[1]) for n, v in combos if v is not None]
    if combos:
        name, paper, stat = _best(combos)
        add("seq_stg_best_pair", "inter SEQ+STG combined", get("10", "inter", "seq+stg"),
            f"{name} combined", (paper, stat))  # fmt: skip
    rows8 = {r.split(" ")[0]: r for (t, r, _p) in values if t == "8"}
    half = [(r, *get("8", r, "img")) for key, r in rows8.items() if key in ("|j|=10", "|j|=15")]
    rest = [(r, *get("8", r, "img")) for key, r in rows8.items() if key in ("|j|=2", "|j|=5",
                                                                             "|j|=20")]  # fmt: skip
    if half and rest:
        (ha, hp, hs), (ra, rp, rs) = _best(half), _best(rest)
        add("half_joints", ha.split(" ")[0], (hp, hs), f"{ra.split(' ')[0]} (best other)", (rp, rs))
    others9 = [(r, *get("9", r, "img")) for r in ("l_min=0.3", "l_min=0.5") if get("9", r, "img")]
    if others9:
        name, paper, stat = _best(others9)
        add("small_l_min", "l_min=0.1", get("9", "l_min=0.1", "img"), f"{name} (best other)",
            (paper, stat))  # fmt: skip
    for pair in ablations.TABLE10_PAIRS:
        probe = "+".join(pair)
        for kind, row in (("intra", "intra separately"), ("inter", "inter")):
            singles = [(r, *get("10", kind, r)) for r in pair if get("10", kind, r)]
            if singles:
                name, paper, stat = _best(singles)
                add("combining_helps", f"{probe.upper()} {kind}", get("10", row, probe),
                    f"{name.upper()} {kind} alone", (paper, stat))  # fmt: skip
    return [Claim(k, *CLAIMS[k], out[k]) for k in CLAIMS if out[k]]


def _sentence(claim: Claim) -> str:
    v = [c.verdict for c in claim.comparisons]
    counts = (f"{v.count('agrees')} of {len(v)} comparisons agree, "
              f"{v.count('disagrees')} disagree, {v.count('cannot tell apart')} cannot be told "
              "apart")  # fmt: skip
    lead = {"agrees": "Ours agrees with the paper", "disagrees": "Ours disagrees with the paper",
            "cannot tell apart": "Ours cannot tell the settings apart"}[claim.verdict]  # fmt: skip
    return f"{lead}: {counts} within the seeds' spread."


def _signed(x: float | None) -> str:
    return "" if x is None else f"{x:+.1f}"


METRIC_NAMES = {"linear": "linear evaluation", "knn": "1-NN"}


def claims_table(claim_list: list[Claim], dataset: str = "", metric: str = "linear") -> Table:
    """One row per claim: the paper's gain, ours (mean gain ± mean margin), the verdict."""
    table = Table(f"Claims of the paper against ours ({METRIC_NAMES[metric]}, top-1 points)",
                  ["claim", "table", "paper Δ (NTU-60)", f"ours Δ ({dataset or 'ours'})",
                   "verdict", "in one sentence"])  # fmt: skip
    for claim in claim_list:
        paper = [c.paper_a - c.paper_b for c in claim.comparisons]
        deltas = [c.delta for c in claim.comparisons if c.delta is not None]
        margins = [max(c.ours_a.std, c.ours_b.std) for c in claim.comparisons
                   if c.ours_a.std is not None and c.ours_b.std is not None]  # fmt: skip
        ours = _signed(statistics.fmean(deltas)) if deltas else ""
        if ours and margins:
            ours += f" ± {statistics.fmean(margins):.1f}"
        table.rows.append({
            "claim": claim.text, "table": claim.table,
            "paper Δ (NTU-60)": f"{statistics.fmean(paper):+.1f}",
            f"ours Δ ({dataset or 'ours'})": ours, "verdict": claim.verdict,
            "in one sentence": _sentence(claim),
        })  # fmt: skip
    table.notes.append(
        "Δ: the mean over the claim's comparisons of A − B (points); ± the mean margin (the larger "
        "seed standard deviation of each pair). Verdict rule: docs/ablations.md."
    )
    return table


def comparisons_table(claim_list: list[Claim]) -> Table:
    """Every comparison: A and B, the paper's numbers, ours ± std, Δ and the verdict."""
    table = Table("Every comparison behind the claims",
                  ["claim", "A", "B", "paper A", "paper B", "ours A", "ours B", "ours Δ",
                   "verdict"])  # fmt: skip
    for claim in claim_list:
        for c in claim.comparisons:
            table.rows.append({
                "claim": claim.text, "A": c.a, "B": c.b, "paper A": f"{c.paper_a:.1f}",
                "paper B": f"{c.paper_b:.1f}", "ours A": c.ours_a.text(),
                "ours B": c.ours_b.text(), "ours Δ": _signed(c.delta), "verdict": c.verdict,
            })  # fmt: skip
    return table


# --- the paper's tables beside ours -----------------------------------------------------------
def _cell(values: dict, key: tuple, metric: str = "linear") -> str:
    entry = values.get(key)
    return entry[metric].text() if entry else ""


def _paper_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _seeds(values: dict, table: str) -> int:
    return max((e["linear"].n for (t, *_), e in values.items() if t == table), default=0)


def paper_tables(values: dict) -> list[Table]:
    """Tables 5, 6, 8, 9 and 10 in the paper's layout: the paper's NTU-60 number beside ours
    (linear evaluation, mean ± std over seeds) and our 1-NN; only tables the manifest holds.

    Introduced in ``notebooks/09_ablations_report``.
    """
    reps = ablations.REPS
    rep_cols = [f"{r.upper()} {k}" for r in reps for k in ("paper", "ours", "1-NN")]
    tables = []
    if any(t == "5" for t, *_ in values):
        t5 = Table("Table 5: augmentations, intra-skeleton, linear evaluation %",
                   ["temporal", "pose", "jitter", *rep_cols])  # fmt: skip
        for augs in ablations.AUGMENTATION_ROWS:
            row = {a: ("✓" if a in augs else "-") for a in ("temporal", "pose", "jitter")}
            label = ablations.row_label(augs)
            for r in reps:
                row[f"{r.upper()} paper"] = _paper_text(ablations.PAPER_ABLATIONS["5"][augs][r])
                row[f"{r.upper()} ours"] = _cell(values, ("5", label, r))
                row[f"{r.upper()} 1-NN"] = _cell(values, ("5", label, r), "knn")
            t5.rows.append(row)
        tables.append(t5)
    if any(t == "6" for t, *_ in values):
        t6 = Table("Table 6: intra against inter, linear evaluation %", ["pretraining", *rep_cols])
        for reps_row, numbers in ablations.PAPER_ABLATIONS["6"].items():
            label = f"{'intra' if len(reps_row) == 1 else 'inter'} {'+'.join(reps_row)}"
            row = {"pretraining": label}
            for r in reps:
                inside = r in reps_row
                row[f"{r.upper()} paper"] = _paper_text(numbers.get(r)) if inside else "–"
                row[f"{r.upper()} ours"] = _cell(values, ("6", label, r)) if inside else "–"
                row[f"{r.upper()} 1-NN"] = _cell(values, ("6", label, r), "knn") if inside else "–"
            t6.rows.append(row)
        tables.append(t6)
    rows8 = [(t, r, p) for (t, r, p) in values if t == "8"]
    if rows8:
        t8 = Table("Table 8: joints jittered |j| (IMG, jitter only), linear evaluation %",
                   ["jittered of 25", "jittered here", "paper", "ours", "ours 1-NN"])  # fmt: skip
        for key in rows8:
            cell = values[key]["cell"]
            head, _, here = key[1].partition(" (")
            t8.rows.append({
                "jittered of 25": head.split("=")[1].replace(" of 25", ""),
                "jittered here": here.rstrip(")"), "paper": _paper_text(cell["paper"]),
                "ours": _cell(values, key), "ours 1-NN": _cell(values, key, "knn"),
            })  # fmt: skip
        tables.append(t8)
    rows9 = [(t, r, p) for (t, r, p) in values if t == "9"]
    if rows9:
        t9 = Table("Table 9: l_min of temporal crop-resize (IMG, temporal only), linear eval. %",
                   ["l_min", "paper", "ours", "ours 1-NN"])  # fmt: skip
        for key in rows9:
            t9.rows.append({
                "l_min": key[1].split("=")[1], "paper": _paper_text(values[key]["cell"]["paper"]),
                "ours": _cell(values, key), "ours 1-NN": _cell(values, key, "knn"),
            })  # fmt: skip
        tables.append(t9)
    if any(t == "10" for t, *_ in values):
        spec = PAPER["table10"]
        t10 = Table("Table 10: single and combined representations, linear evaluation %",
                    ["downstream reps", "intra paper", "intra ours", "inter paper", "inter ours",
                     "paper params", "ours params"])  # fmt: skip
        for probe in ("img", "stg", "seq", "img+stg", "img+seq", "seq+stg"):
            key = tuple(probe.split("+"))
            intra_row = "intra" if len(key) == 1 else "intra separately"
            params = next((values[k]["params"] for k in (("10", "inter", probe),
                           ("10", intra_row, probe)) if k in values and values[k]["params"]),
                          None)  # fmt: skip
            t10.rows.append({
                "downstream reps": probe.upper(),
                "intra paper": _paper_text(spec["values"].get((key, "intra"))),
                "intra ours": _cell(values, ("10", intra_row, probe)),
                "inter paper": _paper_text(spec["values"].get((key, "inter"))),
                "inter ours": _cell(values, ("10", "inter", probe)),
                "paper params": f"{spec['params_millions'][key]:.1f}M",
                "ours params": f"{params / 1e6:.2f}M" if params else "",
            })  # fmt: skip
        tables.append(t10)
    for table in tables:
        number = table.title.split(":")[0].split(" ")[1]
        table.notes.append(f"Paper: NTU-60 cross-view. Ours: mean ± sample std over "
                           f"{_seeds(values, number)} seed(s).")  # fmt: skip
    return tables


# --- the ablation schedule against the profile's ----------------------------------------------
def _ranks(means: list[float]) -> list[int]:
    """1 for the highest mean, 2 for the next, ... (ties share the better rank)."""
    return [1 + sum(other > m for other in means) for m in means]


def schedule_table(short: dict, long: dict, metric: str = "linear") -> Table | None:
    """The cells both schedules ran, ranked within each table by the short (ablation) schedule's
    mean and by the long (profile) one's: does the cheap schedule order the settings as the
    paper's schedule would? ``None`` when no cell ran under both.

    Introduced in ``notebooks/09_ablations_report``.
    """
    shared = [k for k in short if k in long and short[k][metric].n and long[k][metric].n]
    if not shared:
        return None
    table = Table(f"The ablation schedule against the profile's ({METRIC_NAMES[metric]} %)",
                  ["table", "setting", "ablation schedule", "rank (ablation)", "profile schedule",
                   "rank (profile)", "same rank"])  # fmt: skip
    for number in sorted({k[0] for k in shared}, key=lambda t: (len(t), t)):
        keys = [k for k in shared if k[0] == number]
        a = _ranks([short[k][metric].mean for k in keys])
        b = _ranks([long[k][metric].mean for k in keys])
        for key, ra, rb in zip(keys, a, b):
            table.rows.append({
                "table": number, "setting": f"{key[1]} ({key[2].upper()})",
                "ablation schedule": short[key][metric].text(), "rank (ablation)": str(ra),
                "profile schedule": long[key][metric].text(), "rank (profile)": str(rb),
                "same rank": "yes" if ra == rb else "no",
            })  # fmt: skip
    seeds = max(e[metric].n for k, e in long.items() if k in shared)
    table.notes.append(f"Ranks within each table (1 = best). Profile schedule: {seeds} seed(s); "
                       "ablation schedule: all its seeds.")  # fmt: skip
    return table


# --- Figure 6 ---------------------------------------------------------------------------------
def figure6_curves(output_dir: str | os.PathLike, manifest: dict, rep: str = "seq") -> dict:
    """``{row: {"loss": [...], "accuracy": [...]}}``: per-epoch means of the contrastive loss and
    accuracy of Table 5's pretraining runs of ``rep`` (mean over the finished seeds).

    Introduced in ``notebooks/09_ablations_report``.
    """
    from skelviz.runs.store import RunFolder

    root = Path(output_dir)
    curves = {}
    for cell in manifest["cells"]:
        if cell["table"] != "5" or cell["probe"] != rep:
            continue
        per_seed = []
        for folders in cell["seeds"].values():
            folder = RunFolder(root / folders["pretrain"][0])
            if not folder.complete:
                continue
            history = folder.read_json("history.json")
            epochs = folder.read_json("config.json")["config"]["optim"]["epochs"]
            steps = history["steps"]
            per_seed.append({
                "loss": _epoch_means(steps["loss"], epochs),
                "accuracy": _epoch_means(steps.get(f"accuracy/{rep}", []), epochs),
            })  # fmt: skip
        if per_seed:
            curves[cell["row"]] = {
                k: [statistics.fmean(v) for v in zip(*(s[k] for s in per_seed))]
                for k in ("loss", "accuracy")
            }
    return curves


def _epoch_means(values: list[float], epochs: int) -> list[float]:
    per = len(values) // epochs if epochs else 0
    if per == 0:
        return []
    return [statistics.fmean(values[e * per : (e + 1) * per]) for e in range(epochs)]


def plot_figure6(curves: dict, rep: str = "seq"):
    """Figure 6: contrastive loss and accuracy per epoch, one line per augmentation setting."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for row, curve in curves.items():
        style = {"lw": 2.2} if row in ("none", "temporal+pose+jitter") else {"lw": 1, "alpha": 0.7}
        epochs = range(1, len(curve["loss"]) + 1)
        axes[0].plot(epochs, curve["loss"], label=row, **style)
        if curve["accuracy"]:
            axes[1].plot(epochs, [100 * a for a in curve["accuracy"]], label=row, **style)
    axes[0].set(xlabel="epoch", ylabel="InfoNCE loss", title=f"contrastive loss ({rep.upper()})")
    axes[1].set(xlabel="epoch", ylabel="top-1 % (positive among K+1)",
                title=f"contrastive accuracy ({rep.upper()})")  # fmt: skip
    if curves:
        axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_claims(claim_list: list[Claim]):
    """Bar chart: each comparison's Δ (ours, with the margin as error bar) beside the paper's."""
    import matplotlib.pyplot as plt

    comps = [c for claim in claim_list for c in claim.comparisons]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.42 * len(comps) + 2), 4.2))
    if not comps:
        ax.text(0.5, 0.5, "no finished comparison yet", ha="center", va="center")
        ax.set_axis_off()
        return fig
    xs = list(range(len(comps)))
    paper = [c.paper_a - c.paper_b for c in comps]
    ours = [c.delta if c.delta is not None else 0.0 for c in comps]
    err = [max(c.ours_a.std or 0, c.ours_b.std or 0) for c in comps]
    colour = {"agrees": "tab:green", "disagrees": "tab:red", "cannot tell apart": "tab:gray"}
    ax.bar([x - 0.2 for x in xs], paper, 0.4, color="lightsteelblue", label="paper Δ (NTU-60)")
    ax.bar([x + 0.2 for x in xs], ours, 0.4, yerr=err, capsize=2,
           color=[colour[c.verdict] for c in comps], label="ours Δ ± margin")  # fmt: skip
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(xs, [c.a for c in comps], rotation=70, ha="right", fontsize=7)
    ax.set_ylabel("A − B, top-1 points")
    ax.set_title("Each comparison: paper (blue) and ours (green agrees, red disagrees, grey tie)",
                 fontsize=9)  # fmt: skip
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# --- the whole report -------------------------------------------------------------------------
@dataclass
class Report:
    """Everything the notebook and the HTML page show. It holds what was read (the manifest, the
    cell values, the Figure 6 curves, and the cells of a profile-schedule sweep if one ran); the
    claims and tables are computed from them on first use."""

    manifest: dict
    values: dict
    curves: dict
    curve_rep: str
    long_values: dict | None = None  # the cells run under the profile's schedule, if any

    @cached_property
    def claims(self) -> list[Claim]:
        return claims(self.values)

    @cached_property
    def summary(self) -> Table:
        return claims_table(self.claims, self.manifest["dataset"])

    @cached_property
    def summary_knn(self) -> Table:
        """The same claims judged on 1-NN accuracy (the paper judges them on linear)."""
        return claims_table(claims(self.values, "knn"), self.manifest["dataset"], "knn")

    @cached_property
    def comparisons(self) -> Table:
        return comparisons_table(self.claims)

    @cached_property
    def tables(self) -> list[Table]:
        return paper_tables(self.values)

    @cached_property
    def schedule_check(self) -> Table | None:
        return schedule_table(self.values, self.long_values) if self.long_values else None


def build_report(output_dir: str | os.PathLike, schedule: str = "ablation") -> Report:
    """Read the manifest and the runs; compute claims, tables and the Figure 6 curves.

    Introduced in ``notebooks/09_ablations_report``.
    """
    manifest = load_manifest(output_dir, schedule)
    values = cell_values(output_dir, manifest)
    curves, rep = {}, "seq"
    for rep in ("seq", "stg", "img"):
        curves = figure6_curves(output_dir, manifest, rep)
        if curves:
            break
    long = None
    if schedule == "ablation" and (Path(output_dir) / "sweep-profile.json").is_file():
        long = cell_values(output_dir, load_manifest(output_dir, "profile"))
    return Report(manifest, values, curves, rep, long)


# --- stored results: the report without the run folders ---------------------------------------
RESULTS_FORMAT = 1


def _values_json(values: dict) -> list[dict]:
    return [{"key": list(key), "cell": e["cell"], "params": e["params"],
             "linear": list(e["linear"].values), "knn": list(e["knn"].values)}
            for key, e in values.items()]  # fmt: skip


def _values_from_json(items: list[dict]) -> dict:
    return {tuple(i["key"]): {"cell": i["cell"], "params": i["params"],
                              "linear": Stat(tuple(i["linear"])), "knn": Stat(tuple(i["knn"]))}
            for i in items}  # fmt: skip


def export_results(report: Report, path: str | os.PathLike) -> Path:
    """Write what the report is computed from (each cell's per-seed accuracies, the Figure 6
    curves, the manifest) as one small JSON file, atomically: :func:`load_results` rebuilds the
    same report from it on a machine without the run folders.

    Introduced in ``notebooks/09_ablations_report``.
    """
    from skelviz.atomic import write_json

    long = _values_json(report.long_values) if report.long_values else None
    write_json(path, {
        "format": RESULTS_FORMAT, "manifest": report.manifest,
        "values": _values_json(report.values), "long_values": long,
        "curves": report.curves, "curve_rep": report.curve_rep,
    })  # fmt: skip
    return Path(path)


def load_results(path: str | os.PathLike) -> Report:
    """The report from a file :func:`export_results` wrote; errors name the file.

    Introduced in ``notebooks/09_ablations_report``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no stored ablation results")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != RESULTS_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {RESULTS_FORMAT}")
        long = _values_from_json(data["long_values"]) if data["long_values"] else None
        built = Report(data["manifest"], _values_from_json(data["values"]), data["curves"],
                       data["curve_rep"], long)  # fmt: skip
        _ = built.summary, built.tables  # computed here: a malformed file fails naming itself
        return built
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"{path}: not stored ablation results ({err})") from None


def summary_markdown(report: Report) -> str:
    """The claims table as markdown (what the README quotes)."""
    return to_markdown(report.summary)


def _table_html(table: Table) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(str(row.get(c, '')))}</td>" for c in table.columns) + "</tr>"
        for row in table.rows
    )
    notes = "".join(f"<p class=note>{esc(n)}</p>" for n in table.notes)
    if not table.rows:
        body = f"<tr><td colspan={len(table.columns)}>no finished runs yet</td></tr>"
    return f"<h3>{esc(table.title)}</h3><table><tr>{head}</tr>{body}</table>{notes}"


def _figure_html(fig, caption: str) -> str:
    import base64
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (f'<figure><img src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")  # fmt: skip


FIGURE6_CAPTION = (
    "Figure 6 (ours): contrastive loss and accuracy per epoch of intra-skeleton pretraining, "
    "mean over seeds, without augmentation (none) and with each setting of Table 5. The paper: "
    "without augmentation the task is too easy and the loss saturates early."
)
CLAIMS_CAPTION = (
    "Each comparison behind the claims: the paper's gain A − B on NTU-60 (blue) beside ours "
    "(mean over seeds, error bar = the larger seed standard deviation; green agrees, red "
    "disagrees, grey cannot tell apart)."
)


def render_html(report: Report, path: str | os.PathLike) -> Path:
    """One self-contained page (tables as HTML, figures as embedded PNG; opens offline).

    Introduced in ``notebooks/09_ablations_report``.
    """
    from skelviz.atomic import write_atomic

    m = report.manifest
    parts = [
        "<!doctype html><html><head><meta charset=utf-8><title>skelviz ablations</title><style>"
        "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;"
        "font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px}.note{font-size:12px;"
        "color:#555}img{max-width:100%}</style></head><body>",
        "<h1>Ablations of the paper, reproduced</h1>",
        f"<p>Profile <b>{html.escape(m['profile'])}</b>, schedule {html.escape(m['schedule'])}, "
        f"dataset <b>{html.escape(m['dataset'])}</b> ({m['num_joints']} joints), seeds "
        f"{m['seeds']}. The paper's numbers are NTU-60 cross-view; ours are this dataset's. "
        "Verdict rule: d = mean(A) − mean(B); ours orders A and B when |d| exceeds the larger "
        "seed standard deviation (2 or more seeds each), and agrees when it orders them as the "
        "paper does.</p>",
        _table_html(report.summary),
        _table_html(report.summary_knn),
        _figure_html(plot_claims(report.claims), CLAIMS_CAPTION),
        _figure_html(plot_figure6(report.curves, report.curve_rep), FIGURE6_CAPTION),
        *(_table_html(t) for t in report.tables),
        _table_html(report.comparisons),
        *([_table_html(report.schedule_check)] if report.schedule_check else []),
        "</body></html>",
    ]
    text = "\n".join(parts)
    return write_atomic(Path(path), lambda handle: handle.write(text.encode("utf-8")))


def main(argv: list[str] | None = None) -> Report:
    """``python -m skelviz.report --output-dir DIR [--html FILE]``: the summary as markdown, and
    the whole report as one HTML page, from stored results in seconds."""
    import matplotlib

    matplotlib.use("Agg")  # a command-line render draws no windows
    parser = argparse.ArgumentParser(
        prog="python -m skelviz.report", description=__doc__.split("\n")[0]
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--output-dir", help="the sweep's output folder")
    source.add_argument("--results", help="stored results (a file --export wrote)")
    parser.add_argument("--schedule", default="ablation", choices=("ablation", "profile"))
    parser.add_argument("--html", default=None, help="write the report page here")
    parser.add_argument("--export", default=None, help="write the stored results here")
    args = parser.parse_args(argv)
    if args.results:
        report = load_results(args.results)
    else:
        report = build_report(args.output_dir, args.schedule)
    print(summary_markdown(report))
    check = [report.schedule_check] if report.schedule_check else []
    for table in [report.summary_knn, *report.tables, *check]:
        print(to_markdown(table))
    if args.html:
        print(f"report: {render_html(report, args.html)}")
    if args.export:
        print(f"stored results: {export_results(report, args.export)}")
    return report


if __name__ == "__main__":
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        import sys

        print(f"skelviz.report: error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
