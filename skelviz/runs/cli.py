"""One command line for every task: ``python -m skelviz TASK --profile P --set key=value ...``.

    python -m skelviz pretrain --profile default --set representations=seq+stg
    python -m skelviz pretrain --profile full --data-root /data/ntu60 --set device=cuda
    torchrun --nproc_per_node=4 -m skelviz pretrain --profile full --data-root /data/ntu60 \\
        --set device=cuda --set amp=true

Runs (or reuses) the task's run under ``--output-dir`` (default ``outputs/<profile>-<dataset>``,
the folder the notebook runner writes to, so notebooks and command line share runs) and prints
the run's metrics as JSON. ``--stop-after N`` ends a call after N epochs; the same command
continues the run. A user error (unknown field, bad value, missing data, no CUDA, an unusable run
folder) prints one line naming the problem and exits with status 2. Under ``torchrun``
(``WORLD_SIZE`` > 1) every process joins the group (NCCL on CUDA, gloo on CPU) and only rank 0
writes and prints (:mod:`skelviz.runs.distributed`).

Introduced in ``notebooks/05_inter_skeleton_moco``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from skelviz.runs.config import ConfigError, resolve_config
from skelviz.runs.profiles import PROFILES
from skelviz.runs.store import RunError
from skelviz.runs.tasks import TASKS

__all__ = ["main", "parse_overrides"]


def parse_overrides(items: list[str]) -> dict:
    """``["lr=0.1", "representations=seq+stg"]`` -> ``{"lr": 0.1, "representations": "seq+stg"}``;
    values are JSON where they parse as JSON (numbers, true/false, null, lists), else strings."""
    overrides = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set needs FIELD=VALUE, got {item!r}")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        overrides[key.strip()] = value
    return overrides


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m skelviz", description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=TASKS, help="what to run")
    parser.add_argument("--profile", default="default", choices=list(PROFILES))
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a configuration field (e.g. lr=0.1 or optim.lr=0.1)",
    )
    parser.add_argument("--data-root", default=None, help="dataset folder (else the usual search)")
    parser.add_argument("--output-dir", default=None, help="default: outputs/<profile>-<dataset>")
    parser.add_argument(
        "--stop-after",
        type=int,
        default=None,
        metavar="EPOCHS",
        help="end this call after EPOCHS more epochs; the same command continues",
    )
    parser.add_argument("--restart", action="store_true", help="delete this run's folder first")
    parser.add_argument("--json", default=None, help="also write the metrics to this JSON file")
    parser.add_argument("--no-progress", action="store_true")
    return parser  # fmt: skip


def main(argv: list[str] | None = None):
    """Parse, run, print; returns the :class:`skelviz.runs.api.RunResult` (every rank)."""
    args = _parser().parse_args(argv)
    try:
        if args.stop_after is not None and args.stop_after < 1:
            raise ConfigError(f"--stop-after must be >= 1, got {args.stop_after}")
        return _run(args)
    except (ConfigError, RunError, FileNotFoundError, NotADirectoryError, PermissionError) as err:
        from skelviz.runs.distributed import shutdown

        shutdown(wait=False)  # a failed rank must not wait for the others at a barrier
        print(f"skelviz: error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as err:
        from skelviz.dataset import SkeletonDataError
        from skelviz.runs.distributed import shutdown

        shutdown(wait=False)
        if isinstance(err, SkeletonDataError):
            print(f"skelviz: error: {err}", file=sys.stderr)
            raise SystemExit(2) from None
        raise


def _run(args: argparse.Namespace):
    from skelviz.runs.api import run
    from skelviz.runs.device import resolve_device
    from skelviz.runs.distributed import init_from_env, shutdown

    config = resolve_config(args.profile, **parse_overrides(args.set))
    device = resolve_device(config.run.device)  # no CUDA: fail here, before any data loads
    output_dir = args.output_dir or f"outputs/{args.profile}-{config.data.dataset}"
    rank = init_from_env(use_cuda=device.type == "cuda")
    result = run(
        args.task, config, data_root=args.data_root, output_dir=output_dir,
        progress=not args.no_progress, stop_after=args.stop_after, restart=args.restart,
    )  # fmt: skip
    shutdown()
    if rank.is_main:
        summary = {
            "run": str(result.folder.root), "complete": result.complete,
            "epochs_done": result.epochs_done, "metrics": result.metrics,
        }  # fmt: skip
        print(json.dumps(summary, indent=2, sort_keys=True))
        if args.json:
            from skelviz.atomic import write_json

            write_json(Path(args.json), summary)
    return result
