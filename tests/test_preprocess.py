"""Reference view normalisation (skelviz.preprocess) on hand-made sequences."""

import numpy as np
import pytest

from skelviz.dataset import SkeletonDataError
from skelviz.preprocess import (
    DEFAULT_NORMALIZATION,
    NORMALIZATIONS,
    align_sequence,
    body_axes,
    center_sequence,
    check_normalization,
    compact_persons,
    loop_pad_persons,
    normalize_for_reader,
    normalize_sequence,
    rotation_onto,
    trim_empty_frames,
)
from skelviz.skeleton import KINECT_V1_20, NTU25


def random_sequence(m=2, t=12, v=25, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(m, t, v, 3)) + np.array([0.3, -0.2, 3.0])).astype(np.float32)


@pytest.mark.parametrize(
    "vector,target",
    [
        ((1, 2, 3), (0, 0, 1)),
        ((0, 0, -2), (0, 0, 1)),
        ((1, 0, 0), (1, 0, 0)),
        ((0.1, -5, 0.2), (1, 0, 0)),
    ],
)
def test_rotation_onto_is_a_proper_rotation_mapping_vector_onto_target(vector, target):
    r = rotation_onto(np.array(vector, float), np.array(target, float))
    assert np.allclose(r @ r.T, np.eye(3)) and np.isclose(np.linalg.det(r), 1.0)
    mapped = r @ np.array(vector, float)
    assert np.allclose(mapped / np.linalg.norm(mapped), target)


def test_zero_vector_rotation_is_identity():
    assert np.array_equal(rotation_onto(np.zeros(3), np.array([0.0, 0.0, 1.0])), np.eye(3))


def test_normalised_sequence_is_centred_and_aligned():
    seq = random_sequence()
    out = normalize_sequence(seq, NTU25)
    # per-frame centring on person 0's spine_mid
    assert np.allclose(out[0, :, NTU25.center], 0.0, atol=1e-6)
    # first-frame shoulders (right -> left) along +x after the second rotation
    right, left = NTU25.shoulders
    shoulder = out[0, 0, right] - out[0, 0, left]
    assert np.allclose(shoulder / np.linalg.norm(shoulder), [1, 0, 0], atol=1e-5)
    # rotations and translations keep every bone length
    for child, parent in NTU25.edges:
        before = np.linalg.norm(seq[0, :, child] - seq[0, :, parent], axis=-1)
        after = np.linalg.norm(out[0, :, child] - out[0, :, parent], axis=-1)
        assert np.allclose(before, after, atol=1e-5)


def test_spine_is_along_z_when_shoulders_are_already_perpendicular():
    # A T-pose facing the camera: spine along +y, shoulders along -x (right is at -x).
    seq = np.zeros((1, 2, 20, 3), np.float32)
    seq[0, :, :, 2] = 3.0  # everything 3 m away
    seq[0, :, 0] += [0, 0.0, 0]  # hip centre
    seq[0, :, 1] += [0, 0.3, 0]  # spine
    seq[0, :, 2] += [0, 0.6, 0]  # shoulder centre
    seq[0, :, 4] += [0.2, 0.6, 0]  # left shoulder
    seq[0, :, 8] += [-0.2, 0.6, 0]  # right shoulder
    seq[0, :, [3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]] += 0.01  # present joints
    out = normalize_sequence(seq, KINECT_V1_20)
    spine = out[0, 0, 1] - out[0, 0, 0]
    assert np.allclose(spine / np.linalg.norm(spine), [0, 0, 1], atol=1e-6)


def test_missing_joints_and_absent_person_stay_zero():
    seq = random_sequence()
    seq[1] = 0  # second person never present
    seq[0, 3:5, 7] = 0  # joint 7 missing in two frames
    out = normalize_sequence(seq, NTU25)
    assert np.array_equal(out[1], np.zeros_like(out[1]))
    assert np.array_equal(out[0, 3:5, 7], np.zeros((2, 3)))


def test_person_whose_first_frame_is_empty_is_moved_to_the_front():
    seq = random_sequence(t=6)
    seq[1, :2] = 0  # second person appears at frame 2
    seq[1, 4] = 0  # ... and vanishes for one frame
    out = compact_persons(seq)
    assert np.array_equal(out[1, :3], seq[1, [2, 3, 5]])
    assert np.array_equal(out[1, 3:], np.zeros((3, 25, 3)))
    assert np.array_equal(out[0], seq[0])


def test_absent_first_person_swaps_with_present_one():
    seq = random_sequence(t=4)
    seq[0] = 0
    out = compact_persons(seq)
    assert np.array_equal(out[0], seq[1]) and not out[1].any()


def test_trailing_empty_frames_are_trimmed_and_all_empty_is_an_error():
    seq = random_sequence(t=8)
    seq[:, 5:] = 0
    assert trim_empty_frames(seq).shape[1] == 5
    with pytest.raises(SkeletonDataError, match="clip.json: every frame is empty"):
        trim_empty_frames(np.zeros((2, 4, 25, 3), np.float32), source="clip.json")


def test_single_frame_sequence_is_kept():
    out = normalize_sequence(random_sequence(t=1), NTU25)
    assert out.shape == (2, 1, 25, 3)


@pytest.mark.parametrize(
    "bad,message",
    [
        (np.zeros((2, 0, 25, 3)), "empty sequence"),
        (np.zeros((2, 5, 24, 3)), "expected 25 joints"),
        (np.zeros((5, 25, 3)), r"expected \(M, T, V, C\)"),
        (np.full((1, 3, 25, 3), np.nan), "non-finite"),
    ],
)
def test_bad_input_names_the_source(bad, message):
    with pytest.raises(SkeletonDataError, match=f"walk.json: {message}"):
        normalize_sequence(bad, NTU25, source="walk.json")


# --- empty frames: skelviz trims, the released pipeline loop-pads (loop_pad=True) -------------
# docs/released-code.md#empty-frames-loop-padding-versus-trimming
def released_pre_normalization_padding(seq):
    """The padding step of the released data_gen/preprocess.py (2s-AGCN), per person, written
    the released way (frame sums, an in-place loop) on (M, T, V, C), as an independent check."""
    s = seq.copy()
    for i_p, person in enumerate(s):
        if person.sum() == 0:
            continue
        if person[0].sum() == 0:
            index = person.sum(-1).sum(-1) != 0
            tmp = person[index].copy()
            person *= 0
            person[: len(tmp)] = tmp
        for i_f, frame in enumerate(person):
            if frame.sum() == 0 and person[i_f:].sum() == 0:
                rest = len(person) - i_f
                num = int(np.ceil(rest / i_f))
                s[i_p, i_f:] = np.concatenate([person[0:i_f] for _ in range(num)], 0)[:rest]
                break
    return s


def test_loop_pad_repeats_each_persons_frames_from_the_start():
    seq = random_sequence(t=10)
    seq[0, 7:] = 0  # person 0 ends after frame 6
    seq[1, 4:] = 0  # person 1 leaves after frame 3
    seq[1, 2] = 0  # ... with an empty frame inside, which stays empty
    out = loop_pad_persons(seq)
    assert np.array_equal(out[0, :7], seq[0, :7])
    assert np.array_equal(out[0, 7:], seq[0, [0, 1, 2]])
    assert np.array_equal(out[1, 4:], seq[1, [0, 1, 2, 3, 0, 1]])
    assert not out[1, 2].any() and not out[1, 6].any()


def test_loop_pad_equals_the_released_padding():
    rng = np.random.default_rng(4)
    for trial in range(20):
        seq = random_sequence(t=int(rng.integers(2, 30)), seed=trial)
        t = seq.shape[1]
        for person in range(2):  # random leading / inner / trailing gaps, sometimes absent
            mask = rng.random(t) < rng.uniform(0.0, 0.5)
            lead, trail = rng.integers(0, t // 2 + 1, size=2)
            mask[:lead] = True
            mask[t - trail :] = True
            seq[person, mask] = 0
        if not seq.any():
            continue
        if not seq[0].any():  # the released energy sort puts an absent body last
            seq = seq[::-1].copy()
        want = released_pre_normalization_padding(seq)
        assert np.array_equal(loop_pad_persons(compact_persons(seq)), want), trial


def test_loop_pad_option_keeps_the_raw_length_where_the_default_trims():
    seq = random_sequence(t=12)
    seq[:, :3] = 0  # three empty leading frames (nobody recorded yet)
    seq[:, 10:] = 0  # two empty trailing frames
    trimmed = normalize_sequence(seq, NTU25)
    padded = normalize_sequence(seq, NTU25, loop_pad=True)
    assert trimmed.shape[1] == 7  # frames 3..9, moved to the front
    assert padded.shape[1] == 12  # the raw frame count, as the released num_frame
    np.testing.assert_allclose(padded[:, :7], trimmed, atol=1e-6)  # same data, same rotation
    np.testing.assert_allclose(padded[:, 7:], trimmed[:, :5], atol=1e-6)  # then frames 0..4 again


def test_loop_pad_option_pads_a_person_who_leaves_early_before_centring():
    seq = random_sequence(t=8)
    seq[1, 5:] = 0  # person 1 leaves; person 0 stays to the end
    trimmed = normalize_sequence(seq, NTU25, align=False)
    padded = normalize_sequence(seq, NTU25, align=False, loop_pad=True)
    assert trimmed.shape == padded.shape == (2, 8, 25, 3)
    assert not trimmed[1, 5:].any()  # skelviz: person 1 absent after frame 4
    # released: person 1 repeats its frames 0..2, centred on person 0 of frames 5..7
    repeated = seq.copy()
    repeated[1, 5:] = seq[1, :3]
    np.testing.assert_allclose(padded, center_sequence(repeated, NTU25), atol=1e-6)


def test_loop_pad_still_rejects_an_all_empty_sequence():
    with pytest.raises(SkeletonDataError, match="every frame is empty"):
        normalize_sequence(np.zeros((2, 4, 25, 3), np.float32), NTU25, loop_pad=True)


# --- alignment from many frames (normalize="robust") versus the first frame ------------------
def kinect_take(t=20, seed=0):
    """(1, T, 20, 3) raw camera coordinates (y up): a standing body, turned 40 deg away from the
    camera, waving its right arm, with 5 mm of sensor noise."""
    rng = np.random.default_rng(seed)
    pose = np.zeros((20, 3))
    pose[[0, 1, 2, 3]] = [[0, 1.0, 0], [0, 1.2, 0], [0, 1.5, 0], [0, 1.7, 0]]  # spine, head
    for side, x in ((4, 0.2), (8, -0.2)):  # left limbs at +x, right at -x (facing the camera)
        pose[side : side + 4] = [[x, 1.5, 0], [1.5 * x, 1.25, 0], [1.6 * x, 1.0, 0], [x, 0.9, 0]]
    for side, x in ((12, 0.1), (16, -0.1)):
        pose[side : side + 4] = [[x, 1.0, 0], [x, 0.55, 0], [x, 0.1, 0], [x, 0.05, 0.1]]
    frames = np.repeat(pose[None], t, axis=0)  # (T, V, C)
    frames[:, 11, 1] += 0.6 * np.sin(np.linspace(0, 3 * np.pi, t))  # right hand waves
    a = np.radians(40)
    yaw = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    frames = (
        frames @ yaw.T + np.array([0.3, -0.2, 3.0]) + rng.normal(scale=0.005, size=frames.shape)
    )
    return frames[None].astype(np.float32)


def garbage_first_frame(seq, seed=1):
    """The same take whose frame 0 is the body turned 150 deg about a tilted axis, plus noise."""
    out = seq.copy()
    axis = np.array([0.3, 1.0, 0.2]) / np.linalg.norm([0.3, 1.0, 0.2])
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    a = np.radians(150)
    turn = np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * k @ k
    first = seq[0, 0] - seq[0, 0, 1]
    noise = np.random.default_rng(seed).normal(scale=0.05, size=first.shape)
    out[0, 0] = first @ turn.T + seq[0, 0, 1] + noise
    return out


def test_robust_alignment_ignores_a_rotated_garbage_first_frame():
    clean = kinect_take()
    bad = garbage_first_frame(clean)
    robust_clean = normalize_for_reader(clean, KINECT_V1_20, "robust")
    robust_bad = normalize_for_reader(bad, KINECT_V1_20, "robust")
    first_clean = normalize_for_reader(clean, KINECT_V1_20, "first_frame")
    first_bad = normalize_for_reader(bad, KINECT_V1_20, "first_frame")
    # frames 1.. are the same recording: robust turns them the same way (within 1.5 cm) ...
    assert np.abs(robust_bad[:, 1:] - robust_clean[:, 1:]).max() < 0.015
    # ... the released first-frame rotation follows the garbage frame and turns them elsewhere
    assert np.abs(first_bad[:, 1:] - first_clean[:, 1:]).max() > 0.5
    # on clean data both agree to within centimetres (frame 0 alone carries 5 mm of noise)
    assert np.abs(robust_clean - first_clean).max() < 0.1
    # robust: the median shoulder vector lies on +x, the median spine close to +z
    bones = {name: robust_bad[0, :, a] - robust_bad[0, :, b]
             for name, (a, b) in (("spine", (1, 0)), ("shoulders", (8, 4)))}  # fmt: skip
    unit = {k: np.median(v / np.linalg.norm(v, axis=1, keepdims=True), axis=0)
            for k, v in bones.items()}  # fmt: skip
    assert unit["shoulders"][0] > 0.999 * np.linalg.norm(unit["shoulders"])
    assert unit["spine"][2] > 0.99 * np.linalg.norm(unit["spine"])


def test_robust_axes_skip_frames_with_a_missing_joint():
    seq = kinect_take()
    seq[0, 0, 4] = 0.0  # left shoulder lost in frame 0: the first-frame vector is meaningless
    spine, shoulders = body_axes(seq, KINECT_V1_20, "robust")
    spine_ok, shoulders_ok = body_axes(seq[:, 1:], KINECT_V1_20, "robust")
    assert np.allclose(shoulders, shoulders_ok, atol=0.01) and np.allclose(
        spine, spine_ok, atol=0.01
    )
    _, first = body_axes(seq, KINECT_V1_20, "first_frame")
    assert np.degrees(np.arccos(first @ shoulders / np.linalg.norm(first))) > 20
    assert not np.any(body_axes(np.zeros((1, 3, 20, 3)), KINECT_V1_20, "robust")[1])


def test_first_frame_alignment_is_the_released_default_bit_for_bit():
    seq = random_sequence()
    released = normalize_sequence(seq, NTU25)
    assert np.array_equal(normalize_sequence(seq, NTU25, alignment="first_frame"), released)
    assert np.array_equal(normalize_for_reader(seq, NTU25, "first_frame"), released)
    via_axes = align_sequence(
        center_sequence(seq, NTU25), NTU25, body_axes(seq, NTU25, "first_frame")
    )
    np.testing.assert_allclose(via_axes, released, atol=1e-5)


def test_reader_normalize_choices():
    seq = random_sequence()
    assert np.array_equal(normalize_for_reader(seq, NTU25, "none"), seq)
    assert np.array_equal(
        normalize_for_reader(seq, NTU25, "center"), normalize_sequence(seq, NTU25, align=False)
    )
    assert check_normalization(True, "d") == DEFAULT_NORMALIZATION == "first_frame"
    assert check_normalization(False, "d") == "none"
    assert set(NORMALIZATIONS) == {"first_frame", "robust", "center", "none"}
    with pytest.raises(ValueError, match="mine: normalize must be one of first_frame, robust"):
        check_normalization("median", "mine")
    with pytest.raises(ValueError, match="alignment must be one of"):
        normalize_sequence(seq, NTU25, alignment="median")
