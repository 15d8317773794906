"""Named run sizes (``ci`` / ``default`` / ``full``) for the data-side notebooks 00 and 01.

``ci`` runs in seconds on a 2-core CPU (tiny synthetic set, short animations), ``default`` is a
laptop-sized look at the data, ``full`` shows everything. The temporal crop always resizes to
64 frames, as the paper does (Section 4.2: "X_q and X_k have temporal length 64").
Training-side settings live in ``skelviz/config.py``; this file only holds what notebooks 00 and
01 need to load, show and measure data.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROFILES", "DataProfile", "get_profile"]

PROFILES = ("ci", "default", "full")


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataProfile:
    """Data-side knobs of one profile.

    Attributes:
        name: ``"ci"``, ``"default"`` or ``"full"``.
        synthetic_samples_per_class: size of the generated synthetic set (per class).
        animation_frames: at most this many time steps in a plotly animation (evenly sampled).
        strip_frames: poses per row in a static matplotlib strip.
        num_examples: augmented examples drawn per figure.
        crop_draws: random crop windows drawn on the time-axis figure.
        stat_draws: random draws used to *measure* augmentation statistics (crop lengths, ...).
        out_frames: frames after temporal crop-resize (64 in every profile, paper Section 4.2).

    Introduced in ``notebooks/00_skeleton_data``.
    """

    name: str
    synthetic_samples_per_class: int
    animation_frames: int
    strip_frames: int
    num_examples: int
    crop_draws: int
    stat_draws: int
    out_frames: int = 64

    def reader_options(self, dataset: str) -> dict:
        """Keyword options for ``skelviz.readers.load_dataset(dataset, ...)`` in this profile.

        Only the synthetic generator is sized by the profile; real datasets load in full.
        """
        if dataset == "synthetic":
            return {"samples_per_class": self.synthetic_samples_per_class}
        return {}


_PROFILES = {
    "ci": DataProfile("ci", synthetic_samples_per_class=4, animation_frames=24, strip_frames=6,
                      num_examples=3, crop_draws=12, stat_draws=2_000),
    "default": DataProfile("default", synthetic_samples_per_class=20, animation_frames=48,
                           strip_frames=8, num_examples=4, crop_draws=20, stat_draws=20_000),
    "full": DataProfile("full", synthetic_samples_per_class=50, animation_frames=96,
                        strip_frames=10, num_examples=6, crop_draws=32, stat_draws=100_000),
}  # fmt: skip


def get_profile(name: str) -> DataProfile:
    """The :class:`DataProfile` called ``name``; unknown names raise ``ValueError`` listing all.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    try:
        return _PROFILES[name]
    except (KeyError, TypeError):
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown profile {name!r}; known profiles: {known}") from None
