"""The GPU check: one JSON with what a CUDA machine measured (run by ``benchmarks/gpu_check.sh``).

Parts, each with its own time limit, so one slow part cannot eat the others' time:

- ``tests``: the CUDA-marked tests (``pytest -m cuda``): passed / failed / skipped counts;
- ``steps``: samples per second and peak GPU memory of the ``paper`` preset inter SEQ+STG
  pretraining step (two-view augmentation + ``moco_step``) at batch 64 and 256, with and without
  bf16 autocast, on random NTU-shaped batches (2 persons, 25 joints, up to 300 frames);
- ``smoke``: a 2-epoch ``full``-profile run through ``python -m skelviz pretrain`` on a synthetic
  NTU-shaped set (wall time, kNN before/after, adjustments).

    python benchmarks/gpu_check.py --out gpu_check.json [--parts tests steps smoke]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def step_throughput(batch: int, amp: bool, steps: int, warmup: int) -> dict:
    import torch

    from skelviz.augment import TwoViewAugment
    from skelviz.runs.config import resolve_config
    from skelviz.runs.tasks.pretrain import augment_config, build_moco, moco_step
    from skelviz.skeleton import NTU25

    torch.cuda.reset_peak_memory_stats()
    cfg = resolve_config("full", device="cuda", amp=amp, batch_size=batch)
    model = build_moco(cfg, NTU25, 2).cuda()
    params = [p for p in model.query_nets.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=cfg.optim.lr, momentum=0.9, weight_decay=1e-4)
    augment = TwoViewAugment(augment_config(cfg))
    gen = torch.Generator(device="cuda").manual_seed(0)
    x = torch.randn(batch, 2, 300, 25, 3, device="cuda", generator=gen)  # (N, M, T, V, C)
    lengths = torch.randint(50, 301, (batch,), device="cuda", generator=gen)  # (N,)
    amp_ctx = torch.autocast("cuda", dtype=torch.bfloat16) if amp else contextlib.nullcontext()
    for i in range(warmup + steps):
        if i == warmup:
            torch.cuda.synchronize()
            started = time.perf_counter()
        loss, _ = moco_step(
            model, dict(model.query_nets), optimizer, augment(x, lengths, gen), amp_ctx
        )
    torch.cuda.synchronize()
    seconds = (time.perf_counter() - started) / steps
    return {
        "batch": batch, "amp_bf16": amp, "steps": steps, "seconds_per_step": seconds,
        "samples_per_second": batch / seconds, "loss": float(loss),
        "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30,
    }  # fmt: skip


def part_tests(limit: int) -> dict:
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "cuda", "tests", "-p", "no:cacheprovider"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=limit)
    return {"exit_code": done.returncode, "summary": done.stdout.strip().splitlines()[-1:]}


def part_steps(limit: int) -> list[dict]:
    out, started = [], time.perf_counter()
    for batch in (64, 256):
        for amp in (False, True):
            if time.perf_counter() - started > limit:
                out.append({"batch": batch, "amp_bf16": amp, "skipped": "time limit"})
                continue
            try:
                out.append(step_throughput(batch, amp, steps=10, warmup=3))
            except Exception as err:  # noqa: BLE001 - record an out-of-memory and go on
                out.append(
                    {"batch": batch, "amp_bf16": amp, "error": f"{type(err).__name__}: {err}"}
                )
    return out


def part_smoke(limit: int, out_dir: Path) -> dict:
    summary = out_dir / "smoke.json"
    cmd = [sys.executable, "-m", "skelviz", "pretrain", "--profile", "full", "--no-progress",
           "--set", "dataset=synthetic", "--set", 'dataset_options={"samples_per_class": 80}',
           "--set", "epochs=2", "--set", "monitor_every=1", "--set", "device=cuda",
           "--output-dir", str(out_dir / "smoke"), "--json", str(summary)]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=limit)
    result = {"exit_code": done.returncode, "wall_seconds": time.perf_counter() - started,
              "stdout_head": done.stdout[:400], "stderr_tail": done.stderr[-1500:]}  # fmt: skip
    if summary.is_file():
        result["summary"] = json.loads(summary.read_text())
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="gpu_check.json")
    parser.add_argument("--parts", nargs="+", default=["tests", "steps", "smoke"])
    args = parser.parse_args(argv)
    import torch

    report: dict = {"torch": torch.__version__, "cuda_available": torch.cuda.is_available()}
    if not torch.cuda.is_available():
        report["error"] = "no CUDA device: nothing to check"
    else:
        report["device"] = torch.cuda.get_device_name(0)
        out_dir = Path(args.out).resolve().parent
        limits = {"tests": 120, "steps": 150, "smoke": 150}
        for part in args.parts:
            started = time.perf_counter()
            try:
                if part == "tests":
                    report[part] = part_tests(limits[part])
                elif part == "steps":
                    report[part] = part_steps(limits[part])
                else:
                    report[part] = part_smoke(limits[part], out_dir)
            except Exception as err:  # noqa: BLE001 - one failed part must not lose the others
                report[part] = {"error": f"{type(err).__name__}: {err}"}
            report.setdefault("seconds", {})[part] = round(time.perf_counter() - started, 1)
            Path(args.out).write_text(json.dumps(report, indent=2))  # partial results survive
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
