# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Results beside the paper's
#
# > Every finished run under the output folder, laid out like the paper's tables, with the paper's
# > number in one column and ours in the next: generated from `metrics.json`, never typed.
#
# **Learning goals**
# - Read a results table the way a reviewer would: which setting, how many seeds, what hardware,
#   how long, and against which published number.
# - Tell a claim that carries over (pretraining beats the untrained encoder, inter beats intra,
#   pretrained beats scratch when labels are few) from a number that does not (an N-UCLA accuracy
#   is not an NTU accuracy).
# - Regenerate every table from the runs alone (`skelviz.results`), so the README and this
#   notebook show the same text.
#
# **Prerequisites**: the notebooks whose runs you want to see (04 and 05 pretraining, 06 linear and
# kNN, 07 fine-tuning), run with the same profile, dataset and output folder. With no runs this
# notebook still runs and says so.
#
# **Runtime** (2-core CPU): seconds for every profile (`ci`, `default`, `full`): it trains
# nothing and reads only JSON files, never weights.
#
# **Paper**: Section 4.3 (Tables 1 to 4), Appendix A.2 (Table 7), Appendix A.4 (Table 10).

# %% tags=["parameters"]
PROFILE = "ci"  # ci | default | full: only names the output folder here
DATASET = "synthetic"  # synthetic | nw-ucla | ntu60 | ntu120 | pku-mmd | generic
DATA_ROOT = ""  # dataset folder; empty means the default search path (not read here)
DEVICE = "auto"  # auto | cpu | cuda | cuda:N (nothing runs on it here)
SEED = 0  # recorded with the metrics; the tables average over every seed found
OUTPUT_DIR = "outputs"  # the runs/ read here; figures/ and metrics/ are written here

# %%
import json

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from skelviz import results
from skelviz.notebook import setup_notebook

ctx = setup_notebook(PROFILE, DATASET, DATA_ROOT, DEVICE, SEED, OUTPUT_DIR, notebook="08_results")

# %% [markdown]
# ## The runs
#
# `skelviz.results.collect_runs` reads every `runs/<task>/<name>-<key>/metrics.json` under the
# output folder, with its `config.json`. Runs whose configurations differ only in their seeds
# (`run.seed`, and `finetune.subset_seed` for fine-tuning) become one row: mean ± sample standard
# deviation, and the `seeds` column says how many runs stand behind it.

# %%
runs = results.collect_runs(ctx.paths.root)
counts = {
    task: sum(r.task == task for r in runs) for task in ("pretrain", "linear", "knn", "finetune")
}
print(f"output folder: {ctx.paths.root}")
if runs:
    print("finished runs: " + ", ".join(f"{n} {task}" for task, n in counts.items()))
else:
    print(
        "no finished runs here yet: run notebooks 04 to 07 (or `python -m skelviz ...`) with this "
        "output folder first; every table below is empty."
    )
# the raw-coordinate 1-NN floor, when notebook 06 recorded it in this output folder
raw_floor = None
recorded = ctx.paths.metrics / "06_linear_and_knn.json"
if recorded.is_file():
    raw_floor = json.loads(recorded.read_text())["metrics"].get("knn_1nn_raw_coordinates")

# %% [markdown]
# ## The tables
#
# The paper column holds the paper's number for the setting named in each cell: the run's own
# setting when the paper has it (NTU-60, NTU-120, PKU-MMD), else NTU-60 cross-view, the paper's
# ablation setting. **N-UCLA numbers are not NTU numbers**: N-UCLA has 10 classes and about 1,000
# training sequences, NTU-60 has 60 classes and 40,000; the side by side shows which of the
# paper's claims carry over (the ordering of rows, the gaps between them), not whether a value was
# reproduced. A `–` in the paper column means the paper has no such row.

# %%
tables = results.all_tables(ctx.paths.root, raw_floor=raw_floor)
for table in tables:
    display(Markdown(results.to_markdown(table)))

# %% [markdown]
# The anchors are the numbers this project can be compared with on N-UCLA itself: Predict &
# Cluster's 1-NN and MCAE's linear evaluation, both 84.9 % on the cross-view protocol, and the
# floor, 1-NN on raw coordinates, which any learned feature has to beat to be worth anything.

# %% [markdown]
# ## The paper's rows against ours
#
# One bar pair per row that has a paper number: semi-supervised rows (Table 2) when there are any,
# else the linear (Table 1) and kNN (Table 3) rows.


# %%
def leading_number(cell):
    """The leading number of a cell such as '85.2 (NTU-60 x-view)' or '78.7 ± 1.2'; None for '–'."""
    head = str(cell).split(" ")[0]
    return float(head) if head.replace(".", "", 1).isdigit() else None


semi = tables[1]
if semi.rows:
    pairs = [
        (f"{r['labels']}\n{r['init'].split(' ')[0]}", r["paper %"], r["ours %"]) for r in semi.rows
    ]
    source = "Table 2"
else:
    pairs = [(f"T1 {r['features']}", r["paper %"], r["ours %"]) for r in tables[0].rows]
    pairs += [(f"T3 {r['features']}", r["paper 1-NN %"], r["ours 1-NN %"]) for r in tables[2].rows]
    source = "Tables 1 and 3"
pairs = [(name, leading_number(p), leading_number(o)) for name, p, o in pairs]
pairs = [(name, p, o) for name, p, o in pairs if p is not None and o is not None]

fig, ax = plt.subplots(figsize=(max(4.0, 1.3 * len(pairs) + 2), 3.6))
if pairs:
    xs = range(len(pairs))
    ax.bar([x - 0.2 for x in xs], [p for _, p, _ in pairs], 0.4, label="paper (NTU / PKU)")
    ax.bar([x + 0.2 for x in xs], [o for _, _, o in pairs], 0.4, label=f"ours ({ctx.dataset})")
    ax.set_xticks(list(xs), [name for name, _, _ in pairs], fontsize=8)
    ax.set_ylabel("top-1 %")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    ax.set_title(f"{source}: the paper's setting against ours", fontsize=10)
else:
    ax.text(0.5, 0.5, "no run with a paper counterpart yet", ha="center", va="center")
    ax.set_axis_off()
fig.tight_layout()
ctx.save_figure(fig, "08_paper_vs_ours")
display(fig)

# %% [markdown]
# *Figure: top-1 accuracy of each row that has a paper counterpart, the paper's number (its own
# dataset and protocol, named in the tables) beside ours (this output folder's dataset). Read the
# pattern across rows, not the height of one pair: different datasets give different accuracies,
# and a claim carries over when our bars order the same way as the paper's.*

# %% [markdown]
# ## What to take away
#
# - Every number above was read from a run's `metrics.json`, with its profile, dataset, protocol,
#   seed count, hardware and training time beside it; rerunning a notebook refreshes the table.
# - A single seed has no spread: until a row's `seeds` column says more than one, read differences
#   of a few points as noise (notebook 05 measured single runs a few points apart).
# - The paper's column is NTU or PKU-MMD; ours is whatever dataset this output folder holds.
#
# **Next**: run the `full` profile on a GPU to fill the paper's own settings.

# %%
metrics = {f"runs[{task}]": n for task, n in counts.items()}
metrics["rows_with_paper_counterpart"] = len(pairs)
metrics["tables_with_rows"] = sum(bool(t.rows) for t in tables[:-1])  # anchors aside
print(ctx.record_metrics(metrics))
