"""Multi-process (data-parallel) training with PyTorch's own launcher, ``torchrun``.

As in MoCo's released training (facebookresearch/moco ``main_moco.py``), each process trains on
its share of every global batch, the query networks are wrapped in
``DistributedDataParallel`` (which averages their gradients during ``backward``), and every key
is all-gathered into every queue (:func:`skelviz.moco.concat_all_gather`). The split is explicit
and seeded: every rank draws the same global batch and the same augmentation numbers from the
same generators and keeps rows ``rank::world`` (:func:`shard`), so ``batch_size`` is the global
batch and the generators (and the checkpoint rank 0 writes) are those of a single-process run.
At each epoch's end rank 0's buffers (BatchNorm statistics) are broadcast, so every rank holds
the same model at every checkpoint. Only rank 0 writes files and prints.

Introduced in ``notebooks/05_inter_skeleton_moco``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

__all__ = [
    "Rank",
    "current",
    "init_from_env",
    "shutdown",
    "rank_device",
    "shard",
    "wrap_ddp",
    "broadcast_buffers",
    "mean_over_ranks",
]


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rank:
    """This process's ``rank`` among ``world`` processes and its ``local`` rank on the node."""

    rank: int = 0
    world: int = 1
    local: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes checkpoints, JSON and progress."""
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


def current() -> Rank:
    """The :class:`Rank` of an initialised process group, else a single process ``Rank()``."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return Rank()
    return Rank(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))


def init_from_env(use_cuda: bool) -> Rank:
    """Join the process group ``torchrun`` describes (``WORLD_SIZE`` > 1 in the environment).

    Backend ``nccl`` with ``use_cuda`` (and CUDA device ``LOCAL_RANK`` made current), ``gloo``
    otherwise. Without ``WORLD_SIZE`` > 1, or when already initialised, nothing is done.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1 or dist.is_initialized():
        return current()
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if use_cuda:
        torch.cuda.set_device(local)
    dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return current()


def shutdown(wait: bool = True) -> None:
    """With ``wait``, wait for every rank (rank 0's last checkpoint is written); then leave
    the process group. Nothing happens when none is initialised."""
    if dist.is_available() and dist.is_initialized():
        if wait:
            dist.barrier()
        dist.destroy_process_group()


def rank_device(device: torch.device, rank: Rank) -> torch.device:
    """``cuda`` without an index becomes ``cuda:LOCAL_RANK`` when distributed."""
    if rank.active and device.type == "cuda" and device.index is None:
        return torch.device("cuda", rank.local)
    return device


# ---------------------------------------------------------------------------------------------
def shard(batch: torch.Tensor, rank: Rank) -> torch.Tensor:
    """Rows ``rank::world`` of a global batch ``(B, ...)`` -> ``(B / world, ...)``."""
    if not rank.active:
        return batch
    if batch.shape[0] % rank.world != 0:
        raise ValueError(
            f"batch_size={batch.shape[0]} must be a multiple of the {rank.world} processes"
        )
    return batch[rank.rank :: rank.world]


def wrap_ddp(net: nn.Module, rank: Rank, device: torch.device) -> nn.Module:
    """``net`` in ``DistributedDataParallel`` when several processes train, else ``net`` itself.

    DDP averages the gradients over ranks during ``backward`` and broadcasts rank 0's buffers
    before each forward; the wrapped module stays reachable (and is what gets saved).
    """
    if not rank.active:
        return net
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(net, device_ids=ids)


@torch.no_grad()
def broadcast_buffers(module: nn.Module, rank: Rank) -> None:
    """Rank 0's buffers (BatchNorm statistics, queues) copied to every rank."""
    if rank.active:
        for buffer in module.buffers():
            dist.broadcast(buffer, src=0)


def mean_over_ranks(values: list[float], rank: Rank, device: torch.device) -> list[float]:
    """Each of ``values`` averaged over ranks (the logged loss and accuracies)."""
    if not rank.active:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=device)  # (n,)
    dist.all_reduce(t)
    return (t / rank.world).tolist()
