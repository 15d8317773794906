"""Job locks for workers sharing one output folder: created atomically, broken when stale.

A lock is ``<folder>/<name>.lock``, created with ``O_EXCL`` (exactly one process succeeds) and
holding the owner's pid and host. A lock whose process is gone (same host) is stale; it is
broken under a second, short-lived lock so that two workers never both break and take it. The
ablation sweep (:mod:`skelviz.sweep`, paper Section 4.4) uses these to run two workers side by side.

Introduced in ``notebooks/09_ablations_report``.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

__all__ = ["take_lock", "live_locks", "STALE_BREAK_SECONDS"]

STALE_BREAK_SECONDS = 60.0  # a breaker lock older than this is itself stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(path: Path) -> bool:
    """A lock whose process is gone (same host); unreadable or half-written counts as held."""
    try:
        holder = json.loads(path.read_text())
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return time.time() - path.stat().st_mtime > STALE_BREAK_SECONDS
    return holder.get("host") == socket.gethostname() and not _alive(int(holder.get("pid", -1)))


def _create(path: Path, payload: dict) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle)
    return True


def take_lock(locks: Path, name: str) -> Path | None:
    """Create ``locks/<name>.lock`` atomically (``O_EXCL``); ``None`` when another live process
    holds it. A stale lock (its process gone) is removed under ``locks/.breaking``, so two
    workers never both break one lock and both take it.

    Introduced in ``notebooks/09_ablations_report``.
    """
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / f"{name}.lock"
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    if _create(path, me):
        return path
    if not _stale(path):
        return None
    breaker = locks / ".breaking"
    if not _create(breaker, me):
        try:
            if time.time() - breaker.stat().st_mtime > STALE_BREAK_SECONDS:
                breaker.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
        return None
    try:
        if _stale(path):  # still stale now that only this process may break it
            path.unlink(missing_ok=True)
        return path if _create(path, me) else None
    finally:
        breaker.unlink(missing_ok=True)


def live_locks(locks: Path) -> list[Path]:
    return [p for p in sorted(locks.glob("*.lock")) if not _stale(p)] if locks.is_dir() else []
