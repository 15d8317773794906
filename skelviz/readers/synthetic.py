"""Reader for the synthetic dataset: generated takes -> a view-normalised ``SkeletonDataset``.

Nothing is read from disk (``root`` is ignored; it keeps the ``load(root, **options)`` contract
of every reader). Takes come from :func:`skelviz.synthetic.generate_raw` (forward kinematics on
NTU25, camera views, sensor noise) and then go through the same preprocessing as the recorded
datasets (:func:`skelviz.preprocess.normalize_sequence`). M = 2 always, like NTU; the second
person is all zeros in one-person classes. See :data:`ACTIONS` for the classes.

Protocols: ``cross_subject`` trains on odd-numbered subjects and tests on even-numbered ones;
``cross_view`` (when there are at least two views) tests on the last camera (+45 degrees with
three views) and trains on the others, as N-UCLA does; the last camera records as many takes as
the others together, so the test part is as large as the training part.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from skelviz.dataset import SkeletonDataset, split_by_mask
from skelviz.preprocess import DEFAULT_NORMALIZATION, check_normalization
from skelviz.readers.load_report import LoadReport
from skelviz.skeleton import NTU25
from skelviz.synthetic import ACTION_NAMES, ACTIONS, SyntheticConfig, generate_raw

__all__ = ["load", "ACTIONS", "ACTION_NAMES"]


def load(
    root=None,
    *,
    samples_per_class: int = 24,
    num_subjects: int = 8,
    num_views: int = 3,
    frames: tuple[int, int] = (30, 80),
    noise: float = 0.01,
    dropout: float = 0.002,
    turn: float = 0.0,
    seed: int = 0,
    normalize: str | bool = DEFAULT_NORMALIZATION,
    **unknown,
) -> SkeletonDataset:
    """Generate the synthetic dataset (13 classes, NTU25, M = 2), view-normalised.

    Args:
        root: ignored (the data is generated).
        samples_per_class: takes per class, spread evenly over subjects and views.
        num_subjects: performers (>= 2), each with its own body proportions and style.
        num_views: cameras spread over -45..+45 degrees.
        frames: (min, max) take length in frames at 30 fps.
        noise: sensor jitter standard deviation in metres (x/y; depth gets twice that).
        dropout: probability that an extremity joint is lost in a frame (stored as zeros).
        turn: the actor starts turned by up to this many radians and faces the action's direction
            within a second; first-frame view normalisation leaves the action turned by that
            angle (0: off, the default; see ``SyntheticConfig``).
        seed: same seed, identical arrays.
        normalize: one of ``skelviz.preprocess.NORMALIZATIONS`` (``"none"``: the generated camera
            coordinates).

    Raises:
        ValueError: an unknown option, or one out of range or not an integer where one is needed.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    if unknown:
        known = sorted([*SyntheticConfig.__dataclass_fields__, "normalize"])
        raise ValueError(f"synthetic: unknown option(s) {sorted(unknown)}; known: {known}")
    config = SyntheticConfig(samples_per_class, num_subjects, num_views, frames, noise, dropout,
                             turn, seed)  # fmt: skip
    report = LoadReport("synthetic", check_normalization(normalize, "synthetic"))
    raw = generate_raw(config)
    sequences = [report.prepare(seq, name, NTU25, f"synthetic/{name}")
                 for seq, name in zip(raw.sequences, raw.sample_names)]  # fmt: skip
    if any(seq is None for seq in sequences):  # the generator never draws an empty take
        raise RuntimeError(f"synthetic: the generator drew empty takes {report.empty_dropped}")
    splits = {"cross_subject": split_by_mask(raw.subjects % 2 == 1)}
    if num_views >= 2:
        splits["cross_view"] = split_by_mask(raw.views != num_views)
    return SkeletonDataset(
        name="synthetic",
        layout=NTU25,
        sequences=sequences,
        labels=raw.labels,
        class_names=ACTION_NAMES,
        subjects=raw.subjects,
        views=raw.views,
        sample_names=raw.sample_names,
        splits=splits,
        load_report=report,
    )
