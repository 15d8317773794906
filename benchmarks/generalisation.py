"""The ``default`` recipe, unchanged, on small datasets it was not chosen on (issue: "it must
generalise"): UTKinect (cross-subject, 100 training sequences) and a small generated dataset in
the generic format (``benchmarks/small_dataset.py``), each from its own pretraining. Cosine 1-NN
of the SEQ and STG encoders, pretrained (inter SEQ+STG) and untrained, beside raw coordinates
(paper Section 4.3's retrieval protocol).

    python benchmarks/generalisation.py --utkinect DATA/utkinect-action3d --seeds 0 1 2
    python benchmarks/generalisation.py --utkinect ... --representations seq   # intra SEQ
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # time_to_accuracy, small_dataset


def measure(
    dataset: str, data_root: str, seeds: list[int], representations: str = "seq+stg"
) -> dict[str, list[float]]:
    from time_to_accuracy import raw_knn

    from skelviz.runs.api import run
    from skelviz.runs.config import resolve_config
    from skelviz.runs.data import load_run_data

    out_dir = ROOT / "outputs" / f"default-{dataset}"
    base = dict(dataset=dataset, protocol="cross_subject", representations=representations)
    pretraining = ("inter " if "+" in representations else "intra ") + representations.upper()
    scores: dict[str, list[float]] = {}
    for seed in seeds:
        for rep in representations.split("+"):
            for pretrained in (True, False):
                if not pretrained and seed != seeds[0]:
                    continue
                config = resolve_config("default", seed=seed, **base, **{
                    "knn.representation": rep, "knn.pretrained": pretrained})  # fmt: skip
                result = run("knn", config, data_root=data_root, output_dir=out_dir,
                             progress=False)  # fmt: skip
                name = f"{rep.upper()} {pretraining if pretrained else 'untrained'}"
                scores.setdefault(name, []).append(result.metrics["knn_1nn"])
    scores["raw coordinates"] = [raw_knn(dataset, "cross_subject", data_root)["test"]]
    data = load_run_data(resolve_config("default", **base), data_root)
    return {"train": len(data.train), "test": len(data.test), "scores": scores}


def markdown(name: str, measured: dict) -> str:
    lines = [f"**{name}** ({measured['train']} training / {measured['test']} test sequences)", "",
             "| features | 1-NN % | seeds |", "|---|---|---|"]  # fmt: skip
    for feature, values in measured["scores"].items():
        mean = 100 * statistics.mean(values)
        spread = f" ± {100 * statistics.stdev(values):.1f}" if len(values) > 1 else ""
        lines.append(f"| {feature} | {mean:.1f}{spread} | {len(values)} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--utkinect", help="UTKinect folder (the one holding joints/)")
    parser.add_argument("--small", default=str(ROOT / "outputs" / "small-generic"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--representations", default="seq+stg",
                        help="pretraining: the default's seq+stg, or seq (intra)")  # fmt: skip
    args = parser.parse_args(argv)
    reps = args.representations
    if args.utkinect:
        print(markdown("UTKinect, cross-subject",
                       measure("utkinect", args.utkinect, args.seeds, reps)))  # fmt: skip
    if args.small == "skip":
        return 0
    if not (Path(args.small) / "dataset.json").is_file():
        from small_dataset import make

        make(args.small)
    print(markdown("small generated dataset (generic format), cross-subject",
                   measure("generic", args.small, args.seeds, reps)))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
