"""The one atomic writer: every file skelviz writes appears whole or not at all.

Writes go to a temporary file in the target's folder, then ``os.replace`` moves it over the
target, so an interrupted write (a crash, Ctrl-C, a full disk) never leaves a truncated file and
the previous version survives. Errors name the path.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["write_atomic", "write_json", "save_tensors"]


def write_atomic(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write(handle)`` on a temporary file beside ``path``, then move it into place.

    Raises ``OSError`` whose message names ``path`` (read-only folder, full disk, ...).
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary shareable files
        os.replace(tmp, path)
    except OSError as err:
        raise OSError(err.errno, f"cannot write {path}: {err.strerror or err}") from err
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_json(path: str | os.PathLike, value: Any) -> Path:
    """``value`` as indented, key-sorted JSON (no NaN allowed), written atomically."""
    text = json.dumps(value, indent=2, sort_keys=True, allow_nan=False) + "\n"
    return write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


def save_tensors(path: str | os.PathLike, state: dict) -> Path:
    """``torch.save(state)`` atomically; ``state`` must hold only tensors, numbers, strings,
    lists and dicts, so that ``torch.load(weights_only=True)`` reads it back."""
    import torch

    return write_atomic(path, lambda handle: torch.save(state, handle))
