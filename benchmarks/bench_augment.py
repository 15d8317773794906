"""Benchmark: the augmentation pipeline (paper Section 3.1), batched versus one sample at a time.

Two augmented views of NTU-shaped samples (T = 300 padded, V = 25, M = 2, valid lengths 50..300,
64 output frames, the released 64-frame crop floor), produced four ways:

* ``released``: the released per-sample pipeline (``reference_augment.py``, the same numpy and
  torch operations as the released feeder), augmentation only;
* ``released+format``: the same plus the feeder's SEQ / STG formatting (the whole inter
  ``__getitem__`` apart from reading the sample; the notes measured 1.12 ms per sample for it);
* ``skelviz-per-sample``: skelviz's ``TwoViewAugment`` called on one sample at a time;
* ``skelviz-batched``: ``TwoViewAugment`` on whole batches (two torch steps per batch: the
  crop-resize as one gather, the shear / jitter maps as one block-diagonal matmul).

The pipelines run in interleaved rounds (one batch of each per round) and the table reports the
median CPU time per batch (process time: "per core", and robust to other load on the machine).

Run: ``python benchmarks/bench_augment.py [--threads 1] [--batch 64] [--rounds 30]``. Prints a
table and writes ``benchmarks/results/augment.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from skelviz.augment import AugmentConfig, TwoViewAugment
from skelviz.runs.device import cpu_name

try:
    from reference_augment import ReleasedPipeline
except ImportError:  # run as a module from the repo root
    from benchmarks.reference_augment import ReleasedPipeline


def interleaved_cpu_ms(pipelines: dict, rounds: int, sync=lambda: None) -> dict[str, list[float]]:
    """CPU milliseconds of each pipeline per call, the pipelines taking turns round by round."""
    for fn in pipelines.values():  # warm-up: caches and the allocator fill
        fn()
        fn()
    times: dict[str, list[float]] = {name: [] for name in pipelines}
    for _ in range(rounds):
        for name, fn in pipelines.items():
            start = time.process_time()
            fn()
            sync()
            times[name].append(1e3 * (time.process_time() - start))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=30)
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
    config = AugmentConfig(min_crop_frames=64)
    augment = TwoViewAugment(config)
    released = ReleasedPipeline(seed=0)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    def released_batch(with_format: bool = False):
        for i in range(n):
            views = released.two_views(data_ref[i], int(lengths[i]))
            if with_format:
                [released.to_seq_and_graph(view) for view in views]

    def per_sample(pipeline):
        for i in range(n):
            pipeline(x[i : i + 1], lens[i : i + 1], gen)

    pipelines = {
        "released": released_batch,
        "released+format": lambda: released_batch(with_format=True),
        "skelviz-per-sample": lambda: per_sample(augment),
        "skelviz-batched": lambda: augment(x, lens, gen),
    }
    times = interleaved_cpu_ms(pipelines, args.rounds, sync)
    rows = {}
    for name, values in times.items():
        median = statistics.median(values)
        rows[name] = {
            "cpu_ms_per_batch": median,
            "cpu_ms_min": min(values),
            "samples_per_s": 1e3 * n / median,
        }
    base, single = (
        rows["released"]["cpu_ms_per_batch"],
        rows["skelviz-per-sample"]["cpu_ms_per_batch"],
    )
    print(f"augmentation, two views per sample, batch {n}, {args.threads} thread(s), {device}, "
          f"median of {args.rounds} interleaved rounds")  # fmt: skip
    print(
        f"{'pipeline':<22} {'cpu ms/batch':>13} {'min':>7} {'samples/cpu-s':>14} "
        f"{'vs released':>12} {'vs per-sample':>14}"
    )
    for name, row in rows.items():
        row["speedup_vs_released"] = base / row["cpu_ms_per_batch"]
        row["speedup_vs_per_sample"] = single / row["cpu_ms_per_batch"]
        print(f"{name:<22} {row['cpu_ms_per_batch']:>13.2f} {row['cpu_ms_min']:>7.2f} "
              f"{row['samples_per_s']:>14.0f} {row['speedup_vs_released']:>11.1f}x "
              f"{row['speedup_vs_per_sample']:>13.1f}x")  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "threads": args.threads,
        "batch": n,
        "rounds": args.rounds,
        "device": str(device),
        "torch": torch.__version__,
        "machine": cpu_name(),
    }
    out.write_text(json.dumps({"meta": meta, "results": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
