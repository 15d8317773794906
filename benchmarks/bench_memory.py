"""Peak memory of one pretraining epoch at NTU scale: pad the whole split, or pad each batch.

The augmentations of paper Section 3.1 take a zero-padded batch ``(N, M, T, V, C)``. Padding the
whole training split at once (``SkeletonDataset.padded``, the old way) costs N times the longest
sequence: 40,320 NTU-60 cross-subject sequences padded to 300 frames are about 7 GB of float32 on
top of the sequences themselves. Padding each batch (``SkeletonDataset.batch``) costs one batch.

A synthetic NTU-shaped set (random numbers, deterministic from a numpy Generator: ``--sequences``
sequences, 2 persons, 25 joints, lengths 32..300 frames, median about 75, at least one of 300) is
loaded as a ``SkeletonDataset``, then one epoch runs in each mode, each mode in its own subprocess:

* ``split``: pad the whole set first, then cut each shuffled batch of 64 out of it (as the
  training loop did: rows ``idx``, frames up to the batch's longest sequence);
* ``batch``: pad each shuffled batch of 64 on its own.

Per batch: padding, ``TwoViewAugment`` (64 output frames), then forward and backward of a
``tiny`` encoder on both views (an alignment loss, one SGD step): a short but realistic step.
Both modes see the same batches, views and initial weights, so they end with the same loss.
Reported per mode: peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), the
resident size after loading, wall times and the last loss. ``--max-batches`` stops the epoch early.

    python benchmarks/bench_memory.py                           # 40,000 sequences, both modes
    python benchmarks/bench_memory.py --sequences 2000 --max-batches 10

Prints a table and writes ``benchmarks/results/memory.json`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODES = ("split", "batch")
PERSONS, JOINTS, MAX_FRAMES = 2, 25, 300  # NTU layout; NTU clips hold at most 300 frames


def synthetic_ntu(sequences: int, seed: int = 0):
    """A ``SkeletonDataset`` of random NTU-shaped sequences ``(2, T_i, 25, 3)``, T_i in 32..300."""
    import numpy as np

    from skelviz.dataset import SkeletonDataset
    from skelviz.skeleton import NTU25

    rng = np.random.default_rng(seed)
    lengths = np.clip(np.round(rng.lognormal(np.log(75), 0.5, sequences)), 32, MAX_FRAMES)
    lengths = lengths.astype(np.int64)
    lengths[0] = MAX_FRAMES  # the longest NTU clip sets the padded length of the split
    seqs = [rng.standard_normal((PERSONS, t, JOINTS, 3), dtype=np.float32) for t in lengths]
    return SkeletonDataset(
        name="synthetic-ntu",
        layout=NTU25,
        sequences=seqs,  # N x (M, T_i, V, C)
        labels=rng.integers(0, 60, sequences),
        class_names=tuple(f"a{i:02d}" for i in range(60)),
        subjects=rng.integers(1, 41, sequences),
        views=rng.integers(1, 4, sequences),
        sample_names=tuple(f"s{i:06d}" for i in range(sequences)),
    )


def rss_mib() -> float:
    """Current resident set size in MiB (Linux ``/proc``; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ---------------------------------------------------------------------------------------------
def run_mode(mode: str, args: argparse.Namespace) -> dict:
    """Load the set, then one epoch (or ``max_batches``) in ``mode``; memory and times."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    from skelviz.augment import AugmentConfig, TwoViewAugment
    from skelviz.encoders import build_encoder

    torch.set_num_threads(args.threads)
    rss_start = rss_mib()
    started = time.perf_counter()
    data = synthetic_ntu(args.sequences, args.seed)
    load_s = time.perf_counter() - started
    stored = sum(seq.nbytes for seq in data.sequences) / 2**20
    rss_loaded = rss_mib()

    started = time.perf_counter()
    if mode == "split":
        x_all, lengths_all = data.batch(
            range(len(data))
        )  # (N, M, 300, V, C): the whole split at once
    pad_split_s = time.perf_counter() - started

    torch.manual_seed(args.seed)  # the same initial weights in both modes: the same losses
    encoder = build_encoder(args.encoder, "tiny", data.layout, PERSONS, frames=args.out_frames)
    optimizer = torch.optim.SGD(encoder.parameters(), lr=0.01)
    augment = TwoViewAugment(AugmentConfig(out_frames=args.out_frames))
    aug_gen = torch.Generator().manual_seed(args.seed)
    order = np.random.default_rng(args.seed + 1).permutation(len(data))  # (N,)
    steps = len(data) // args.batch  # the last partial batch is dropped, as in training
    if args.max_batches is not None:
        steps = min(steps, args.max_batches)
    times = {"pad": 0.0, "augment": 0.0, "train": 0.0}
    started = time.perf_counter()
    for step in range(steps):
        idx = order[step * args.batch : (step + 1) * args.batch]  # (B,)
        tick = time.perf_counter()
        if mode == "split":
            lengths = lengths_all[idx]  # (B,)
            x = x_all[idx, :, : lengths.max()]  # (B, M, T_b, V, C), a copy
        else:
            x, lengths = data.batch(idx)  # (B, M, T_b, V, C), (B,)
        x, lengths = torch.from_numpy(x), torch.from_numpy(lengths)
        times["pad"] += time.perf_counter() - tick
        tick = time.perf_counter()
        view1, view2 = augment(x, lengths, aug_gen)  # 2 x (B, M, T', V, C)
        times["augment"] += time.perf_counter() - tick
        tick = time.perf_counter()
        feats = F.normalize(encoder(torch.cat([view1, view2])), dim=1)  # (2B, D)
        loss = -(feats[: len(idx)] * feats[len(idx) :]).sum(dim=1).mean()  # align the two views
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        times["train"] += time.perf_counter() - tick
    epoch_s = time.perf_counter() - started
    return {
        "mode": mode,
        "sequences": len(data),
        "mean_frames": float(data.lengths.mean()),
        "stored_mib": stored,
        "padded_split_mib": len(data) * MAX_FRAMES * PERSONS * JOINTS * 3 * 4 / 2**20,
        "batches": steps,
        "full_epoch": steps == len(data) // args.batch,
        "batch": args.batch,
        "encoder": args.encoder,
        "threads": args.threads,
        "rss_start_mib": rss_start,
        "rss_loaded_mib": rss_loaded,
        "peak_rss_mib": peak_rss_mib(),
        "load_s": load_s,
        "pad_split_s": pad_split_s,
        "epoch_s": epoch_s,
        "epoch_pad_s": times["pad"],
        "epoch_augment_s": times["augment"],
        "epoch_train_s": times["train"],
        "wall_s": load_s + pad_split_s + epoch_s,
        "final_loss": float(loss) if steps else None,
    }


# ---------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> list[dict]:
    from skelviz.runs.device import cpu_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--sequences", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--out-frames", type=int, default=64)
    parser.add_argument("--encoder", default="seq", choices=["seq", "img", "stg"])
    parser.add_argument("--max-batches", type=int, default=None, help="stop the epoch early")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(HERE / "results" / "memory.json"))
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # the child process: one mode, a JSON line on stdout
        print(json.dumps(run_mode(args.one, args)))
        return []
    results = []
    print(
        f"{'mode':6s} {'sequences':>9s} {'batches':>7s} {'stored MiB':>10s} {'loaded MiB':>10s} "
        f"{'peak MiB':>9s} {'load s':>7s} {'pad s':>6s} {'epoch s':>8s} {'wall s':>7s}"
    )
    for mode in args.mode:
        # the child parses the same options (it ignores --mode and --out) plus --one
        cmd = [sys.executable, __file__, *(sys.argv[1:] if argv is None else argv), "--one", mode]
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=HERE.parent, check=False
        )
        if proc.returncode != 0:
            print(f"{mode:6s} FAILED (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{mode:6s} {r['sequences']:9d} {r['batches']:7d} {r['stored_mib']:10.0f} "
            f"{r['rss_loaded_mib']:10.0f} {r['peak_rss_mib']:9.0f} {r['load_s']:7.1f} "
            f"{r['pad_split_s']:6.1f} {r['epoch_s']:8.1f} {r['wall_s']:7.1f}",
            flush=True,
        )
        results.append(r)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    import torch

    machine = {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(f"wrote {out}")
    return results


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
