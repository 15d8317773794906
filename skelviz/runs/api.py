"""Run a task, or reuse its finished run: the one entry point of notebooks, command line and tests.

:func:`run` resolves the device (failing before any data loads), loads the data, lets the task
adjust what does not fit the data (and says so), keys the run by the configuration and the data's
fingerprint, and then either returns the finished run of that key, or trains (resuming an
interrupted run) through the engine. :func:`load_run` reads a finished run's configuration,
history and metrics without its weights.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

import skelviz
from skelviz.runs.config import Config, config_from_dict, config_hash, config_to_dict
from skelviz.runs.data import RunData, load_run_data
from skelviz.runs.device import cpu_name, resolve_device
from skelviz.runs.distributed import current, rank_device
from skelviz.runs.engine import fit
from skelviz.runs.store import RunError, RunFolder
from skelviz.runs.tasks import get_task

__all__ = ["RunResult", "run", "load_run", "run_key"]


@dataclass
class RunResult:
    """A run: its folder, configuration, history and metrics; the model on demand.

    ``metrics`` is ``None`` while the run is unfinished (after ``stop_after``). ``data`` is the
    data the run was given in this process (``None`` for a run read from disk).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """

    task: str
    folder: RunFolder
    config: Config
    facts: dict
    history: dict
    metrics: dict | None
    epochs_done: int
    data: RunData | None = field(default=None, repr=False)
    _model: nn.Module | None = field(default=None, repr=False)

    @property
    def complete(self) -> bool:
        return self.metrics is not None

    @property
    def name(self) -> str:
        return self.folder.root.name

    def model(self, device: str | torch.device = "cpu") -> nn.Module:
        """The trained model in eval mode (weights read with ``weights_only=True``)."""
        if self._model is None:
            if not self.complete:
                raise RunError(
                    f"{self.folder.root}: the run is unfinished; run it again to complete it"
                )
            model = get_task(self.task).load_model(self.config, self.facts)
            state = self.folder.load_tensors("weights.pt", map_location="cpu")
            try:
                model.load_state_dict(state)
            except RuntimeError as err:
                raise RunError(
                    f"{self.folder.file('weights.pt')}: does not fit the model of config.json "
                    f"({str(err).splitlines()[0]}); "
                    f"delete {self.folder.root} or rerun with --restart"
                ) from None
            self._model = model
        return self._model.to(device).eval()

    def encoders(self, device: str | torch.device = "cpu") -> dict[str, nn.Module]:
        """Each representation's trained encoder, without its head, in eval mode."""
        return get_task(self.task).encoders(self.model(device))


def run_key(config: Config, sections: tuple[str, ...], data_fingerprint: str) -> str:
    """12 hex digits naming a run: the hash of the task's sections and the data's fingerprint."""
    text = f"{config_hash(config, sections)}:{data_fingerprint}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def run(
    task_name: str,
    config: Config,
    *,
    data_root: str | None = None,
    output_dir: str | os.PathLike = "outputs",
    data: RunData | None = None,
    progress: bool = True,
    stop_after: int | None = None,
    restart: bool = False,
    say=print,
) -> RunResult:
    """The finished run of ``task_name`` with ``config``: reused when it exists, else trained.

    An unfinished run of the same key is resumed and ends where an uninterrupted one ends.
    ``stop_after`` ends this call after that many epochs; ``restart`` deletes the run first.
    Under ``torchrun`` every process calls this; only rank 0 writes and speaks.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    started = time.perf_counter()
    task = get_task(task_name)
    rank = current()
    device = rank_device(resolve_device(config.run.device), rank)  # fails before any data loads
    if rank.is_main:
        RunFolder(Path(output_dir) / "runs").check_writable()
    say = say if rank.is_main else (lambda *_: None)
    data = data or load_run_data(config, data_root)
    config, notes = task.adjust(config, data)
    for note in notes:
        say(f"adjusted: {note}")
    key = run_key(config, task.SECTIONS, data.fingerprint)
    folder = RunFolder.of(output_dir, task.NAME, config.run.name or task.run_name(config), key)
    if restart and rank.is_main and folder.root.exists():
        shutil.rmtree(folder.root)
    facts = {**data.facts(), "adjusted": notes}
    record = {"task": task.NAME, "key": key, "config_hash": config_hash(config, task.SECTIONS),
              "config": config_to_dict(config), "data": facts}  # fmt: skip
    if folder.file("config.json").is_file():
        stored = folder.read_json("config.json")
        if stored.get("key") != key:
            raise RunError(
                f"{folder.file('config.json')}: belongs to run {stored.get('key')!r}, not {key!r}; "
                f"delete {folder.root} or rerun with --restart"
            )
    elif rank.is_main:
        folder.write_json("config.json", {**record, "skelviz": skelviz.__version__})
    if folder.complete:
        say(f"{task.NAME}: reusing {folder.root}")
        result = load_run(folder)
        result.data = data
        return result

    def upstream(other: str, other_config: Config, data: RunData = data) -> RunResult:
        """Another task's run in the same output folder (reused when it exists), on this run's
        data unless ``data`` is given (a transfer's source dataset)."""
        return run(other, other_config, data_root=data_root, output_dir=output_dir, data=data,
                   progress=progress, say=say)  # fmt: skip

    job = task.build_job(config, data, device, rank, upstream=upstream)
    say(f"{task.NAME}: {folder.root.name} on {device}, {torch.get_num_threads()} threads")
    fitted = fit(
        job, folder, task.epochs(config), checkpoint_every=config.run.checkpoint_every,
        stop_after=stop_after, progress=progress, rank=rank, desc=f"{task.NAME} {folder.root.name}",
    )  # fmt: skip
    metrics = None
    if fitted.complete:
        metrics = {
            **task.metrics(job, fitted),
            "epochs": fitted.epochs_done,
            "train_seconds": fitted.history["train_seconds"],
            "train_cpu_seconds": fitted.history["train_cpu_seconds"],
            "wall_seconds_last_call": time.perf_counter() - started,
            "machine": {"device": str(device), "threads": torch.get_num_threads(),
                        "processes": rank.world, "torch": torch.__version__,
                        "python": platform.python_version(),
                        "cpu": cpu_name()},
        }  # fmt: skip
        if rank.is_main:
            folder.save_tensors("weights.pt", job.weights())
            folder.write_json("history.json", fitted.history)
            folder.write_json("metrics.json", metrics)
            folder.file("state.pt").unlink(missing_ok=True)
    job.model.eval()
    return RunResult(
        task.NAME,
        folder,
        config,
        facts,
        fitted.history,
        metrics,
        fitted.epochs_done,
        data,
        job.model,
    )


def load_run(folder: str | os.PathLike | RunFolder) -> RunResult:
    """A finished run read from its folder: configuration, history and metrics, no weights.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    folder = folder if isinstance(folder, RunFolder) else RunFolder(folder)
    record = folder.read_json("config.json")
    metrics = folder.read_json("metrics.json") if folder.complete else None
    history = folder.read_json("history.json")
    return RunResult(
        record["task"], folder, config_from_dict(record["config"]), record["data"], history,
        metrics, metrics["epochs"] if metrics else 0,
    )  # fmt: skip
