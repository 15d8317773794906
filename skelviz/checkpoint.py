"""Atomic, configuration-keyed pretraining checkpoints.

A checkpoint lives at ``<checkpoints>/<name>-<config_hash>.pt`` (uvadlc's "checkpoint exists?
load : train", keyed on the resolved configuration instead of the file name alone) and holds the
configuration, the MoCo module (query nets, key nets, queues), optimiser and scheduler states, the
random generators' states, the training history and whether the run completed. Writes go to a
temporary file in the same folder followed by ``os.replace``, so an interrupted write never leaves
a truncated checkpoint behind and the previous one survives.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

from skelviz.config import PretrainConfig, config_hash

__all__ = ["checkpoint_path", "save_checkpoint", "load_checkpoint", "CheckpointError"]

FORMAT_VERSION = 1


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used; the message names the file and the problem."""


def checkpoint_path(config: PretrainConfig, folder: str | os.PathLike) -> Path:
    """``<folder>/<name>-<config_hash>.pt``.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    return Path(folder) / f"{config.name}-{config_hash(config)}.pt"


def save_checkpoint(state: dict, path: str | os.PathLike) -> Path:
    """Write ``state`` to ``path`` atomically (temporary file + ``os.replace``).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save({**state, "format_version": FORMAT_VERSION}, handle)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a checkpoint is an ordinary output file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises :class:`CheckpointError` naming the file when it is missing, truncated, or not a
    skelviz pretraining checkpoint.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        state = torch.load(path, map_location=map_location, weights_only=False)
    except Exception as exc:  # truncated or foreign file
        raise CheckpointError(f"{path}: cannot be read as a checkpoint ({exc})") from exc
    missing = {"config", "model", "epoch", "complete"} - set(
        state if isinstance(state, dict) else ()
    )
    if missing:
        raise CheckpointError(
            f"{path}: not a skelviz pretraining checkpoint (missing {sorted(missing)})"
        )
    if state.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format {state.get('format_version')} is not {FORMAT_VERSION}"
        )
    return state
