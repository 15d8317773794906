"""A run on disk: one folder per task, name and key, holding JSON and tensors only.

    <output_dir>/runs/<task>/<name>-<key>/
        config.json    the resolved configuration, its key, the data it read (fingerprint,
                       sizes, skeleton layout) and every value the task adjusted
        history.json   per-step and per-epoch logs (loss, learning rate, monitor, seconds)
        metrics.json   the run's numbers; its presence marks the run complete
        weights.pt     the trained model (tensors only)
        state.pt       optimiser, scheduler and generator states, and the history they belong
                       to, while the run is unfinished

Reading a run's numbers never loads weights (sweeps and reports glob ``metrics.json``). Tensor
files are read with ``torch.load(weights_only=True)``, so a file placed in the folder cannot run
code; every write is atomic (:mod:`skelviz.atomic`). This is uvadlc's "checkpoint exists? load :
train", keyed on the resolved configuration and the data's content instead of a file name.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from skelviz.atomic import save_tensors, write_json

__all__ = ["RunError", "RunFolder", "find_runs"]


class RunError(RuntimeError):
    """A run folder that cannot be used; the message names the file and what to do."""


class RunFolder:
    """The files of one run (see the module docstring).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @classmethod
    def of(cls, output_dir: str | os.PathLike, task: str, name: str, key: str) -> RunFolder:
        return cls(Path(output_dir) / "runs" / task / f"{name}-{key}")

    def __repr__(self) -> str:
        return f"RunFolder({str(self.root)!r})"

    def file(self, name: str) -> Path:
        return self.root / name

    @property
    def complete(self) -> bool:
        return self.file("metrics.json").is_file()

    # --- JSON --------------------------------------------------------------------------------
    def read_json(self, name: str) -> dict:
        path = self.file(name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RunError(f"{path}: missing; is {self.root} a skelviz run folder?") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise RunError(
                f"{path}: not valid JSON ({err}); delete the run folder or rerun with --restart"
            ) from None

    def write_json(self, name: str, value: dict) -> Path:
        return write_json(self.file(name), value)

    # --- tensors -----------------------------------------------------------------------------
    def load_tensors(self, name: str, map_location="cpu") -> dict:
        """A tensor file read without unpickling code (``weights_only=True``)."""
        import pickle

        import torch

        path = self.file(name)
        if not path.is_file():
            raise RunError(f"{path}: missing; delete {self.root} or rerun with --restart")
        try:
            return torch.load(path, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            raise RunError(
                f"{path}: refused, it holds more than tensors and plain values "
                f"({str(err).splitlines()[0]}); "
                "skelviz never executes code from a run folder; delete the file"
            ) from None
        except (RuntimeError, EOFError, OSError, ValueError) as err:
            raise RunError(
                f"{path}: cannot be read (truncated or not a skelviz file: "
                f"{str(err).splitlines()[0]}); "
                f"delete {self.root} or rerun with --restart"
            ) from None

    def save_tensors(self, name: str, state: dict) -> Path:
        return save_tensors(self.file(name), state)

    def check_writable(self) -> None:
        """Create the folder and prove a file can be written there (before any data loads).

        The probe is a fresh temporary file, never a fixed name: runs started side by side on one
        output folder (a sweep's jobs) would otherwise delete each other's probe.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root, prefix=".write-test-"):
                pass
        except OSError as err:
            raise RunError(
                f"{self.root}: cannot write there ({err.strerror or err}); "
                "choose another --output-dir"
            ) from None


def find_runs(output_dir: str | os.PathLike, task: str = "*") -> list[RunFolder]:
    """Every completed run under ``output_dir/runs`` (optionally of one task), sorted by path.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    pattern = f"runs/{task}/*/metrics.json"
    return [RunFolder(p.parent) for p in sorted(Path(output_dir).glob(pattern))]
