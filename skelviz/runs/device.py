"""The one device resolver: a configuration's ``device`` string to a ``torch.device``, checked.

``"auto"`` picks CUDA when available, else the CPU. ``"cuda"`` or ``"cuda:N"`` without CUDA (or
without that many GPUs) is a :class:`~skelviz.runs.config.ConfigError` raised before any data is
loaded, so a command line fails in a second, not after minutes of loading.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

import torch

from skelviz.runs.config import ConfigError

__all__ = ["cpu_name", "resolve_device"]

_DEVICE = re.compile(r"^(auto|cpu|cuda|cuda:[0-9]+)$")


def resolve_device(device: str) -> torch.device:
    """``"auto"`` -> cuda if available else cpu; ``"cpu"``, ``"cuda"``, ``"cuda:N"`` are checked.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    if not isinstance(device, str) or not _DEVICE.match(device):
        raise ConfigError(f"device: {device!r} is not one of 'auto', 'cpu', 'cuda', 'cuda:N'")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(
                f"device: {device!r} requested but CUDA is not available; use 'auto' or 'cpu'"
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ConfigError(
                f"device: {device!r}, but only {torch.cuda.device_count()} CUDA device(s) "
                "are present"
            )
    return resolved


def cpu_name() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (else what :mod:`platform` knows).

    Runs and benchmarks record it: the speed of a step and, through the vector instructions the
    kernels use, the last digits of every number depend on the machine.
    """
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
