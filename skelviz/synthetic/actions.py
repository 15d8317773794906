"""The synthetic action classes: each one a parametrised joint-angle trajectory.

Thirteen classes in the spirit of NTU RGB+D's daily and mutual actions (10 one-person, 3
two-person). They share sub-motions on purpose (punch and push both extend the arms forward; bow,
pick up and squat all bend forward; wave and raise both arms lift the arms overhead; jump starts
with a squat), so a classifier has to look at the whole movement. Every function receives the
progress ``u`` ``(S, T)`` and per-take knobs ``k`` (:class:`TakeParams`: amplitude, cycles,
phase, style) and adds its bone angles to a :class:`Motion`.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from skelviz.synthetic.motion import Motion, TakeParams, bump, envelope, ramp

__all__ = ["Action", "ACTIONS", "ACTION_NAMES"]

BOTH = ("left", "right")


# --- one person -------------------------------------------------------------------------------
def wave(m: Motion, u, k: TakeParams) -> None:
    on = envelope(u, 0.2)
    m.arm(0, "right", abduct=on * (1.2 + 0.4 * k.amp), flex=on * 0.5 * k.style,
          forearm_up=on * (1.1 + 0.4 * k.amp * k.wave(u)))  # fmt: skip
    m.head(0, turn=-0.2 * on * k.style)


def raise_both_arms(m: Motion, u, k: TakeParams) -> None:
    lift = k.amp * (1 - np.cos(2 * np.pi * np.round(k.cycles) * u)) / 2
    front = k.style < 0.5
    for side in BOTH:
        m.arm(0, side, flex=lift * np.where(front, 2.6, 0.4),
              abduct=lift * np.where(front, 0.2, 2.6), elbow=0.2 * lift)  # fmt: skip


def clap(m: Motion, u, k: TakeParams) -> None:
    on = envelope(u, 0.2)
    apart = 0.5 + 0.5 * k.wave(u)  # 0 = hands together
    for side in BOTH:
        m.arm(0, side, flex=on * (0.9 + 0.4 * k.style), swing=on * (0.5 - 0.45 * apart * k.amp),
              elbow=on * 0.9)  # fmt: skip


def punch(m: Motion, u, k: TakeParams) -> None:
    on = envelope(u, 0.15)
    hit = on * ((1 - np.cos(2 * np.pi * np.round(k.cycles) * u)) / 2) ** 3 * k.amp
    m.arm(0, "left", flex=on * 0.9, elbow=on * 2.0)
    m.arm(0, "right", flex=on * 0.9 + 0.7 * hit, elbow=np.maximum(on * 2.0 - 1.9 * hit, 0))
    m.trunk(0, twist=0.35 * hit, lean=0.1 * on)


def kick(m: Motion, u, k: TakeParams) -> None:
    swing = bump(u, 0.25, 0.75) * k.amp
    m.leg(0, "right", hip=1.3 * swing,
          knee=1.4 * bump(u, 0.2, 0.55) + 0.7 * bump(u, 0.55, 0.85))  # fmt: skip
    m.leg(0, "left", knee=0.2 * swing, hip=0.1 * swing)
    m.trunk(0, lean=-0.3 * swing)
    for side in BOTH:
        m.arm(0, side, abduct=(0.3 + 0.3 * k.style) * swing)


def squat(m: Motion, u, k: TakeParams) -> None:
    depth = k.amp * (1 - np.cos(2 * np.pi * np.round(k.cycles) * u)) / 2
    for side in BOTH:
        m.leg(0, side, hip=1.5 * depth, knee=2.0 * depth)
        m.arm(0, side, flex=depth * np.where(k.style < 0.6, 1.5, 0.3))
    m.trunk(0, lean=0.6 * depth)


def bow(m: Motion, u, k: TakeParams) -> None:
    bend = k.amp * envelope(u, 0.35)
    m.trunk(0, lean=1.1 * bend)
    m.head(0, nod=0.3 * bend)
    for side in BOTH:
        m.arm(0, side, flex=1.1 * bend * (0.6 + 0.6 * k.style))


def pick_up(m: Motion, u, k: TakeParams) -> None:
    down = k.amp * bump(u, 0.1, 0.9)
    carry = ramp(u, 0.5, 0.85) * envelope(u, 0.1)
    m.trunk(0, lean=1.0 * down)
    for side in BOTH:
        m.leg(0, side, hip=0.6 * down * k.style, knee=1.0 * down * k.style)
    m.arm(0, "right", flex=1.3 * down + 0.5 * carry, elbow=0.2 * down + 1.2 * carry)
    m.arm(0, "left", flex=0.7 * down)


def jump(m: Motion, u, k: TakeParams) -> None:
    w = (np.round(k.cycles) * u) % 1.0  # phase within the current jump
    crouch = 0.9 * bump(w, 0.0, 0.45) + 0.7 * bump(w, 0.55, 1.0)
    air = bump(w, 0.35, 0.65)
    for side in BOTH:
        m.leg(0, side, hip=1.0 * crouch, knee=1.6 * crouch)
        m.arm(0, side, flex=-0.7 * bump(w, 0.0, 0.4) + (1.0 + 1.2 * k.style) * air)
    m.trunk(0, lean=0.4 * crouch)
    m.move(0, up=(0.08 + 0.2 * k.amp) * air)


def walk_in_place(m: Motion, u, k: TakeParams) -> None:
    on = envelope(u, 0.15)
    step = k.wave(u) * on * k.amp
    m.leg(0, "left", hip=0.7 * np.maximum(step, 0), knee=1.2 * np.maximum(step, 0))
    m.leg(0, "right", hip=0.7 * np.maximum(-step, 0), knee=1.2 * np.maximum(-step, 0))
    m.arm(0, "left", flex=-0.4 * step, elbow=0.3 * on)
    m.arm(0, "right", flex=0.4 * step, elbow=0.3 * on)
    m.move(0, forward=0.3 * k.style * u)


# --- two persons (person 0 acts, person 1 faces it) ----------------------------------------------
def _approach(m: Motion, u, person: int, distance, until: float) -> None:
    walk = ramp(u, 0.0, until)
    m.move(person, forward=distance * walk)
    m.leg(person, "left", hip=0.35 * bump(u, 0.0, until / 2), knee=0.5 * bump(u, 0.0, until / 2))
    m.leg(person, "right", hip=0.35 * bump(u, until / 2, until),
          knee=0.5 * bump(u, until / 2, until))  # fmt: skip


def handshake(m: Motion, u, k: TakeParams) -> None:
    hold = ramp(u, 0.2, 0.35) * (1 - ramp(u, 0.75, 0.9))
    for person in (0, 1):
        _approach(m, u, person, np.maximum(k.gap - 0.75, 0) / 2, 0.3)
        m.arm(person, "right", flex=hold * (1.0 + 0.1 * k.amp * k.wave(u)), swing=0.25 * hold,
              elbow=0.6 * hold)  # fmt: skip


def push(m: Motion, u, k: TakeParams) -> None:
    ready = ramp(u, 0.1, 0.35) * (1 - ramp(u, 0.75, 0.95))
    shove = ramp(u, 0.4, 0.55) * (1 - ramp(u, 0.75, 0.95)) * k.amp
    _approach(m, u, 0, np.maximum(k.gap - 0.65, 0), 0.35)
    for side in BOTH:
        m.arm(0, side, flex=1.3 * ready, elbow=ready * np.maximum(1.5 - 1.4 * shove, 0))
        m.arm(1, side, abduct=0.6 * bump(u, 0.45, 0.8))
    m.trunk(0, lean=0.25 * shove)
    recoil = ramp(u, 0.45, 0.7) * (0.25 + 0.3 * k.amp)
    m.move(1, forward=-recoil)
    m.trunk(1, lean=-0.35 * bump(u, 0.45, 0.85))
    m.leg(1, "right", hip=-0.3 * bump(u, 0.45, 0.75))


def hug(m: Motion, u, k: TakeParams) -> None:
    hold = ramp(u, 0.25, 0.45) * (1 - ramp(u, 0.8, 0.95))
    for person, flex in ((0, 1.3), (1, 1.0)):
        _approach(m, u, person, np.maximum(k.gap - 0.35, 0) / 2, 0.35)
        for side in BOTH:
            m.arm(person, side, flex=hold * flex * k.amp, swing=0.6 * hold, elbow=1.0 * hold)
        m.trunk(person, lean=0.15 * hold)


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    """One synthetic class: name, persons (1 or 2), a one-line description, the trajectory,
    the range of its cycles knob and whether takes may be performed with the left side.

    Introduced in ``notebooks/00_skeleton_data``.
    """

    name: str
    persons: int
    description: str
    trajectory: Callable[[Motion, np.ndarray, TakeParams], None]
    cycles: tuple[float, float] = (1.0, 1.0)
    lateral: bool = False


ACTIONS: tuple[Action, ...] = (
    Action("wave", 1, "raise one hand beside the head and wave the forearm", wave, (2, 5), True),
    Action("raise_both_arms", 1, "lift both arms overhead, in front or sideways, once or twice",
           raise_both_arms, (1, 2)),
    Action("clap", 1, "arms forward, bring the hands together repeatedly", clap, (3, 6)),
    Action("punch", 1, "guard up, jab forward one to three times", punch, (1, 3), True),
    Action("kick", 1, "swing one leg forward with a snap of the knee", kick, lateral=True),
    Action("squat", 1, "bend hips and knees deeply, once or twice", squat, (1, 2)),
    Action("bow", 1, "bend the trunk forward, hold, straighten up", bow),
    Action("pick_up", 1, "bend down, reach to the floor with one hand, stand with the object",
           pick_up, lateral=True),
    Action("jump", 1, "crouch, leave the floor and land, once or twice", jump, (1, 2)),
    Action("walk_in_place", 1, "alternate knee lifts with opposite arm swing", walk_in_place,
           (2, 4)),
    Action("handshake", 2, "two persons step together and shake right hands", handshake, (3, 6)),
    Action("push", 2, "one person shoves the other, who staggers back", push),
    Action("hug", 2, "two persons step together and embrace", hug),
)  # fmt: skip

ACTION_NAMES: tuple[str, ...] = tuple(a.name for a in ACTIONS)
