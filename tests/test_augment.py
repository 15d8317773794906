"""Augmentations (paper Section 3.1): invariants, hand-computed values, reference equivalence."""

import pytest
import torch
import torch.nn.functional as F

from skelviz.augment import (
    U_RATIO,
    U_START,
    AugmentConfig,
    TwoViewAugment,
    apply_jitter,
    apply_linear_map,
    center_crop_resize,
    crop_windows_from_uniforms,
    default_jitter_joints,
    draw_view_uniforms,
    joint_jitter,
    pose_shear,
    render_views,
    resample_windows,
    sample_crop_windows,
    sample_jitter,
    sample_shear_matrices,
    spatio_temporal_augment,
    temporal_crop_resize,
    view_params_from_uniforms,
)
from skelviz.skeleton import NTU25


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def batch(n=6, m=2, t=40, v=25, seed=1):
    return torch.randn(n, m, t, v, 3, generator=gen(seed))


# --- shear ----------------------------------------------------------------------------------
def test_shear_with_zero_off_diagonals_is_identity():
    x = batch()
    assert torch.equal(pose_shear(x, gen(), amplitude=0.0), x)


def test_shear_matches_hand_computed_product():
    x = torch.zeros(1, 1, 1, 1, 3)
    x[..., :] = torch.tensor([1.0, 2.0, 3.0])
    s = torch.tensor([[[1.0, 0.5, -1.0], [0.0, 1.0, 0.25], [1.0, 0.0, 1.0]]])
    # S p = (1 + 1 - 3, 0 + 2 + 0.75, 1 + 0 + 3)
    assert apply_linear_map(x, s).flatten().tolist() == [-1.0, 2.75, 4.0]


def test_shear_matrices_have_unit_diagonal_and_bounded_off_diagonals():
    s = sample_shear_matrices(2000, gen(), amplitude=0.7)
    assert torch.equal(torch.diagonal(s, dim1=1, dim2=2), torch.ones(2000, 3))
    off = s[:, ~torch.eye(3, dtype=torch.bool)]
    assert off.abs().max() <= 0.7
    # U(-0.7, 0.7): mean 0, variance 0.7^2 / 3; 12000 draws put the mean within ~0.02.
    assert abs(off.mean().item()) < 0.02
    assert abs(off.var().item() - 0.49 / 3) < 0.01


def test_linear_maps_keep_missing_joints_zero():
    x = batch()
    x[:, 1] = 0  # absent second person
    x[:, 0, :, 3] = 0  # a missing joint
    out = pose_shear(x, gen())
    assert torch.equal(out[:, 1], torch.zeros_like(out[:, 1]))
    assert torch.equal(out[:, 0, :, 3], torch.zeros_like(out[:, 0, :, 3]))


# --- jitter ---------------------------------------------------------------------------------
def test_default_jitter_joint_count_is_proportional_to_released_15_of_25():
    assert default_jitter_joints(25) == 15
    assert default_jitter_joints(20) == 12


def test_jitter_selects_exactly_k_distinct_joints_per_sample():
    mask, zero_mode, mats = sample_jitter(500, 25, gen(), jitter_joints=7, p_mask=0.3)
    assert mask.sum(dim=1).eq(7).all()
    assert mats.shape == (500, 3, 3) and mats.abs().max() <= 1.0
    # Bernoulli(0.3) over 500 draws: 4 standard deviations is about +-0.08.
    assert abs(zero_mode.float().mean().item() - 0.3) < 0.08
    # every joint gets picked sometimes (uniform subsets): expected 500 * 7 / 25 = 140 each
    assert mask.sum(dim=0).min() > 90


def test_jitter_leaves_other_joints_untouched_and_applies_x_at_r():
    x = batch(n=2)
    mask = torch.zeros(2, 25, dtype=torch.bool)
    mask[0, [2, 5]] = True
    mask[1, [7]] = True
    zero_mode = torch.tensor([False, True])
    r = torch.tensor([[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]]]).repeat(2, 1, 1)
    out = apply_jitter(x, mask, zero_mode, r)
    # sample 0: joints 2 and 5 mapped by x @ R = (y, x, -z)
    expected = x[0, :, :, [2, 5]][..., [1, 0, 2]] * torch.tensor([1.0, 1.0, -1.0])
    assert torch.allclose(out[0, :, :, [2, 5]], expected)
    # sample 1: joint 7 zeroed
    assert torch.equal(out[1, :, :, 7], torch.zeros_like(out[1, :, :, 7]))
    # everything else untouched, exactly
    untouched = ~mask
    assert torch.equal(out[0][:, :, untouched[0]], x[0][:, :, untouched[0]])
    assert torch.equal(out[1][:, :, untouched[1]], x[1][:, :, untouched[1]])


def test_bones_between_unjittered_joints_keep_their_length():
    x = batch(n=8)
    params = sample_jitter(8, 25, gen(3))
    out = apply_jitter(x, *params)
    mask = params[0]
    for n in range(8):
        for child, parent in NTU25.edges:
            before = (x[n, :, :, child] - x[n, :, :, parent]).norm(dim=-1)
            after = (out[n, :, :, child] - out[n, :, :, parent]).norm(dim=-1)
            if not mask[n, child] and not mask[n, parent]:
                assert torch.equal(before, after)


def test_joint_jitter_rejects_more_joints_than_the_layout_has():
    with pytest.raises(ValueError, match="jitter_joints"):
        joint_jitter(batch(), gen(), num_joints=26)


# --- temporal crop-resize -------------------------------------------------------------------
def test_full_length_crop_resized_to_same_length_is_identity():
    x = batch(t=40)
    lengths = torch.full((6,), 40)
    out = temporal_crop_resize(x, lengths, gen(), l_min=1.0, l_max=1.0, out_frames=40)
    assert torch.equal(out, x)


def test_linear_resize_by_hand():
    # two frames with value 0 and 1 resampled to four frames, half-pixel centres:
    # source positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last frame)
    x = torch.zeros(1, 1, 2, 1, 3)
    x[0, 0, 1] = 1.0
    out = resample_windows(x, torch.tensor([0]), torch.tensor([2]), 4)
    assert out[0, 0, :, 0, 0].tolist() == [0.0, 0.25, 0.75, 1.0]


def test_resample_equals_torch_interpolate_on_every_window():
    x = batch(n=5, t=50)
    lengths = torch.tensor([50, 1, 17, 33, 2])
    start, crop = sample_crop_windows(lengths, gen(4), 0.1, 1.0, 1)
    out = resample_windows(x, start, crop, 64)
    for n in range(5):
        window = x[n, :, start[n] : start[n] + crop[n]]  # (M, L, V, C)
        flat = window.permute(0, 2, 3, 1).reshape(1, -1, int(crop[n]))
        ref = F.interpolate(flat, size=64, mode="linear", align_corners=False)
        ref = ref.reshape(2, 25, 3, 64).permute(0, 3, 1, 2)
        assert torch.allclose(out[n], ref, atol=1e-6)


def test_crop_windows_stay_inside_valid_frames_and_respect_the_floor():
    lengths = torch.randint(1, 300, (4000,), generator=gen(5))
    start, crop = sample_crop_windows(lengths, gen(6), l_min=0.1, l_max=1.0, min_crop_frames=64)
    assert (start >= 0).all() and (start + crop <= lengths).all()
    # the released hidden floor: crop = min(max(floor(nf * s), 64), nf)
    assert torch.equal(crop[lengths <= 64], lengths[lengths <= 64])
    assert (crop[lengths > 64] >= 64).all()


def test_fixed_ratio_gives_floor_of_length_times_ratio():
    lengths = torch.tensor([10, 33, 101])
    _, crop = sample_crop_windows(lengths, gen(), l_min=0.5, l_max=0.5)
    assert crop.tolist() == [5, 16, 50]


def test_crop_starts_cover_the_whole_range():
    lengths = torch.full((3000,), 10)
    start, crop = sample_crop_windows(lengths, gen(7), l_min=0.5, l_max=0.5)
    assert set(start.tolist()) == set(range(0, 6))  # 10 - 5 + 1 possible starts


def test_padding_after_the_valid_length_is_never_read():
    x = batch(t=30)
    lengths = torch.tensor([30, 1, 12, 20, 29, 5])
    for n, nf in enumerate(lengths.tolist()):
        x[n, :, nf:] = float("nan")
    out = temporal_crop_resize(x, lengths, gen(), out_frames=64)
    assert torch.isfinite(out).all()
    assert torch.isfinite(center_crop_resize(x, lengths)).all()


def test_one_frame_sequence_becomes_a_still_pose():
    x = batch(n=1, t=1)
    out = temporal_crop_resize(x, torch.tensor([1]), gen(), out_frames=8)
    assert torch.equal(out, x.expand(1, 2, 8, 25, 3))


def test_center_crop_keeps_the_released_window():
    # nf = 40, ratio 0.95: start = int(0.05 * 40 / 2) = 1, window [1, 39)
    x = torch.arange(40.0).view(1, 1, 40, 1, 1).expand(1, 1, 40, 1, 3).contiguous()
    out = center_crop_resize(x, torch.tensor([40]), ratio=0.95, out_frames=38)
    assert out[0, 0, :, 0, 0].tolist() == list(range(1, 39))


# --- composition ----------------------------------------------------------------------------
def test_random_composition_picks_shear_or_jitter_per_sample():
    x = batch(n=64)
    lengths = torch.randint(1, 41, (64,), generator=gen(8))
    outs = {
        mode: spatio_temporal_augment(
            x, lengths, gen(9), AugmentConfig(out_frames=16, spatial=mode)
        )
        for mode in ("random", "shear", "jitter")
    }
    is_shear = (outs["random"] - outs["shear"]).flatten(1).abs().amax(1) == 0
    is_jitter = (outs["random"] - outs["jitter"]).flatten(1).abs().amax(1) == 0
    assert (is_shear | is_jitter).all()
    assert 10 < int(is_shear.sum()) < 54  # a fair coin over 64 samples


def test_spatial_none_is_the_temporal_crop_alone():
    x = batch()
    lengths = torch.full((6,), 40)
    cfg = AugmentConfig(out_frames=20, spatial="none")
    u = draw_view_uniforms(6, 25, gen(2))  # the draws spatio_temporal_augment makes
    start, crop = crop_windows_from_uniforms(lengths, u[:, U_RATIO], u[:, U_START], 0.1, 1.0)
    expected = resample_windows(x, start, crop, 20)
    assert torch.equal(spatio_temporal_augment(x, lengths, gen(2), cfg), expected)


def test_same_seed_same_views_and_different_seed_different_views():
    x = batch()
    lengths = torch.tensor([40, 3, 20, 40, 7, 31])
    aug = TwoViewAugment(AugmentConfig(out_frames=32))
    a1, a2 = aug(x, lengths, gen(11))
    b1, b2 = aug(x, lengths, gen(11))
    c1, _ = aug(x, lengths, gen(12))
    assert a1.shape == (6, 2, 32, 25, 3)
    assert torch.equal(a1, b1) and torch.equal(a2, b2)
    assert not torch.equal(a1, a2) and not torch.equal(a1, c1)


# --- the batched rendering of TwoViewAugment --------------------------------------------------
RENDER_CONFIGS = [
    AugmentConfig(out_frames=16),
    AugmentConfig(out_frames=64, min_crop_frames=64),  # the released hidden floor: up-sampling
    AugmentConfig(out_frames=1),
    AugmentConfig(out_frames=20, temporal=False),
    AugmentConfig(out_frames=24, spatial="shear", shear_amplitude=0.3),
    AugmentConfig(out_frames=24, spatial="jitter", jitter_joints=20, jitter_p_mask=0.0),
    AugmentConfig(out_frames=24, spatial="jitter", jitter_joints=0),
    AugmentConfig(out_frames=24, p_shear=0.0, jitter_p_mask=1.0),
    AugmentConfig(out_frames=24, spatial="none"),
]


def ragged(n=12, m=2, t=50, v=25, seed=0):
    """A batch with valid lengths 1..t, including a one-frame sequence and a full one."""
    x = torch.randn(n, m, t, v, 3, generator=gen(seed))
    lengths = torch.randint(1, t + 1, (n,), generator=gen(seed + 1))
    lengths[0], lengths[1] = 1, t
    return x, lengths


@pytest.mark.parametrize("config", RENDER_CONFIGS)
@pytest.mark.parametrize("shape", [(2, 25), (1, 20)])  # (persons, joints)
def test_batched_views_equal_a_one_view_at_a_time_reference(config, shape):
    m, v = shape
    x, lengths = ragged(m=m, v=v)
    source = torch.arange(12).repeat(3)  # three views per sample, gathered from the batch
    u = draw_view_uniforms(36, v, gen(5))
    views = render_views(x, lengths, source, u, config)
    assert views.shape == (36, m, config.out_frames, v, 3)
    start, crop, maps = view_params_from_uniforms(u, lengths[source], config)
    assert ((start >= 0) & (start + crop <= lengths[source]) & (crop >= 1)).all()
    for b, n in enumerate(source.tolist()):
        window = x[n, :, start[b] : start[b] + crop[b]]  # (M, L, V, C)
        flat = window.permute(0, 2, 3, 1).reshape(1, -1, int(crop[b]))
        ref = F.interpolate(flat, size=config.out_frames, mode="linear", align_corners=False)
        ref = ref.reshape(m, v, 3, config.out_frames).permute(0, 3, 1, 2)  # (M, T', V, C)
        if maps is not None:
            ref = torch.einsum("vdc,mtvc->mtvd", maps[b], ref)  # p' = A_{b,v} p
        torch.testing.assert_close(views[b], ref, rtol=1e-4, atol=1e-4)  # float32 sums


def test_rendering_keeps_float64():
    x, lengths = ragged()
    u = draw_view_uniforms(12, 25, gen(3))
    config = AugmentConfig(out_frames=32)
    as_double = render_views(x.double(), lengths, torch.arange(12), u, config)
    assert as_double.dtype == torch.float64
    expected = render_views(x, lengths, torch.arange(12), u, config)
    torch.testing.assert_close(as_double, expected.double(), rtol=1e-5, atol=1e-5)


def test_rendering_some_samples_gives_those_rows_of_the_full_call():
    x, lengths = ragged()
    augment = TwoViewAugment(AugmentConfig(out_frames=16))
    full1, full2 = augment(x, lengths, gen(6))
    mine = torch.tensor([1, 5, 9])  # what rank 1 of 4 keeps of a batch of 12
    part1, part2 = augment(x, lengths, gen(6), samples=mine)
    assert part1.shape == (3, 2, 16, 25, 3)
    assert torch.equal(part1, full1[mine]) and torch.equal(part2, full2[mine])


def test_missing_joints_and_persons_stay_zero_in_both_views():
    x, lengths = ragged()
    x[:, 1] = 0.0  # no second person
    x[:, 0, :, 7] = 0.0  # joint 7 never tracked
    for view in TwoViewAugment()(x, lengths, gen(2)):
        assert view[:, 1].abs().max() == 0 and view[:, 0, :, 7].abs().max() == 0


def test_a_uniform_table_of_the_wrong_width_is_a_clear_error():
    x, lengths = ragged()
    with pytest.raises(ValueError, match=r"u must have shape \(12, 47\)"):
        render_views(x, lengths, torch.arange(12), torch.rand(12, 40), AugmentConfig())


@pytest.mark.parametrize(
    "kwargs",
    [dict(l_min=0.0), dict(l_min=0.8, l_max=0.5), dict(spatial="flip"), dict(p_shear=1.5),
     dict(out_frames=0), dict(jitter_joints=-1)],
)  # fmt: skip
def test_invalid_config_is_a_clear_error(kwargs):
    with pytest.raises(ValueError):
        AugmentConfig(**kwargs)


def test_wrong_shapes_and_lengths_are_clear_errors():
    with pytest.raises(ValueError, match=r"\(N, M, T, V, 3\)"):
        pose_shear(torch.zeros(2, 40, 25, 3), gen())
    with pytest.raises(ValueError, match="lengths"):
        temporal_crop_resize(batch(t=10), torch.full((6,), 11), gen())
    with pytest.raises(ValueError, match="lengths"):
        temporal_crop_resize(batch(t=10), torch.zeros(6, dtype=torch.long), gen())
