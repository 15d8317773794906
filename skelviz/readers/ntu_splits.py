"""NTU RGB+D 60/120 metadata: official action names, sample-name parsing and benchmark splits.

Sample names follow ``SsssCcccPpppRrrrAaaa`` (setup, camera, performer, replication, action),
e.g. ``S001C002P003R002A013``. The benchmarks are defined on these ids:

* cross-subject: train on the performers listed in the NTU papers (Shahroudy et al. CVPR 2016,
  Liu et al. TPAMI 2019); the lists below are the ones 2s-AGCN's ``data_gen/ntu_gendata.py`` and
  ``ntu120_gendata.py`` use (checked against public copies of both);
* cross-view (NTU-60 only): train on cameras 2 and 3, test on camera 1;
* cross-setup (NTU-120 only): train on even setup ids 2, 4, ..., 32.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from skelviz.dataset import split_by_mask

__all__ = [
    "NTU_ACTIONS",
    "NTU60_TRAIN_SUBJECTS",
    "NTU120_TRAIN_SUBJECTS",
    "NTUSampleId",
    "parse_sample_name",
    "ntu_splits",
]

# --- official action names (A001 ... A120; NTU-60 is the first 60) -------------------------------
NTU_ACTIONS: tuple[str, ...] = (
    "drink water", "eat meal/snack", "brushing teeth", "brushing hair", "drop", "pickup",
    "throw", "sitting down", "standing up (from sitting position)", "clapping", "reading",
    "writing", "tear up paper", "wear jacket", "take off jacket", "wear a shoe",
    "take off a shoe", "wear on glasses", "take off glasses", "put on a hat/cap",
    "take off a hat/cap", "cheer up", "hand waving", "kicking something", "reach into pocket",
    "hopping (one foot jumping)", "jump up", "make a phone call/answer phone",
    "playing with phone/tablet", "typing on a keyboard", "pointing to something with finger",
    "taking a selfie", "check time (from watch)", "rub two hands together", "nod head/bow",
    "shake head", "wipe face", "salute", "put the palms together",
    "cross hands in front (say stop)", "sneeze/cough", "staggering", "falling",
    "touch head (headache)", "touch chest (stomachache/heart pain)", "touch back (backache)",
    "touch neck (neckache)", "nausea or vomiting condition",
    "use a fan (with hand or paper)/feeling warm", "punching/slapping other person",
    "kicking other person", "pushing other person", "pat on back of other person",
    "point finger at the other person", "hugging other person",
    "giving something to other person", "touch other person's pocket", "handshaking",
    "walking towards each other", "walking apart from each other",
    # NTU-120 additions (A061 ...)
    "put on headphone", "take off headphone", "shoot at the basket", "bounce ball",
    "tennis bat swing", "juggling table tennis balls", "hush (quite)", "flick hair",
    "thumb up", "thumb down", "make ok sign", "make victory sign", "staple book",
    "counting money", "cutting nails", "cutting paper (using scissors)", "snapping fingers",
    "open bottle", "sniff (smell)", "squat down", "toss a coin", "fold paper", "ball up paper",
    "play magic cube", "apply cream on face", "apply cream on hand back", "put on bag",
    "take off bag", "put something into a bag", "take something out of a bag", "open a box",
    "move heavy objects", "shake fist", "throw up cap/hat", "hands up (both hands)",
    "cross arms", "arm circles", "arm swings", "running on the spot",
    "butt kicks (kick backward)", "cross toe touch", "side kick", "yawn", "stretch oneself",
    "blow nose", "hit other person with something", "wield knife towards other person",
    "knock over other person (hit with body)", "grab other person's stuff",
    "shoot at other person with a gun", "step on foot", "high-five", "cheers and drink",
    "carry something with other person", "take a photo of other person",
    "follow other person", "whisper in other person's ear", "exchange things with other person",
    "support somebody with hand", "finger-guessing game (playing rock-paper-scissors)",
)  # fmt: skip

# --- benchmark definitions ------------------------------------------------------------------------
NTU60_TRAIN_SUBJECTS = frozenset(
    (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38)
)
NTU120_TRAIN_SUBJECTS = NTU60_TRAIN_SUBJECTS | frozenset(
    (45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82, 83, 84, 85,
     86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103)
)  # fmt: skip
NTU60_TRAIN_CAMERAS = frozenset((2, 3))
NTU60_MAX_SETUP, NTU60_MAX_ACTION = 17, 60

VARIANTS = {"ntu60": 60, "ntu120": 120}
PROTOCOLS = {"ntu60": ("cross_subject", "cross_view"), "ntu120": ("cross_subject", "cross_setup")}

_NAME = re.compile(r"S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})")


@dataclass(frozen=True)
class NTUSampleId:
    """The five ids encoded in an NTU sample name (all 1-based, as in the name)."""

    setup: int
    camera: int
    subject: int
    replication: int
    action: int

    def in_variant(self, variant: str) -> bool:
        """Whether the sample belongs to ``"ntu60"`` (S001-S017, A001-A060) or ``"ntu120"``."""
        if variant == "ntu60":
            return self.setup <= NTU60_MAX_SETUP and self.action <= NTU60_MAX_ACTION
        return self.action <= VARIANTS[variant]


def parse_sample_name(name: str) -> NTUSampleId | None:
    """The ids in ``name`` (a file name or stem), or ``None`` when it is not an NTU name."""
    match = _NAME.search(name)
    return NTUSampleId(*map(int, match.groups())) if match else None


def ntu_splits(ids: list[NTUSampleId], variant: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Protocol -> ``(train_idx, test_idx)`` for samples with the given ids.

    ``ntu60``: ``cross_subject`` and ``cross_view``; ``ntu120``: ``cross_subject`` and
    ``cross_setup``.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown NTU variant {variant!r}; known: {sorted(VARIANTS)}")
    train_subjects = NTU60_TRAIN_SUBJECTS if variant == "ntu60" else NTU120_TRAIN_SUBJECTS
    rules = {
        "cross_subject": lambda s: s.subject in train_subjects,
        "cross_view": lambda s: s.camera in NTU60_TRAIN_CAMERAS,
        "cross_setup": lambda s: s.setup % 2 == 0,
    }
    splits = {}
    for protocol in PROTOCOLS[variant]:
        splits[protocol] = split_by_mask([rules[protocol](s) for s in ids])
    return splits
