"""Benchmark: the augmentation pipeline (paper Section 3.1), batched versus one sample at a time.

Three ways of producing two augmented views of NTU-shaped samples (T = 300 padded, V = 25, M = 2,
valid lengths 50..300, 64 output frames):

* ``released``: the released per-sample numpy/torch pipeline (``reference_augment.py``);
* ``skelviz-per-sample``: skelviz's ``TwoViewAugment`` called on one sample at a time;
* ``skelviz-batched``: skelviz's ``TwoViewAugment`` on whole batches.

Run: ``python benchmarks/bench_augment.py [--threads 1] [--batch 64] [--batches 20]``. Prints a table
and writes ``benchmarks/results/augment.json``. The target (issue 2): batched >= 20x the released
pipeline per core.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from skelviz.augment import AugmentConfig, TwoViewAugment

try:
    from reference_augment import two_views
except ImportError:  # run as a module from the repo root
    from benchmarks.reference_augment import two_views


def timed(fn, repeats: int) -> float:
    """CPU seconds per call (process time: "per core", and robust to other load on the machine)."""
    fn()  # warm-up
    start = time.process_time()
    for _ in range(repeats):
        fn()
    return (time.process_time() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default="benchmarks/results/augment.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    n = args.batch
    lengths = rng.integers(50, 301, n)
    data = rng.normal(size=(n, 2, 300, 25, 3)).astype(np.float32)  # (N, M, T, V, C)
    data_ref = np.ascontiguousarray(data.transpose(0, 4, 2, 3, 1))  # (N, C, T, V, M) as released

    device = torch.device(args.device)
    x = torch.from_numpy(data).to(device)
    lens = torch.from_numpy(lengths).to(device)
    gen = torch.Generator(device=device).manual_seed(0)
    aug = TwoViewAugment(AugmentConfig(min_crop_frames=64))

    def released():
        for i in range(n):
            two_views(data_ref[i], int(lengths[i]), rng)

    def per_sample():
        for i in range(n):
            aug(x[i : i + 1], lens[i : i + 1], gen)

    def batched():
        aug(x, lens, gen)
        if device.type == "cuda":
            torch.cuda.synchronize()

    rows = {}
    for name, fn in [("released", released), ("skelviz-per-sample", per_sample),
                     ("skelviz-batched", batched)]:  # fmt: skip
        seconds = timed(fn, args.batches)
        rows[name] = {"cpu_ms_per_batch": 1e3 * seconds, "samples_per_s": n / seconds}
    base = rows["released"]["samples_per_s"]
    print(f"augmentation, two views per sample, batch {n}, {args.threads} thread(s), {device}")
    print(f"{'pipeline':<20} {'cpu ms/batch':>13} {'samples/cpu-s':>14} {'vs released':>12}")
    for name, row in rows.items():
        row["speedup_vs_released"] = row["samples_per_s"] / base
        print(f"{name:<20} {row['cpu_ms_per_batch']:>13.1f} {row['samples_per_s']:>14.0f} "
              f"{row['speedup_vs_released']:>11.1f}x")  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"threads": args.threads, "batch": n, "device": str(device), "torch": torch.__version__,
            "machine": platform.processor() or platform.machine(), "cpus": torch.get_num_threads()}  # fmt: skip
    out.write_text(json.dumps({"meta": meta, "results": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
