"""What a load kept, dropped and skipped: one policy for bad input in every reader.

Paper Section 4.1 trains and tests on whole datasets, so a reader must say what it did with the
odd sequences a recording holds. The policy, the same in every reader and for every ``normalize``
choice:

* **empty** sequences (no frame, or every coordinate of every frame zero) are *dropped*: they
  hold no motion, cannot be normalised, and would only add an all-zero input;
* **one-frame** sequences are *kept*: they are valid poses, and the temporal crop of the paper's
  augmentations (Section 3.1) resizes a single frame to any length (every frame the same pose);
* **missing joints** (a joint whose three coordinates are exactly zero in a frame where its person
  is present) are *kept* as zeros and counted; centring and rotation leave them at zero;
* entries the files list without any data (UTKinect's ``NaN NaN`` segment) are *skipped*;
* non-finite coordinates (NaN, inf) and malformed files stay errors that name the file.

:class:`LoadReport` counts all of this during a load and is attached to the dataset as
``dataset.load_report``; :func:`announce` prints its one-line :meth:`~LoadReport.summary` once per
``skelviz.readers.load_dataset`` call, through the ``skelviz.data`` logger, whose own handler
writes to standard output so that notebooks and the command line both show it (silence it with
``logging.getLogger("skelviz.data").setLevel(logging.WARNING)``).

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field

import numpy as np

from skelviz.preprocess import normalize_for_reader
from skelviz.skeleton import SkeletonLayout

__all__ = ["LoadReport", "announce", "LOGGER"]

LOGGER = logging.getLogger("skelviz.data")
_NAMES_SHOWN = 3  # samples named in the one-line summary before "..."


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (a notebook's, pytest's capture, ...)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


if not LOGGER.handlers:
    LOGGER.addHandler(_StdoutHandler())
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


# ---------------------------------------------------------------------------------------------
@dataclass
class LoadReport:
    """Counts of one load (module docstring). Sample names are the dataset's ``sample_names``.

    Attributes:
        dataset: dataset name.
        normalize: the reader's ``normalize`` choice (``skelviz.preprocess.NORMALIZATIONS``).
        sequences: sequences kept.
        one_frame: names of the kept sequences with a single frame.
        empty_dropped: names of the dropped empty sequences.
        missing_joints: joint entries that are exactly zero while their person is present.
        skipped: ``(name, reason)`` of entries listed without data.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    dataset: str
    normalize: str
    sequences: int = 0
    one_frame: list[str] = field(default_factory=list)
    empty_dropped: list[str] = field(default_factory=list)
    missing_joints: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def prepare(
        self,
        raw: np.ndarray,
        name: str,
        layout: SkeletonLayout,
        source: str | None = None,
        loop_pad: bool = False,
    ) -> np.ndarray | None:
        """One raw ``(M, T, V, C)`` sequence under the policy: ``None`` when it is dropped, else
        the sequence as the reader returns it (``normalize_for_reader``), counted.

        ``source`` (default ``name``) is what errors name: the file, and the sample in it.
        """
        arr = np.asarray(raw)
        if not self.admit(arr, name):
            return None
        seq = normalize_for_reader(arr, layout, self.normalize, source or name, loop_pad)
        self.keep(seq, name, raw=arr)
        return seq

    def admit(self, seq: np.ndarray, name: str) -> bool:
        """``False`` (and the sample counted as dropped) when ``seq`` is empty: no frame, or
        every coordinate zero. Arrays that are not ``(M, T, V, C)`` pass, for the checks to name."""
        if seq.ndim == 4 and (seq.shape[1] == 0 or not np.any(seq)):
            self.empty_dropped.append(name)
            return False
        return True

    def keep(
        self,
        seq: np.ndarray,
        name: str,
        raw: np.ndarray | None = None,
        centre_joint: int | None = None,
    ) -> None:
        """Count a kept sequence. Missing joints are counted on ``raw`` (default ``seq``); for an
        already normalised ``seq`` pass ``centre_joint``: person 0's centre joint is exactly zero
        there by construction, not missing."""
        raw = seq if raw is None else raw
        joint_present = np.any(raw != 0, axis=-1)  # (M, T, V)
        person_present = joint_present.any(axis=-1, keepdims=True)  # (M, T, 1)
        missing = person_present & ~joint_present  # (M, T, V)
        if centre_joint is not None:
            missing[0, :, centre_joint] = False
        self.missing_joints += int(np.sum(missing))
        self.sequences += 1
        if seq.shape[1] == 1:
            self.one_frame.append(name)

    def skip(self, name: str, reason: str) -> None:
        """Record an entry the files list without data."""
        self.skipped.append((name, reason))

    def summary(self) -> str:
        """One line, e.g. ``nw-ucla: 1484 sequences (normalize=first_frame); 2 one-frame ...``."""
        parts = [
            f"{_count(self.one_frame, 'one-frame sequence')} kept",
            f"{_count(self.empty_dropped, 'empty sequence')} dropped",
            f"{self.missing_joints} missing joint{'s' if self.missing_joints != 1 else ''} "
            "(zeros) kept",
        ]
        if self.skipped:
            parts.append(f"{_count([n for n, _ in self.skipped], 'listed entry')} without "
                         f"data skipped ({self.skipped[0][1]})")  # fmt: skip
        return (f"{self.dataset}: {self.sequences} sequences (normalize={self.normalize}); "
                + ", ".join(parts))  # fmt: skip

    def as_dict(self) -> dict:
        """JSON-safe counts and names, for a run or a metrics file to record."""
        return {
            "dataset": self.dataset,
            "normalize": self.normalize,
            "sequences": self.sequences,
            "one_frame": list(self.one_frame),
            "empty_dropped": list(self.empty_dropped),
            "missing_joints": self.missing_joints,
            "skipped": [{"name": n, "reason": r} for n, r in self.skipped],
        }


def _count(names: list[str], what: str) -> str:
    text = f"{len(names)} {what}{'s' if len(names) != 1 else ''}"
    if names:
        shown = ", ".join(names[:_NAMES_SHOWN]) + (", ..." if len(names) > _NAMES_SHOWN else "")
        text += f" ({shown})"
    return text


def announce(report: LoadReport | None) -> None:
    """Print ``report``'s summary line once (the ``skelviz.data`` logger, level INFO)."""
    if report is not None:
        LOGGER.info(report.summary())
