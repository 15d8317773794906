"""Command-line pretraining: the notebooks' training, for scripts and servers (one or K processes).

    python -m skelviz.pretrain --profile default --set representations=seq+stg
    python -m skelviz.pretrain --profile full --data-root /data/ntu60 \\
        --set device=cuda --set amp=true
    torchrun --nproc_per_node=4 -m skelviz.pretrain --profile full --data-root /data/ntu60 \\
        --set device=cuda

Loads the configuration's dataset, pretrains on the train part of ``config.protocol`` with the
cosine 1-NN monitor (train part as gallery, test part as queries), reuses or resumes the checkpoint
of the same configuration hash, and prints (and optionally writes as JSON) wall time and 1-NN
accuracy of the untrained and the pretrained encoders. Under ``torchrun`` (``WORLD_SIZE`` > 1)
it joins the process group (NCCL on CUDA, one GPU per ``LOCAL_RANK``; gloo on CPU), each process
trains on its shard of every global batch of ``batch_size`` (a multiple of the number of
processes), and only rank 0 writes the checkpoint and the JSON and prints
(:mod:`skelviz.distributed`). ``--stop-after N`` ends a call after N epochs (a time-sliced job);
running the same command again continues from the checkpoint, under ``torchrun`` too.

Introduced in ``notebooks/05_inter_skeleton_moco``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from skelviz.build import resolve_device
from skelviz.config import PretrainConfig, config_hash, config_to_dict, fit_queue, resolve_config
from skelviz.dataset import SkeletonDataset
from skelviz.distributed import init_from_env, shutdown
from skelviz.readers import load_dataset
from skelviz.train import PretrainResult, cached_pretrain

__all__ = ["load_pretrain_data", "notebook_config", "prepare_pretraining", "pretrain_for_notebook", "knn_summary", "main"]


def load_pretrain_data(
    config: PretrainConfig, data_root: str | None = None
) -> tuple[SkeletonDataset, SkeletonDataset]:
    """``(train, test)`` of ``config.dataset`` under ``config.protocol``.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    dataset = load_dataset(config.dataset, data_root or None, **dict(config.dataset_options))
    return dataset.split(config.protocol)


def notebook_config(
    profile: str,
    representations: str | tuple[str, ...],
    dataset: str,
    num_train: int | None = None,
    seed: int = 0,
    device: str = "auto",
    **overrides,
) -> PretrainConfig:
    """The configuration notebooks 04-09 share for one pretraining run, named
    ``intra_<rep>`` or ``inter_<rep>-<rep>``; the same arguments always give the same hash, so a
    later notebook finds the checkpoint an earlier one wrote. With ``num_train`` the queue is
    shrunk to fit a dataset smaller than the profile's (:func:`skelviz.config.fit_queue`).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    reps = resolve_config(profile, representations=representations).representations
    name = ("intra_" if len(reps) == 1 else "inter_") + "-".join(reps)
    values = {
        "name": name,
        "representations": reps,
        "dataset": dataset,
        "seed": seed,
        "device": device,
        **overrides,
    }  # an explicit override wins
    config = resolve_config(profile, **values)
    return config if num_train is None else fit_queue(config, num_train)


def prepare_pretraining(
    profile: str,
    representations: str | tuple[str, ...],
    dataset: str,
    data_root: str | None,
    seed: int,
    device: str,
    **overrides,
) -> tuple[PretrainConfig, SkeletonDataset, SkeletonDataset]:
    """``(config, train, test)``: load the data of :func:`notebook_config`, then size its queue
    to the train part (the profile's K may not fit a smaller dataset).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    args = (profile, representations, dataset)
    train, test = load_pretrain_data(
        notebook_config(*args, seed=seed, device=device, **overrides), data_root
    )
    return notebook_config(*args, len(train), seed, device, **overrides), train, test


def pretrain_for_notebook(
    profile: str,
    representations: str | tuple[str, ...],
    dataset: str,
    data_root: str | None,
    seed: int,
    device: str,
    checkpoints,
    progress: bool = True,
    **overrides,
):
    """``(config, result, train, test)``: load the data, build :func:`notebook_config`, then
    :func:`skelviz.train.cached_pretrain` with the 1-NN monitor (train part as gallery, test
    part as queries). This is how later notebooks get the encoders notebook 05 pretrained.

    Introduced in ``notebooks/05_inter_skeleton_moco``.
    """
    config, train, test = prepare_pretraining(
        profile, representations, dataset, data_root, seed, device, **overrides
    )
    result = cached_pretrain(config, train, (train, test), checkpoints, progress=progress)
    return config, result, train, test


def knn_summary(result: PretrainResult) -> dict[str, dict[str, float]]:
    """``{representation: {"untrained": acc, "pretrained": acc}}`` from the monitor history.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    monitor = result.history["monitor"]
    if not monitor:
        return {}
    first, last = monitor[0], monitor[-1]
    return {
        name: {
            "untrained": first["knn"][name],
            "pretrained": last["knn"][name],
            "epoch": last["epoch"],
        }
        for name in first["knn"]
    }


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default", help="ci | default | full")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a config field (JSON value or plain string)",
    )
    parser.add_argument("--data-root", default=None, help="dataset folder (else the usual search)")
    parser.add_argument(
        "--output-dir", default="outputs/pretrain", help="checkpoints go to <dir>/checkpoints"
    )
    parser.add_argument("--json", default=None, help="write the summary to this JSON file")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument(
        "--stop-after",
        type=int,
        default=None,
        metavar="EPOCHS",
        help="end this call after EPOCHS more epochs; the same command continues the run",
    )
    args = parser.parse_args(argv)
    if args.stop_after is not None and args.stop_after < 1:
        parser.error(f"--stop-after must be >= 1, got {args.stop_after}")
    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set needs FIELD=VALUE, got {item!r}")
        overrides[key.strip()] = _parse_value(value)
    started = time.perf_counter()
    probe = resolve_config(args.profile, **overrides)
    rank = init_from_env(use_cuda=resolve_device(probe.device).type == "cuda")
    try:
        summary = _run(args, overrides, probe, started)
    except BaseException:
        shutdown(wait=False)  # a failed rank must not wait for the others at a barrier
        raise
    shutdown()
    if rank.is_main:
        print(json.dumps({k: v for k, v in summary.items() if k != "config"}, indent=2))
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(summary, indent=2, sort_keys=True))
    return summary


def _run(args: argparse.Namespace, overrides: dict, probe: PretrainConfig, started: float) -> dict:
    positional = ("representations", "dataset", "seed", "device")
    config, train, test = prepare_pretraining(
        args.profile,
        probe.representations,
        probe.dataset,
        args.data_root,
        probe.seed,
        probe.device,
        **{k: v for k, v in overrides.items() if k not in positional},
    )
    result = cached_pretrain(
        config,
        train,
        (train, test),
        Path(args.output_dir) / "checkpoints",
        progress=not args.no_progress,
        stop_after=args.stop_after,
    )
    summary = {
        "config": config_to_dict(config),
        "config_hash": config_hash(config),
        "checkpoint": str(result.checkpoint),
        "train_samples": len(train),
        "test_samples": len(test),
        "train_seconds": round(result.history["train_seconds"], 1),
        "train_cpu_seconds": round(result.history.get("train_cpu_seconds", 0.0), 1),
        "wall_seconds_this_call": round(time.perf_counter() - started, 1),
        "epochs_done": result.epochs_done,
        "complete": result.complete,
        "final_loss": result.history["loss"][-1] if result.history["loss"] else None,
        "knn_1nn": knn_summary(result),
    }
    return summary


if __name__ == "__main__":
    main()
