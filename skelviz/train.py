"""MoCo pretraining loop (paper Section 4.2, released ``main_moco_{intra,inter}_skeleton.py``).

``pretrain`` draws batches and augmentations from explicit generators, runs the two-view
augmentation on the training device, steps the optimiser, keeps a per-step loss / contrastive
accuracy history (the paper's Figure 6), runs a cosine 1-NN monitor every few epochs and writes
atomic, resumable checkpoints. Resuming an interrupted run reproduces the uninterrupted run: the
model, optimiser, scheduler, queues and both generators are restored at an epoch boundary.
``cached_pretrain`` returns a completed checkpoint of the same configuration hash without training;
``load_pretrained`` gives later notebooks each representation's encoder without its head.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from skelviz.augment import TwoViewAugment
from skelviz.build import (
    NetFactory,
    augment_config,
    build_moco,
    default_net_factory,
    resolve_device,
)
from skelviz.checkpoint import CheckpointError, checkpoint_path, load_checkpoint, save_checkpoint
from skelviz.config import (
    PretrainConfig,
    check_queue_fits,
    config_from_dict,
    config_hash,
    config_to_dict,
)
from skelviz.dataset import SkeletonDataset
from skelviz.distributed import (
    average_gradients,
    broadcast_buffers,
    current,
    mean_over_ranks,
    rank_device,
    shard,
)
from skelviz.evaluate import knn_monitor
from skelviz.moco import SkeletonMoCo
from skelviz.skeleton import get_layout

__all__ = [  # the builders are re-exported: notebooks import everything from here
    "PretrainResult",
    "resolve_device",
    "augment_config",
    "default_net_factory",
    "build_moco",
    "pretrain",
    "cached_pretrain",
    "load_pretrained",
]


# ---------------------------------------------------------------------------------------------
@dataclass
class PretrainResult:
    """A pretrained MoCo module, its configuration, history and checkpoint file."""

    config: PretrainConfig
    model: SkeletonMoCo
    history: dict
    checkpoint: Path
    epochs_done: int

    @property
    def complete(self) -> bool:
        """True when all ``config.epochs`` are trained (False after ``stop_after``)."""
        return self.epochs_done == self.config.epochs

    @property
    def encoders(self) -> dict[str, nn.Module]:
        """Each representation's query encoder without its projection head."""
        return {name: net.encoder for name, net in self.model.query_nets.items()}


# ---------------------------------------------------------------------------------------------
def _optimizer(config: PretrainConfig, model: SkeletonMoCo) -> torch.optim.Optimizer:
    params = [p for p in model.query_nets.parameters() if p.requires_grad]
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.SGD(
        params, lr=config.lr, momentum=config.sgd_momentum, weight_decay=config.weight_decay
    )


def _fingerprint(dataset: SkeletonDataset) -> str:
    text = "\n".join((dataset.name.split("[")[0], str(len(dataset)), *dataset.sample_names))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _quiet() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("TQDM_DISABLE"))


# ---------------------------------------------------------------------------------------------
def pretrain(
    config: PretrainConfig,
    train_set: SkeletonDataset,
    monitor_sets: tuple[SkeletonDataset, SkeletonDataset] | None = None,
    checkpoints: str | os.PathLike | None = None,
    *,
    progress: bool = True,
    resume: bool = True,
    stop_after: int | None = None,
    net_factory: NetFactory | None = None,
) -> PretrainResult:
    """Pretrain ``config`` on ``train_set`` (labels unused) and return the result.

    ``monitor_sets = (gallery, queries)`` enables the cosine 1-NN monitor (before training and
    every ``config.monitor_every`` epochs). ``checkpoints`` is a folder or an
    ``OutputPaths`` (its ``.checkpoints``); with ``resume`` an unfinished checkpoint of the same
    configuration hash is continued. ``stop_after`` ends this call after that many epochs (an
    interruption on purpose; the checkpoint stays resumable). Under ``torchrun`` each rank
    trains on its shard of every global batch and only rank 0 monitors and writes
    (:mod:`skelviz.distributed`).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    from tqdm.auto import tqdm

    folder = Path(getattr(checkpoints, "checkpoints", checkpoints) or "outputs/checkpoints")
    path = checkpoint_path(config, folder)
    check_queue_fits(config, len(train_set))
    rank = current()  # a single process unless torch.distributed is initialised
    device = rank_device(resolve_device(config.device), rank)
    model = build_moco(config, train_set.layout, train_set.num_persons, net_factory).to(device)
    optimizer = _optimizer(config, model)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(
        optimizer, list(config.milestones), config.lr_gamma
    )
    data_gen = torch.Generator().manual_seed(config.seed)  # batch order
    aug_gen = torch.Generator(device=device).manual_seed(config.seed + 1)  # augmentations
    history: dict = {
        "loss": [],
        "accuracy": {},
        "lr": [],
        "monitor": [],
        "train_seconds": 0.0,
        "train_cpu_seconds": 0.0,
    }
    fingerprint, epoch = _fingerprint(train_set), 0

    if resume and path.exists():
        state = load_checkpoint(path, map_location=device)
        if state.get("data_fingerprint") != fingerprint:
            raise CheckpointError(
                f"{path}: was trained on other data than {train_set.name}; "
                "delete it or change config.name"
            )
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        data_gen.set_state(state["data_generator"].cpu())
        aug_gen.set_state(state["aug_generator"].cpu())
        history, epoch = state["history"], state["epoch"]

    def save(complete: bool) -> None:
        if not rank.is_main:
            return
        save_checkpoint(
            {
                "config": config_to_dict(config),
                "config_hash": config_hash(config),
                "layout": train_set.layout.name,
                "num_persons": train_set.num_persons,
                "data_fingerprint": fingerprint,
                "epoch": epoch,
                "complete": complete,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "data_generator": data_gen.get_state(),
                "aug_generator": aug_gen.get_state(),
                "history": history,
            },
            path,
        )

    def monitor() -> None:
        if monitor_sets is None or not rank.is_main:
            return
        knn = {
            name: knn_monitor(net.encoder, *monitor_sets, frames=config.frames, device=device)
            for name, net in model.query_nets.items()
        }
        history["monitor"].append({"epoch": epoch, "knn": knn})

    if epoch == 0 and not history["monitor"]:
        monitor()  # the untrained encoders, for "before vs after"
    x_all, lengths_all = (torch.from_numpy(a) for a in train_set.padded())  # (N, M, T, V, C), (N,)
    augment = TwoViewAugment(augment_config(config))
    steps = len(train_set) // config.batch_size  # the last partial batch is dropped
    autocast = torch.autocast(
        device.type, dtype=torch.bfloat16, enabled=config.amp and device.type == "cuda"
    )
    bar = tqdm(
        total=config.epochs * steps,
        initial=epoch * steps,
        disable=not progress or _quiet() or not rank.is_main,
        desc=f"{config.mode} {'+'.join(config.representations)}",
        unit="step",
    )
    model.train()
    stop_epoch = config.epochs if stop_after is None else min(config.epochs, epoch + stop_after)
    while epoch < stop_epoch:
        started, cpu_started = time.perf_counter(), time.process_time()
        order = torch.randperm(len(train_set), generator=data_gen)  # (N,)
        for step in range(steps):
            idx = order[step * config.batch_size : (step + 1) * config.batch_size]  # (B,)
            lengths = lengths_all[idx]  # (B,)
            x = x_all[idx, :, : int(lengths.max())].to(device, non_blocking=True)  # (B, M, T, V, C)
            # every process draws the whole batch's numbers, then renders only its own rows
            mine = shard(torch.arange(len(idx)), rank)  # (B / world,)
            view1, view2 = augment(x, lengths.to(device), aug_gen, mine)  # 2 x (B/world, ...)
            with autocast:
                out = model(view1, view2)
            optimizer.zero_grad(set_to_none=True)
            out.loss.backward()
            average_gradients(model.query_nets, rank)
            optimizer.step()
            broadcast_buffers(model.query_nets, rank)  # rank 0's BatchNorm statistics
            loss, *accs = mean_over_ranks([out.loss.item(), *out.accuracy.values()], rank, device)
            history["loss"].append(loss)
            history["lr"].append(optimizer.param_groups[0]["lr"])
            for term, acc in zip(out.accuracy, accs):
                history["accuracy"].setdefault(term, []).append(acc)
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{history['loss'][-1]:.3f}")
        scheduler.step()
        epoch += 1
        history["train_seconds"] += time.perf_counter() - started  # wall clock
        history["train_cpu_seconds"] += time.process_time() - cpu_started  # all threads
        if epoch == config.epochs or (config.monitor_every and epoch % config.monitor_every == 0):
            monitor()
        if (
            epoch == config.epochs
            or epoch == stop_epoch
            or epoch % max(config.checkpoint_every, 1) == 0
        ):
            save(complete=epoch == config.epochs)
    bar.close()
    if not path.exists():  # nothing left to train, e.g. epochs already reached
        save(complete=epoch == config.epochs)
    return PretrainResult(config, model.eval(), history, path, epoch)


def cached_pretrain(
    config: PretrainConfig,
    train_set: SkeletonDataset,
    monitor_sets=None,
    checkpoints=None,
    *,
    progress: bool = True,
    stop_after: int | None = None,
    net_factory: NetFactory | None = None,
) -> PretrainResult:
    """Load a completed checkpoint of ``config`` (same hash) or train, resuming a partial one.

    ``stop_after`` ends this call after that many more epochs (see ``pretrain``).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    return pretrain(
        config,
        train_set,
        monitor_sets,
        checkpoints,
        progress=progress,
        resume=True,
        stop_after=stop_after,
        net_factory=net_factory,
    )


def load_pretrained(
    path: str | os.PathLike, device: str = "cpu", net_factory: NetFactory | None = None
) -> tuple[PretrainConfig, dict[str, nn.Module]]:
    """``(config, {representation: encoder})`` from a checkpoint: headless encoders, eval mode.

    Introduced in ``notebooks/05_inter_skeleton_moco``.
    """
    state = load_checkpoint(path, map_location=device)
    config = config_from_dict(state["config"])
    model = build_moco(config, get_layout(state["layout"]), state["num_persons"], net_factory)
    model.load_state_dict(state["model"])
    model.to(device).eval()
    return config, {name: net.encoder for name, net in model.query_nets.items()}
