"""Deterministic synthetic takes: who performs what, how, and how the cameras record it.

``generate_raw`` is the whole pipeline short of view normalisation: plan the takes (class x
subject x view x repetition; the last camera records half of them), draw per-subject bodies and
styles and per-take knobs (duration, start delay, amplitude, speed, phase, variant, handedness,
where the actors stand, an optional start turn), compose joint angles
(:mod:`skelviz.synthetic.actions` plus idle sway and posture), run forward kinematics, put the
feet on the floor, then record with a camera (:mod:`skelviz.synthetic.recording`). Every take is
its own performance (cameras do not record simultaneously, unlike NTU), and the random streams
are split so that re-recording the same takes from another camera (``camera_view=``) reproduces
exactly the same motion.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skelviz.skeleton import NTU25
from skelviz.synthetic.actions import ACTIONS
from skelviz.synthetic.kinematics import (
    JOINT,
    ROOT,
    bone_offsets,
    forward_kinematics,
    mirror_angles,
    rotation_y,
    sample_body_shapes,
)  # fmt: skip
from skelviz.synthetic.motion import Motion, TakeParams, bump, smoothstep, take_progress
from skelviz.synthetic.recording import add_sensor_noise, camera_views, to_camera

__all__ = ["SyntheticConfig", "RawTakes", "generate_raw", "FPS"]

FPS = 30.0  # frames per second, as Kinect records
_FEET = [JOINT[n] for n in ("left_ankle", "left_foot", "right_ankle", "right_foot")]
_STREAM_BODIES, _STREAM_TAKES, _STREAM_SENSOR = 0, 1, 2


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SyntheticConfig:
    """Size, noise and seed of the synthetic dataset; invalid values raise ``ValueError``.

    ``turn`` (radians, 0 = off) makes every actor start turned by up to that angle; first-frame
    view normalisation then leaves the whole action turned, a viewpoint change that the paper's
    shear augmentation is meant to absorb. It is off by default: at 0.6 it cost the ``default``
    profile's SEQ encoder more 1-NN accuracy than it cost raw coordinates (an exercise, not a
    demonstration).

    Introduced in ``notebooks/00_skeleton_data``.
    """

    samples_per_class: int = 24
    num_subjects: int = 8
    num_views: int = 3
    frames: tuple[int, int] = (30, 80)
    noise: float = 0.01
    dropout: float = 0.002
    turn: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name, low in (("samples_per_class", 1), ("num_subjects", 2), ("num_views", 1),
                          ("seed", 0)):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"synthetic: {name} must be an integer >= {low}, got {value!r}")
        frames = tuple(self.frames) if isinstance(self.frames, (tuple, list)) else ()
        if (len(frames) != 2 or not all(isinstance(f, (int, np.integer)) for f in frames)
                or not 8 <= frames[0] <= frames[1]):  # fmt: skip
            raise ValueError(f"synthetic: frames must be (min, max) integers with 8 <= min <= max, "
                             f"got {self.frames!r}")  # fmt: skip
        if not (np.isfinite(self.noise) and self.noise >= 0):
            raise ValueError(
                f"synthetic: noise must be a finite std >= 0 (metres), got {self.noise!r}"
            )
        if not (np.isfinite(self.turn) and 0 <= self.turn <= np.pi / 2):
            raise ValueError(f"synthetic: turn must lie in [0, pi/2] radians, got {self.turn!r}")
        if not 0 <= self.dropout < 0.5:
            raise ValueError(f"synthetic: dropout must lie in [0, 0.5), got {self.dropout!r}")


@dataclass
class RawTakes:
    """Camera-space takes before view normalisation: N sequences ``(2, T_i, 25, 3)`` float32,
    0-based labels, 1-based subject / view / repetition numbers and sample names."""

    sequences: list[np.ndarray]
    labels: np.ndarray
    subjects: np.ndarray
    views: np.ndarray
    repetitions: np.ndarray
    sample_names: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
def _plan(config: SyntheticConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Subject, view (0-based) and repetition (1-based) of each slot of one class.

    The last camera (the cross-view test view) records as many takes as all the others together,
    so a test split of a few hundred sequences costs no more pretraining than half of them.
    """
    i = np.arange(config.samples_per_class)
    subjects = i % config.num_subjects
    others = np.arange(config.num_views - 1)
    cycle = np.stack([others, np.full_like(others, config.num_views - 1)], 1).reshape(-1)
    cycle = cycle if len(cycle) else np.zeros(1, dtype=int)  # one view: it records everything
    views = cycle[(i + i // config.num_subjects) % len(cycle)]  # every subject meets every view
    reps = np.zeros_like(i)
    seen: dict[tuple[int, int], int] = {}
    for n, key in enumerate(zip(subjects.tolist(), views.tolist())):
        seen[key] = reps[n] = seen.get(key, 0) + 1
    return subjects, views, reps


def _subject_styles(config: SyntheticConfig) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(num_subjects, V, C) bone offsets and per-subject style arrays (same in every class)."""
    rng = np.random.default_rng([config.seed, _STREAM_BODIES])
    shapes = sample_body_shapes(config.num_subjects, rng)
    offsets = np.stack([bone_offsets(s) for s in shapes])
    n = config.num_subjects
    style = {"amp": rng.uniform(0.8, 1.2, n), "speed": rng.uniform(0.8, 1.25, n),
             "lean": rng.uniform(-0.05, 0.15, n), "arm_hang": rng.uniform(0.03, 0.2, n),
             "sway": rng.uniform(0.5, 1.5, n)}  # fmt: skip
    return offsets, style


def _idle(m: Motion, person: int, t: np.ndarray, rng: np.random.Generator, sway, lean, hang):
    """Breathing-rate sway, a glance around and the subject's posture, on top of the action."""
    s = len(t)
    freq = rng.uniform(0.2, 0.7, (s, 4, 1))  # Hz
    phase = rng.uniform(0, 2 * np.pi, (s, 4, 1))
    osc = np.sin(2 * np.pi * freq * t[:, None, :] / FPS + phase) * sway[:, None, None]  # (S, 4, T)
    m.trunk(person, lean=lean[:, None] + 0.05 * osc[:, 0], tilt=0.04 * osc[:, 1])
    m.head(person, turn=0.2 * osc[:, 2], nod=0.1 * osc[:, 3])
    for side in ("left", "right"):
        m.arm(person, side, abduct=hang[:, None], flex=0.06 * osc[:, 0], elbow=0.15)


def _settle(m: Motion, person: int, t: np.ndarray, rng: np.random.Generator, turn: float):
    """The actor starts turned by up to ``turn`` radians (towards the operator) and turns to the
    action's direction within the first 0.3-1 s. View normalisation reads the first frame, so the
    whole action is then seen turned by that angle: a viewpoint change no camera makes."""
    s = len(t)
    start = rng.uniform(-turn, turn, s)  # (S,) radians about the vertical
    seconds = rng.uniform(0.3, 1.0, s)
    m.angles[:, person, :, ROOT, 1] += start[:, None] * (1 - smoothstep(t / FPS / seconds[:, None]))


# Fidgets: (flex, abduct, swing, elbow) of one arm, held for a while in any class.
_FIDGETS = np.array(
    [
        [0.0, 0.0, 0.0, 0.0],  # none
        [-0.3, 0.6, 0.0, 1.6],  # hand on the hip
        [0.9, 0.4, 0.3, 2.4],  # scratch the head
        [0.6, 0.0, 0.7, 1.8],  # hand to the chest
        [0.3, 0.1, 0.2, 1.2],
    ]
)  # hand in front, as if holding a phone


def _fidget(m: Motion, person: int, t: np.ndarray, rng: np.random.Generator) -> None:
    """With probability 0.2 per take, one arm holds a nuisance pose for part of the take.

    No augmentation removes a held pose, so contrastive learning keeps it as a cue that tells
    takes apart rather than actions. (``default`` profile, SEQ: with fidgets in 0.6 of the takes
    pretraining gained 11 points of 1-NN over the untrained encoder; with none, and no sensor
    noise either, 23.)"""
    s = len(t)
    kind = np.where(rng.random(s) < 0.2, rng.integers(1, len(_FIDGETS), s), 0)
    start, span = rng.uniform(-0.3, 0.7, s), rng.uniform(0.3, 1.0, s)
    on = bump(t, start[:, None], (start + span)[:, None]) ** 0.3  # (S, T) quick on, long hold
    pose = _FIDGETS[kind][:, None, :] * on[..., None]  # (S, T, 4)
    left = (rng.random(s) < 0.5)[:, None]
    for side, mask in (("left", left), ("right", ~left)):
        flex, abduct, swing, elbow = np.moveaxis(pose * mask[..., None], -1, 0)
        m.arm(person, side, flex=flex, abduct=abduct, swing=swing, elbow=elbow)


def _perform_class(label: int, config: SyntheticConfig, subjects: np.ndarray, offsets, style):
    """World-space joints ``(S, 2, T, V, C)`` and lengths ``(S,)`` of one class's takes."""
    action = ACTIONS[label]
    rng = np.random.default_rng([config.seed, _STREAM_TAKES, label])
    s, t_max = len(subjects), config.frames[1]
    lengths = rng.integers(config.frames[0], config.frames[1] + 1, s)
    col = lambda a: np.asarray(a, dtype=float)[:, None]  # noqa: E731  (S,) -> (S, 1)
    k = TakeParams(amp=col(rng.uniform(0.6, 1.3, s) * style["amp"][subjects]),
                   cycles=col(rng.uniform(*action.cycles, s) * style["speed"][subjects]),
                   phase=col(rng.uniform(0, 2 * np.pi, s)), style=col(rng.uniform(0, 1, s)),
                   gap=col(rng.uniform(1.0, 1.6, s)))  # fmt: skip
    # Recordings start at any moment before the action and stop soon after it, as segmented
    # datasets are cut: the start delay varies (misaligning frame-by-frame comparisons), while the
    # last frames, which a BiGRU's last output reads most, still show the end of the action.
    active = rng.uniform(0.4, 0.95, s)  # fraction of the take spent acting
    tail = rng.uniform(0.0, 0.1, s) * (1 - active)  # idle after the action
    onset = 1 - active - tail  # the start delay: the rest of the take, idle
    u = take_progress(lengths, t_max, onset, tail, rng.uniform(-0.6, 0.6, s))
    mirrored = action.lateral & (rng.random(s) < 0.2)
    turn, shift = rng.uniform(-0.35, 0.35, s), rng.uniform(-0.3, 0.3, (s, 2))
    m = Motion(s, 2, t_max, NTU25.num_joints)
    action.trajectory(m, u, k)
    frames = np.broadcast_to(np.arange(t_max, dtype=float), (s, t_max))
    for person in range(action.persons):
        _idle(m, person, frames, rng, style["sway"][subjects], style["lean"][subjects],
              style["arm_hang"][subjects])  # fmt: skip
        _fidget(m, person, frames / (lengths[:, None] - 1), rng)
        _settle(m, person, frames, rng, config.turn)
    m.angles[mirrored] = mirror_angles(m.angles[mirrored])
    m.root[mirrored, ..., 0] *= -1

    # --- place the actors: alone facing +z, or a pair facing each other along x -----------------
    pair = action.persons == 2
    base_facing = np.array([np.pi / 2, -np.pi / 2]) if pair else np.zeros(2)
    base_x = np.array([-0.5, 0.5])[None, :] * k.gap if pair else np.zeros((s, 2))  # (S, 2)
    facing = base_facing[None, :] + turn[:, None]  # (S, 2)
    spot = np.stack([base_x, np.zeros_like(base_x), np.zeros_like(base_x)], -1)  # (S, 2, C)
    spot = (rotation_y(turn)[:, None] @ spot[..., None])[..., 0]  # (S, 2, C)
    spot[..., 0] += shift[:, None, 0]
    spot[..., 2] += shift[:, None, 1]
    walk = m.root * np.array([1.0, 0.0, 1.0])  # (S, 2, T, C) horizontal part, body frame
    root = spot[:, :, None] + (rotation_y(facing)[:, :, None] @ walk[..., None])[..., 0]
    # Person 1 is played by subject + 2: the same parity, so (for an even number of subjects)
    # both bodies of a pair stay on the same side of the cross-subject split.
    partner = (subjects + 2) % len(offsets)
    bodies = np.stack([offsets[subjects], offsets[partner]], axis=1)  # (S, 2, V, C)
    p = action.persons  # only the persons who act are posed; the others stay zero
    world = np.zeros((s, 2, t_max, NTU25.num_joints, 3))  # (S, M, T, V, C)
    world[:, :p] = forward_kinematics(
        bodies[:, :p].reshape(p * s, -1, 3),
        m.angles[:, :p].reshape(p * s, t_max, -1, 3),
        root[:, :p].reshape(p * s, t_max, 3),
        facing[:, :p].reshape(-1),
    ).reshape(s, p, t_max, NTU25.num_joints, 3)
    floor = world[:, :p, :, _FEET, 1].min(axis=-1)  # (S, P, T) lowest foot point
    world[:, :p, ..., 1] += (m.root[:, :p, :, 1] - floor)[..., None]  # feet on the floor, + jumps
    swap = (rng.random(s) < 0.5) & (p == 2)  # the sensor numbers bodies in no fixed order
    world[swap] = world[swap][:, ::-1]
    return world, lengths


# ---------------------------------------------------------------------------------------------
def generate_raw(config: SyntheticConfig | None = None, camera_view: int | None = None) -> RawTakes:
    """All takes of the dataset in camera space, before view normalisation
    (:func:`skelviz.preprocess.normalize_sequence`).

    ``camera_view`` (0-based) records every take with that one camera instead of its planned
    view; the motions are identical, so with ``noise=0, dropout=0`` two calls differ only by the
    rigid transform between the two cameras. (Sample names then carry that view and need not be
    unique.)

    Introduced in ``notebooks/00_skeleton_data``.
    """
    config = config or SyntheticConfig()
    views = camera_views(config.num_views)
    if camera_view is not None and not 0 <= camera_view < len(views):
        raise ValueError(f"synthetic: camera_view {camera_view} outside 0..{len(views) - 1}")
    subjects, planned_views, reps = _plan(config)
    offsets, style = _subject_styles(config)
    sensor = np.random.default_rng([config.seed, _STREAM_SENSOR])
    sequences, labels, names, all_views = [], [], [], []
    for label in range(len(ACTIONS)):
        world, lengths = _perform_class(label, config, subjects, offsets, style)
        for i in range(len(subjects)):
            v = planned_views[i] if camera_view is None else camera_view
            take = to_camera(world[i, :, : lengths[i]], views[v])  # (2, T_i, V, C)
            present = np.zeros(take.shape[:2], dtype=bool)
            present[: ACTIONS[label].persons] = True
            take = add_sensor_noise(take, present, views[v], config.noise, config.dropout, sensor)
            sequences.append(take.astype(np.float32))
            labels.append(label)
            all_views.append(v + 1)
            names.append(f"a{label + 1:02d}_s{subjects[i] + 1:02d}_v{v + 1}_r{reps[i]:03d}")
    n_classes = len(ACTIONS)
    return RawTakes(sequences, np.array(labels), np.tile(subjects + 1, n_classes),
                    np.array(all_views), np.tile(reps, n_classes), tuple(names))  # fmt: skip
