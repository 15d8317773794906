"""Momentum contrast for skeletons: intra-skeleton (paper Section 3.2, Eq. 5) and inter-skeleton
(Section 3.3, Eqs. 6-8) MoCo.

Follows facebookresearch/moco ``moco/builder.py`` (queue, key EMA, InfoNCE with the positive at
logit 0) and the released ISC builders (``moco/builder_intra.py``, ``moco/builder_inter.py``; see
``docs/released-code.md``): the key EMA runs *before* the keys are
computed, each queue holds its own representation's keys, and the inter loss is a plain sum of the
cross terms with no intra term. Differences from the released code: no ``.cuda()``, no DataParallel;
the queue is stored ``(K, D)`` (MoCo stores ``(D, K)``). Multi-process training: when
``torch.distributed`` is initialised, keys are all-gathered before they are enqueued (MoCo's
``concat_all_gather``) so every process's queue receives every key; sharding the batch and
averaging the query nets' gradients is the training loop's job (:mod:`skelviz.runs.distributed`,
tested with two gloo processes in ``tests/test_distributed.py``).

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

__all__ = [
    "Queue",
    "momentum_update",
    "info_nce_logits",
    "info_nce_loss",
    "top1_accuracy",
    "MoCoOutput",
    "SkeletonMoCo",
    "IntraMoCo",
    "InterMoCo",
]


# ---------------------------------------------------------------------------------------------
class Queue(nn.Module):
    """A first-in-first-out ring of K L2-normalised keys, ``(K, D)``, plus a write pointer.

    Initialised with unit-length random rows drawn from ``generator``; ``enqueue(keys)``
    overwrites the oldest ``N`` rows and moves the pointer by ``N`` modulo K (K % N == 0).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """

    def __init__(self, size: int, dim: int, generator: torch.Generator | None = None):
        super().__init__()
        if size < 1 or dim < 1:
            raise ValueError(f"Queue: size and dim must be positive, got K={size}, D={dim}")
        keys = torch.randn(size, dim, generator=generator)  # (K, D)
        self.register_buffer("keys", F.normalize(keys, dim=1))  # (K, D), unit rows
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))

    @property
    def size(self) -> int:
        return self.keys.shape[0]

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor) -> None:
        """Write ``keys`` ``(N, D)`` at the pointer (all processes' keys when distributed)."""
        keys = concat_all_gather(keys.detach()).to(self.keys.dtype)  # (N_total, D)
        n = keys.shape[0]
        if self.size % n != 0:
            raise ValueError(
                f"Queue: K={self.size} is not a multiple of the {n} keys enqueued at once"
            )
        ptr = int(self.ptr)
        self.keys[ptr : ptr + n] = keys  # (N, D) replaces the oldest N rows
        self.ptr.fill_((ptr + n) % self.size)


def concat_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    """All processes' ``tensor`` concatenated along dim 0 (no gradient); identity when not
    distributed. MoCo ``builder.py`` ``concat_all_gather``."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return tensor
    gathered = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, tensor.contiguous())
    return torch.cat(gathered, dim=0)


@torch.no_grad()
def momentum_update(query_net: nn.Module, key_net: nn.Module, m: float) -> None:
    """Key EMA: ``theta_k <- m * theta_k + (1 - m) * theta_q`` for every parameter.

    ``m = 0`` copies the query weights, ``m = 1`` freezes the key net. Buffers (BatchNorm
    statistics) are not averaged, as in MoCo.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    for p_q, p_k in zip(query_net.parameters(), key_net.parameters()):
        p_k.mul_(m).add_(p_q.detach(), alpha=1.0 - m)


# ---------------------------------------------------------------------------------------------
def info_nce_logits(
    q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor, tau: float
) -> torch.Tensor:
    """InfoNCE logits ``[q.k, q.queue] / tau``: ``(N, 1 + K)``, the positive in column 0.

    ``q`` ``(N, D)`` queries and ``k`` ``(N, D)`` positive keys (both L2-normalised), ``queue``
    ``(K, D)`` negatives. Computed in float32 (also under autocast).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    q, k = q.float(), k.detach().float()
    negatives = queue.detach().clone().float()  # (K, D); a copy, so enqueue may write in place
    l_pos = (q * k).sum(dim=1, keepdim=True)  # (N, 1)
    l_neg = q @ negatives.T  # (N, K)
    return torch.cat([l_pos, l_neg], dim=1) / tau  # (N, 1 + K)


def info_nce_loss(logits: torch.Tensor) -> torch.Tensor:
    """Eq. 5: mean over the batch of ``-log softmax(logits)[:, 0]`` (cross-entropy, target 0)."""
    labels = torch.zeros(logits.shape[0], dtype=torch.long, device=logits.device)  # (N,)
    return F.cross_entropy(logits, labels)


def top1_accuracy(logits: torch.Tensor) -> float:
    """Fraction of rows whose largest logit is the positive (column 0)."""
    return (logits.argmax(dim=1) == 0).float().mean().item()


# ---------------------------------------------------------------------------------------------
@dataclass
class MoCoOutput:
    """One step's loss (scalar, with grad), logits per term and top-1 accuracy per term.

    Terms are named ``"seq"`` for intra MoCo and ``"seq->stg"`` (SEQ query against STG key and
    queue) for inter MoCo.
    """

    loss: torch.Tensor
    logits: dict[str, torch.Tensor]
    accuracy: dict[str, float]


class SkeletonMoCo(nn.Module):
    """Query nets, EMA key nets and queues per representation, contrasted over ``pairs``.

    ``pairs`` lists ``(a, b)``: queries of representation ``a`` against keys and queue of ``b``.
    ``(a, a)`` is intra MoCo. Every net maps the canonical batch ``(N, M, T, V, C)`` to
    L2-normalised ``(N, D)`` embeddings (``skelviz.encoders.EmbeddingNet``).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """

    def __init__(
        self,
        query_nets: dict[str, nn.Module],
        pairs: list[tuple[str, str]],
        queue_size: int,
        momentum: float,
        temperature: float,
        dim: int = 128,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.query_nets = nn.ModuleDict(query_nets)
        self.key_nets = nn.ModuleDict()
        for name, net in query_nets.items():
            key = _clone_frozen(net)
            self.key_nets[name] = key
        self.queues = nn.ModuleDict(
            {name: Queue(queue_size, dim, generator) for name in query_nets}
        )
        self.pairs = list(pairs)
        self.momentum = float(momentum)
        self.temperature = float(temperature)

    @property
    def representations(self) -> tuple[str, ...]:
        return tuple(self.query_nets.keys())

    @torch.no_grad()
    def momentum_update(self) -> None:
        """EMA of every key net towards its query net (run before the keys are computed)."""
        for name in self.query_nets:
            momentum_update(self.query_nets[name], self.key_nets[name], self.momentum)

    def logits(
        self, q: dict[str, torch.Tensor], k: dict[str, torch.Tensor]
    ) -> dict[str, torch.Tensor]:
        """InfoNCE logits per term: queries of ``a`` against the key and queue of ``b``.

        ``q``, ``k``: representation -> ``(N, D)``. Returns term -> ``(N, 1 + K)``.
        """
        out = {}
        for a, b in self.pairs:
            term = a if a == b else f"{a}->{b}"
            out[term] = info_nce_logits(q[a], k[b], self.queues[b].keys, self.temperature)
        return out

    def enqueue(self, k: dict[str, torch.Tensor]) -> None:
        """Each queue receives its own representation's keys ``(N, D)``."""
        for name, keys in k.items():
            self.queues[name].enqueue(keys)

    def forward(self, view1: torch.Tensor, view2: torch.Tensor) -> MoCoOutput:
        """One MoCo step without the optimiser: queries, EMA, keys, loss, enqueue.

        ``view1``/``view2``: ``(N, M, T, V, C)`` augmented views of the same N sequences.
        (Training runs the same parts in ``skelviz.runs.tasks.pretrain.moco_step``.)
        """
        q = {name: net(view1) for name, net in self.query_nets.items()}  # name -> (N, D)
        with torch.no_grad():
            self.momentum_update()  # EMA before the keys, as released
            k = {name: net(view2) for name, net in self.key_nets.items()}  # name -> (N, D)
        logits = self.logits(q, k)
        loss = sum(info_nce_loss(lg) for lg in logits.values())
        self.enqueue(k)
        accuracy = {term: top1_accuracy(lg) for term, lg in logits.items()}
        return MoCoOutput(loss=loss, logits=logits, accuracy=accuracy)


def _clone_frozen(net: nn.Module) -> nn.Module:
    key = copy.deepcopy(net)  # same architecture and weights (theta_k = theta_q at start)
    for p in key.parameters():
        p.requires_grad_(False)
    return key


# ---------------------------------------------------------------------------------------------
def IntraMoCo(
    net_factory: Callable[[], nn.Module],
    queue_size: int,
    momentum: float,
    temperature: float,
    *,
    representation: str = "seq",
    dim: int = 128,
    generator: torch.Generator | None = None,
) -> SkeletonMoCo:
    """Intra-skeleton MoCo (Eq. 5): one representation, one queue, the loss term named after it.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    return SkeletonMoCo(
        {representation: net_factory()},
        [(representation, representation)],
        queue_size,
        momentum,
        temperature,
        dim,
        generator,
    )


def InterMoCo(
    net_factory: Callable[[str], nn.Module],
    queue_size: int,
    momentum: float,
    temperature: float,
    *,
    representations: tuple[str, ...] = ("seq", "stg"),
    dim: int = 128,
    generator: torch.Generator | None = None,
) -> SkeletonMoCo:
    """Inter-skeleton MoCo (Eqs. 6-8) over every ordered pair of ``representations``.

    ``L = sum over a != b of L(a->b)``, where ``L(a->b)`` is InfoNCE for queries of ``a`` with
    the positive from ``b``'s key net and negatives from ``b``'s queue. For two representations
    these are exactly Eqs. 7 and 8 summed as in Eq. 6; for three (the paper only pairs two) the
    same cross terms are taken over all six ordered pairs, with no intra term, as released.
    ``net_factory(name)`` builds the embedding net of one representation.

    Introduced in ``notebooks/05_inter_skeleton_moco``.
    """
    reps = tuple(representations)
    if len(reps) < 2 or len(set(reps)) != len(reps):
        raise ValueError(f"InterMoCo: need two or three distinct representations, got {reps}")
    pairs = [(a, b) for a, b in itertools.permutations(reps, 2)]
    return SkeletonMoCo(
        {name: net_factory(name) for name in reps},
        pairs,
        queue_size,
        momentum,
        temperature,
        dim,
        generator,
    )
