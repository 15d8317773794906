"""Pretraining throughput and peak memory per encoder and for the inter SEQ+STG pair.

One timed step = two-view augmentation + MoCo step (query forward, key EMA, key forward, InfoNCE,
backward, optimiser step, enqueue), what the ``pretrain`` task of ``skelviz.runs`` runs, on random
skeleton batches shaped like the profile that uses each preset:

    paper : NTU layout (V=25), M=2, T=64, batch 64, K=16384, SGD   (profile full)
    small : Kinect v1 layout (V=20), M=1, T=32, batch 64, K=512, Adam (profile default, N-UCLA)
    tiny  : NTU layout, M=2, T=32, batch 32, K=64, Adam              (profile ci, synthetic)

Each preset runs with the settings of its profile (augmentation, queue, optimiser), the model
built as the training loop builds it. The augmentation is timed inside the step too, so the table
gives its share of a step. ``--nucla ROOT`` feeds the ``small`` preset real N-UCLA batches (the
cross-view training set, each batch padded to its longest sequence) instead of random ones.

Each configuration runs in a fresh subprocess, so its peak memory is its own: on CPU the peak
resident set size (``resource.ru_maxrss``) and its growth over the state before the first step; on
CUDA ``torch.cuda.max_memory_allocated``. Prints a table and writes JSON to
``benchmarks/results/bench_training-<device>.json`` (gitignored).

    python benchmarks/bench_training.py --quick            # small + tiny presets, 3 steps
    python benchmarks/bench_training.py --presets paper --steps 2 --warmup 1
    python benchmarks/bench_training.py --presets small --cases seq+stg --steps 20 --nucla DIR
    python benchmarks/bench_training.py --device cuda --presets paper small
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = (("seq",), ("img",), ("stg",), ("seq", "stg"))
SHAPES = {  # preset -> layout, persons, frames, batch, queue, optimizer
    "paper": ("ntu25", 2, 64, 64, 16384, "sgd"),
    "small": ("kinect_v1_20", 1, 32, 64, 512, "adam"),
    "tiny": ("ntu25", 2, 32, 32, 64, "adam"),
}
PROFILE_OF = {"paper": "full", "small": "default", "tiny": "ci"}  # the profile using each preset


def nucla_batches(root: str, batch: int, count: int, generator) -> list[tuple]:
    """``count`` random batches of the N-UCLA cross-view training set, each padded on its own."""
    import torch

    from skelviz.readers import load_dataset

    train_set, _ = load_dataset("nw-ucla", root).split("cross_view")
    batches = []
    while len(batches) < count:
        order = torch.randperm(len(train_set), generator=generator)  # (N,)
        for start in range(0, len(order) - batch + 1, batch):
            x, lengths = train_set.batch(order[start : start + batch].numpy())  # (B, M, T_b, V, C)
            batches.append((torch.from_numpy(x), torch.from_numpy(lengths)))
    return batches[:count]


# ---------------------------------------------------------------------------------------------
def run_one(
    reps: tuple[str, ...],
    preset: str,
    steps: int,
    warmup: int,
    device: str,
    threads: int,
    nucla: str | None = None,
) -> dict:
    """Time ``steps`` training steps (after ``warmup``) of one configuration in this process."""
    import contextlib
    import resource

    import torch

    from skelviz.augment import TwoViewAugment
    from skelviz.runs.config import resolve_config
    from skelviz.runs.tasks.pretrain import augment_config, build_moco, moco_step
    from skelviz.skeleton import get_layout

    torch.set_num_threads(threads)
    layout_name, persons, frames, batch, queue, optimizer = SHAPES[preset]
    if nucla and preset != "small":
        raise ValueError("--nucla feeds the small preset (N-UCLA's layout) only")
    cfg = resolve_config(
        PROFILE_OF[preset],
        representations=reps,
        preset=preset,
        frames=frames,
        batch_size=batch,
        queue_size=queue,
        optimizer=optimizer,
        device=device,
    )
    dev = torch.device(device)
    layout = get_layout(layout_name)
    model = build_moco(cfg, layout, persons).to(dev).train()
    params = [p for p in model.query_nets.parameters() if p.requires_grad]
    o = cfg.optim  # the optimiser the pretrain task builds
    opt = (
        torch.optim.SGD(params, lr=o.lr, momentum=o.sgd_momentum, weight_decay=o.weight_decay)
        if o.optimizer == "sgd"
        else torch.optim.Adam(params, lr=o.lr, weight_decay=o.weight_decay)
    )
    gen = torch.Generator(device=dev).manual_seed(0)
    data_gen = torch.Generator().manual_seed(0)
    if nucla:
        batches = nucla_batches(nucla, batch, warmup + steps, data_gen)
    else:
        raw_frames = 2 * frames
        x = torch.randn(batch, persons, raw_frames, layout.num_joints, 3, generator=data_gen)
        lengths = torch.randint(frames // 2, raw_frames + 1, (batch,), generator=data_gen)
        batches = [(x, lengths)]
    batches = [(x.to(dev), lengths.to(dev)) for x, lengths in batches]  # (B, M, T, V, C), (B,)
    augment = TwoViewAugment(augment_config(cfg))
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def step(i: int) -> float:
        """One training step on batch i; returns the seconds its augmentation took."""
        x, lengths = batches[i % len(batches)]
        started = time.perf_counter()
        views = augment(x, lengths, gen)  # 2 x (B, M, T', V, C)
        sync()
        augmented = time.perf_counter() - started
        loss, _ = moco_step(model, model.query_nets, opt, views, contextlib.nullcontext())
        loss.item()  # synchronises CUDA
        return augmented

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    for i in range(warmup):
        step(i)
    times, aug_times = [], []
    for i in range(warmup, warmup + steps):
        started = time.perf_counter()
        aug_times.append(step(i))
        times.append(time.perf_counter() - started)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    trainable = sum(p.numel() for p in params)
    result = {
        "representations": "+".join(reps),
        "preset": preset,
        "profile": PROFILE_OF[preset],
        "data": "nw-ucla" if nucla else "random",
        "device": device,
        "threads": threads,
        "batch": batch,
        "frames": frames,
        "persons": persons,
        "joints": layout.num_joints,
        "queue": queue,
        "optimizer": optimizer,
        "trainable_params": trainable,
        "steps": steps,
        "warmup": warmup,
        "step_seconds": times,
        "mean_step_seconds": sum(times) / len(times),
        "augment_seconds": aug_times,
        "mean_augment_seconds": sum(aug_times) / len(aug_times),
        "augment_share": sum(aug_times) / sum(times),
        "samples_per_second": batch * len(times) / sum(times),
        "peak_rss_mib": rss_peak,
        "rss_growth_mib": rss_peak - rss_before,
    }
    if dev.type == "cuda":
        result["cuda_max_allocated_mib"] = torch.cuda.max_memory_allocated(dev) / 2**20
        result["gpu"] = torch.cuda.get_device_name(dev)
    return result


def machine() -> dict:
    import torch

    from skelviz.runs.device import cpu_name

    return {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


# ---------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--presets", nargs="+", default=["paper", "small", "tiny"], choices=list(SHAPES)
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        default=["+".join(c) for c in CASES],
        help="representations, e.g. seq img stg seq+stg",
    )
    parser.add_argument("--steps", type=int, default=3, help="timed steps per configuration")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--quick", action="store_true", help="small + tiny presets only, 3 steps")
    parser.add_argument("--nucla", default=None, help="N-UCLA folder: real batches for small")
    parser.add_argument("--out", default=None, help="JSON path (default benchmarks/results/...)")
    parser.add_argument("--one", nargs=2, metavar=("REPS", "PRESET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(
            json.dumps(
                run_one(
                    tuple(args.one[0].split("+")),
                    args.one[1],
                    args.steps,
                    args.warmup,
                    args.device,
                    args.threads,
                    args.nucla,
                )
            )
        )
        return []
    presets = ["small", "tiny"] if args.quick else args.presets
    results = []
    header = ("case", "preset", "params", "s/step", "samples/s", "aug ms", "aug %", "peak MiB",
              "growth")  # fmt: skip
    print("{:8s} {:6s} {:>8s} {:>8s} {:>10s} {:>7s} {:>6s} {:>9s} {:>8s}".format(*header))
    for preset in presets:
        for case in args.cases:
            cmd = [
                sys.executable,
                __file__,
                "--one",
                case,
                preset,
                "--steps",
                str(args.steps),
                "--warmup",
                str(args.warmup),
                "--device",
                args.device,
                "--threads",
                str(args.threads),
            ]
            if args.nucla and preset == "small":
                cmd += ["--nucla", args.nucla]
            env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE.parent)
            if proc.returncode != 0:
                print(f"{case:8s} {preset:6s} FAILED: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            memory = r.get("cuda_max_allocated_mib", r["rss_growth_mib"])
            print(
                f"{case:8s} {preset:6s} {r['trainable_params'] / 1e6:7.2f}M "
                f"{r['mean_step_seconds']:8.3f} {r['samples_per_second']:10.1f} "
                f"{1e3 * r['mean_augment_seconds']:7.1f} {100 * r['augment_share']:5.1f}% "
                f"{r['peak_rss_mib']:9.0f} {memory:8.0f}",
                flush=True,
            )
            results.append(r)
    out = (
        Path(args.out)
        if args.out
        else HERE / "results" / f"bench_training-{args.device.replace(':', '')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    print(f"wrote {out}")
    return results


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
