"""The task-agnostic training engine: epochs, progress, history, resumable checkpoints.

Modelled on minGPT's ``Trainer``: the engine knows nothing about MoCo or classifiers. A task hands
it a :class:`Job`, an object that can list its stateful parts, draw an epoch's batches, take one
step on a batch and close an epoch; the engine runs the epochs with a progress bar, keeps the
history, writes ``state.pt`` (the parts' states and the history, one atomic file) and a readable
``history.json`` every few epochs and, on an existing ``state.pt``, resumes at that epoch boundary
with the history saved beside the state. Because every random number comes from generators
that are part of the saved state, a resumed run ends exactly where an uninterrupted one ends.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from skelviz.runs.distributed import Rank, broadcast_buffers
from skelviz.runs.store import RunFolder

__all__ = [
    "Job", "GeneratorState", "Fitted", "fit", "quiet", "build_optimizer", "PROGRESS_FILE_VARIABLE",
]  # fmt: skip

# When set, the engine writes one line of progress to this file after every epoch, so a process
# that cannot see the progress bar (the notebook runner around a papermill kernel) can show it.
PROGRESS_FILE_VARIABLE = "SKELVIZ_PROGRESS_FILE"


class Job(Protocol):
    """What a task gives the engine (one training run, already built on its device)."""

    steps_per_epoch: int

    def stateful(self) -> dict[str, Any]:
        """Named objects with ``state_dict()`` / ``load_state_dict()``: modules, optimisers,
        schedulers, :class:`GeneratorState` s. Saved and restored as a whole."""

    def batches(self) -> Iterator[Any]:
        """The next epoch's ``steps_per_epoch`` batches, drawn from the job's generators."""

    def step(self, batch: Any) -> dict[str, float]:
        """One optimisation step; returns the numbers to log for it (``loss``, ...)."""

    def end_epoch(self, epoch: int) -> dict[str, Any]:
        """After epoch ``epoch`` (1-based; 0 = before training): schedulers, evaluation.
        Returns what to record for that epoch (may be empty)."""


class GeneratorState:
    """A ``torch.Generator`` seen as a stateful object (its state is a uint8 tensor)."""

    def __init__(self, generator: torch.Generator):
        self.generator = generator

    def state_dict(self) -> dict:
        return {"state": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["state"].cpu())


def build_optimizer(name: str, params, lr: float, momentum: float, weight_decay: float):
    """``"adam"`` (``momentum`` unused) or ``"sgd"`` with momentum, as every task configures one."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def build_scheduler(optimizer, epochs: int, schedule: str = "step", milestones=(), gamma=0.1,
                    warmup_epochs: int = 0):  # fmt: skip
    """A per-epoch learning-rate schedule (stepped once after each epoch).

    The factor of epoch ``e`` (0-based): ``(e + 1) / (warmup_epochs + 1)`` during the warm-up,
    then ``gamma`` to the number of ``milestones`` passed (``"step"``, MoCo's) or half a cosine
    from 1 at the end of the warm-up to 0 after the last epoch (``"cosine"``, MoCo v2's).
    """

    def factor(epoch: int) -> float:
        if epoch < warmup_epochs:
            return (epoch + 1) / (warmup_epochs + 1)
        if schedule == "cosine":
            progress = (epoch - warmup_epochs) / max(1, epochs - warmup_epochs)
            return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))
        return gamma ** sum(epoch >= m for m in milestones)

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


@dataclass
class Fitted:
    """What :func:`fit` leaves: the history and how many epochs are done."""

    history: dict
    epochs_done: int
    epochs: int

    @property
    def complete(self) -> bool:
        return self.epochs_done == self.epochs


def quiet() -> bool:
    """No progress bars under CI or ``TQDM_DISABLE``."""
    return bool(os.environ.get("CI") or os.environ.get("TQDM_DISABLE"))


def report_progress(desc: str, epoch: int, epochs: int, history: dict, rank: Rank) -> None:
    """One line, e.g. ``pretrain intra_seq-1a2b: epoch 12/70, loss 9.812, about 3.1 min left``,
    written to the file named by ``$SKELVIZ_PROGRESS_FILE`` (nothing happens when it is unset)."""
    target = os.environ.get(PROGRESS_FILE_VARIABLE)
    if not target or not rank.is_main:
        return
    line = f"{desc}: epoch {epoch}/{epochs}"
    losses = history["steps"].get("loss", [])
    if losses:
        line += f", loss {losses[-1]:.3f}"
    if epoch:
        left = history["train_seconds"] / epoch * (epochs - epoch)
        line += f", about {left / 60:.1f} min left" if epoch < epochs else ", done"
    try:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
    except OSError:
        pass  # progress is a courtesy; training goes on


def fit(
    job: Job,
    folder: RunFolder,
    epochs: int,
    *,
    checkpoint_every: int = 10,
    stop_after: int | None = None,
    progress: bool = True,
    rank: Rank = Rank(),
    desc: str = "",
) -> Fitted:
    """Train ``job`` for ``epochs`` epochs, resuming from ``folder/state.pt`` when it exists.

    ``stop_after`` ends this call after that many epochs (the state stays resumable). Only rank
    0 writes; every rank restores the same state. Returns the history and the epochs done.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    from tqdm.auto import tqdm

    parts = job.stateful()
    history: dict = {"steps": {}, "epochs": [], "train_seconds": 0.0, "train_cpu_seconds": 0.0}
    epoch = 0
    if folder.file("state.pt").is_file():
        state = folder.load_tensors("state.pt")
        for name, part in parts.items():
            part.load_state_dict(state["parts"][name])
        epoch = int(state["epoch"])
        # the history saved with the state (a kill between two files cannot part them); a state
        # written before it carried one falls back to history.json
        history = (
            json.loads(state["history"]) if "history" in state else folder.read_json("history.json")
        )

    def save() -> None:
        if rank.is_main:
            states = {name: part.state_dict() for name, part in parts.items()}
            folder.save_tensors(
                "state.pt", {"epoch": epoch, "parts": states, "history": json.dumps(history)}
            )
            folder.write_json("history.json", history)  # the readable copy, for progress

    def record(epoch_done: int) -> None:
        entry = job.end_epoch(epoch_done)
        if entry:
            seconds = {k: history[k] for k in ("train_seconds", "train_cpu_seconds")}
            history["epochs"].append({"epoch": epoch_done, **entry, **seconds})

    if epoch == 0 and not history["epochs"]:
        record(0)  # the untrained model, for "before vs after"
    stop = epochs if stop_after is None else min(epochs, epoch + stop_after)
    bar = tqdm(
        total=epochs * job.steps_per_epoch,
        initial=epoch * job.steps_per_epoch,
        disable=not progress or quiet() or not rank.is_main,
        desc=desc,
        unit="step",
    )
    report_progress(desc, epoch, epochs, history, rank)
    while epoch < stop:
        started, cpu_started = time.perf_counter(), time.process_time()
        for batch in job.batches():
            logged = job.step(batch)
            for key, value in logged.items():
                history["steps"].setdefault(key, []).append(value)
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{logged.get('loss', float('nan')):.3f}")
        epoch += 1
        history["train_seconds"] += time.perf_counter() - started  # wall clock
        history["train_cpu_seconds"] += time.process_time() - cpu_started  # all threads
        for part in parts.values():  # every rank holds rank 0's buffers at each boundary
            if isinstance(part, torch.nn.Module):
                broadcast_buffers(part, rank)
        record(epoch)
        report_progress(desc, epoch, epochs, history, rank)
        if epoch == stop or epoch % max(checkpoint_every, 1) == 0:
            save()
    bar.close()
    if not folder.file("state.pt").is_file():  # nothing was left to train
        save()
    return Fitted(history, epoch, epochs)
