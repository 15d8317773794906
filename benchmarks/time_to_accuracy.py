"""Time to accuracy on N-UCLA: candidate recipes for the ``default`` profile, chosen on validation.

Paper Section 4.2 (pretraining) and 4.3 (kNN and linear evaluation), at a 2-core CPU budget.
Each recipe is a set of configuration overrides on top of the ``default`` profile; ``run`` trains
one MoCo pretraining run of it (the ``pretrain`` task, keyed and resumable like any run) and adds
a validation linear score. Recipes are compared **only** on the validation split inside the
training views (``skelviz.runs.data.validation_split``: view 1 labelled, view 2 queries); the test
view is read for recipes marked final, once. ``table`` writes every run (negative results
included) to ``benchmarks/results/experiments.md``; ``figure`` draws validation and test 1-NN
against CPU minutes.

    python benchmarks/time_to_accuracy.py run today --data-root DATA/nw-ucla --threads 1
    python benchmarks/time_to_accuracy.py table
    python benchmarks/time_to_accuracy.py figure
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "outputs" / "tta-nw-ucla"
RESULTS = ROOT / "benchmarks" / "results"

# name -> (what it tests, overrides on top of the default profile)
RECIPES: dict[str, tuple[str, dict]] = {
    "today": ("the default profile before this study, run to 100 epochs (epoch 70 = the old "
              "recipe)", {"epochs": 100}),
    "lmin0.1": ("the paper's l_min = 0.1 instead of 0.5", {"epochs": 100, "l_min": 0.1}),
}  # fmt: skip
FINAL: set[str] = set()  # recipes whose test numbers are read (once, after choosing)


def validation_linear(features, labels, gallery, queries) -> float:
    """Logistic regression (scikit-learn, C = 1, standardised features) fit on the validation
    gallery, scored on the validation queries: a cheap, untuned linear read-out."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
    model.fit(features[gallery], labels[gallery])
    return float(model.score(features[queries], labels[queries]))


def run(recipe: str, seed: int, data_root: str, threads: int) -> None:
    import torch

    from skelviz.atomic import write_json
    from skelviz.evaluate import extract_features
    from skelviz.runs.api import run as run_task
    from skelviz.runs.config import resolve_config
    from skelviz.runs.data import load_run_data

    torch.set_num_threads(threads)
    overrides = RECIPES[recipe][1]
    config = resolve_config("default", name=f"{recipe}_s{seed}", seed=seed, **overrides)
    result = run_task("pretrain", config, data_root=data_root, output_dir=OUTPUT, progress=False)
    data = load_run_data(result.config, data_root)
    gallery, queries = data.validation()
    labels = data.train.labels
    scores = {}
    for r, encoder in result.encoders().items():
        features = extract_features(encoder, data.train, result.config.data.frames).numpy()
        scores[r] = validation_linear(features, labels, gallery, queries)
    write_json(
        result.folder.file("tta.json"),
        {"recipe": recipe, "seed": seed, "threads": threads, "validation_linear": scores},
    )
    print(recipe, seed, json.dumps(scores))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("recipe", choices=sorted(RECIPES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-root", default=os.environ.get("SKELVIZ_NUCLA_ROOT"))
    sub.add_parser("table")
    sub.add_parser("figure")
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args.recipe, args.seed, args.data_root, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
