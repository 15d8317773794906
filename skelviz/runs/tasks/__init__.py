"""The tasks a run can be: one small module each.

A task module defines ``NAME``, ``SECTIONS`` (the configuration sections that define its runs and
so are hashed), and the functions the engine's caller (:func:`skelviz.runs.api.run`) uses:
``run_name(config)``, ``adjust(config, data) -> (config, notes)``, ``epochs(config)``,
``build_job(config, data, device, rank, upstream)`` (a :class:`skelviz.runs.engine.Job` that
also has ``model`` and ``weights()``; ``upstream(task, config)`` gives it another task's run, e.g.
the pretraining run a linear probe reads), ``metrics(job, fitted)``, ``load_model(config, facts)``
and ``encoders(model)``. Adding a task is one module here, its configuration section and a notebook.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from skelviz.runs.config import ConfigError

__all__ = ["TASKS", "get_task"]

TASKS = ("pretrain", "linear", "knn", "finetune")


def get_task(name: str) -> ModuleType:
    """The module of task ``name``; an unknown name raises :class:`ConfigError` listing all."""
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r}; known tasks: {', '.join(TASKS)}")
    return importlib.import_module(f"skelviz.runs.tasks.{name}")
