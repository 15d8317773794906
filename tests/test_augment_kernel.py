"""The fused CPU augmentation kernel (skelviz/augment_kernel.py) against the torch steps.

The kernel derives crop windows and per-joint maps from the same uniform draws as
``augment.view_params_from_uniforms`` (exactly equal) and renders the views that
``resample_windows`` + ``apply_joint_maps`` render (equal to float rounding).
"""

import pytest
import torch

from skelviz.augment import (
    AugmentConfig,
    TwoViewAugment,
    apply_joint_maps,
    draw_view_uniforms,
    render_views,
    resample_windows,
    view_params_from_uniforms,
)
from skelviz.augment_kernel import fused_kernel_available, fused_views

pytestmark = pytest.mark.skipif(not fused_kernel_available(), reason="numba not installed")


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def batch(n=12, m=2, t=50, v=25, seed=0):
    x = torch.randn(n, m, t, v, 3, generator=gen(seed))
    lengths = torch.randint(1, t + 1, (n,), generator=gen(seed + 1))
    lengths[0], lengths[1] = 1, t  # a one-frame sequence and a full one
    return x, lengths


CONFIGS = [
    AugmentConfig(out_frames=16),
    AugmentConfig(out_frames=64, min_crop_frames=64),  # the released hidden floor: up-sampling
    AugmentConfig(out_frames=1),
    AugmentConfig(out_frames=20, temporal=False),
    AugmentConfig(out_frames=24, spatial="shear", shear_amplitude=0.3),
    AugmentConfig(out_frames=24, spatial="jitter", jitter_joints=20, jitter_p_mask=0.0),
    AugmentConfig(out_frames=24, spatial="jitter", jitter_joints=0),
    AugmentConfig(out_frames=24, p_shear=0.0, jitter_p_mask=1.0),
    AugmentConfig(out_frames=24, l_min=0.5, l_max=0.5, jitter_amplitude=2.0),
]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("shape", [(2, 25), (1, 20)])  # (persons, joints)
def test_kernel_derives_the_same_windows_and_maps_and_renders_the_same_views(config, shape):
    m, v = shape
    x, lengths = batch(n=12, m=m, v=v)
    source = torch.arange(12).repeat(3)  # three views per sample
    u = draw_view_uniforms(36, v, gen(5))
    views, (start, crop, maps) = fused_views(x, lengths, source, u, config, return_params=True)
    ref_start, ref_crop, ref_maps = view_params_from_uniforms(u, lengths[source], config)
    assert torch.equal(start, ref_start) and torch.equal(crop, ref_crop)
    assert torch.equal(maps, ref_maps)
    expected = apply_joint_maps(resample_windows(x[source], start, crop, config.out_frames), maps)
    assert views.shape == (36, m, config.out_frames, v, 3)
    torch.testing.assert_close(views, expected, rtol=1e-5, atol=1e-5)


def test_render_views_picks_the_kernel_on_cpu_float32_and_the_torch_steps_otherwise():
    x, lengths = batch()
    source = torch.arange(12)
    u = draw_view_uniforms(12, 25, gen(3))
    config = AugmentConfig(out_frames=32)
    fused = render_views(x, lengths, source, u, config)
    steps = render_views(x, lengths, source, u, config, fused=False)
    as_double = render_views(x.double(), lengths, source, u, config)  # float64: torch steps
    torch.testing.assert_close(fused, steps, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(as_double, steps.double(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="float32 CPU"):
        render_views(x.double(), lengths, source, u, config, fused=True)


def test_two_views_are_independent_draws_with_the_same_numbers_on_both_paths():
    x, lengths = batch()
    a1, a2 = TwoViewAugment(AugmentConfig(out_frames=32))(x, lengths, gen(11))
    b1, b2 = TwoViewAugment(AugmentConfig(out_frames=32), fused=False)(x, lengths, gen(11))
    torch.testing.assert_close(a1, b1, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(a2, b2, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(a1, a2)


@pytest.mark.parametrize("fused", [None, False])
def test_rendering_some_samples_gives_those_rows_of_the_full_call(fused):
    x, lengths = batch()
    augment = TwoViewAugment(AugmentConfig(out_frames=16), fused=fused)
    full1, full2 = augment(x, lengths, gen(6))
    mine = torch.tensor([1, 5, 9])  # what rank 1 of 4 keeps of a batch of 12
    part1, part2 = augment(x, lengths, gen(6), samples=mine)
    assert part1.shape == (3, 2, 16, 25, 3)
    assert torch.equal(part1, full1[mine]) and torch.equal(part2, full2[mine])


def test_missing_joints_stay_zero_in_the_kernel():
    x, lengths = batch()
    x[:, 1] = 0.0  # no second person
    x[:, 0, :, 7] = 0.0  # joint 7 never tracked
    views = fused_views(
        x, lengths, torch.arange(12), draw_view_uniforms(12, 25, gen(2)), AugmentConfig()
    )
    assert views[:, 1].abs().max() == 0 and views[:, 0, :, 7].abs().max() == 0


def test_kernel_rejects_a_uniform_table_of_the_wrong_width():
    x, lengths = batch()
    with pytest.raises(ValueError, match=r"u must have shape \(12, 47\)"):
        fused_views(x, lengths, torch.arange(12), torch.rand(12, 40), AugmentConfig())


def test_without_numba_render_views_falls_back_to_the_torch_steps(monkeypatch):
    import skelviz.augment_kernel as kernel

    x, lengths = batch()
    u = draw_view_uniforms(12, 25, gen(4))
    expected = render_views(x, lengths, torch.arange(12), u, AugmentConfig(), fused=False)
    monkeypatch.setattr(kernel, "_compiled_kernel", lambda: None)  # as if numba were missing
    assert not fused_kernel_available()
    assert torch.equal(render_views(x, lengths, torch.arange(12), u, AugmentConfig()), expected)
    with pytest.raises(RuntimeError, match="needs numba"):
        fused_views(x, lengths, torch.arange(12), u, AugmentConfig())
