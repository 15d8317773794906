"""Cross-view positives (beyond the paper): which recordings show one performance, how partners are
drawn, that the key view is rendered from the partner, and that the option keeps old run keys."""

import numpy as np
import pytest
import torch

from skelviz.augment import AugmentConfig, TwoViewAugment, draw_view_uniforms, render_views
from skelviz.dataset import SkeletonDataset
from skelviz.performances import CameraPartners, performance_ids
from skelviz.runs.api import run
from skelviz.runs.config import ConfigError, resolve_config
from skelviz.runs.data import RunData, fingerprint
from skelviz.skeleton import KINECT_V1_20

# a01_s01_e00 filmed by views 1, 2, 3; a01_s02_e00 by views 1 and 2; a02_s01_e01 by view 3 only
NAMES = ("a01_s01_e00_v01", "a01_s01_e00_v02", "a01_s01_e00_v03", "a01_s02_e00_v01",
         "a01_s02_e00_v02", "a02_s01_e01_v03")  # fmt: skip


def nucla_like(names=NAMES, name="nw-ucla", frames=(6, 9, 7, 8, 10, 5)) -> SkeletonDataset:
    rng = np.random.default_rng(0)
    n = len(names)
    seqs = [rng.normal(size=(1, t, 20, 3)).astype(np.float32) for t in frames[:n]]
    views = [int(s[-2:]) if s[-3] == "v" else 0 for s in names]
    return SkeletonDataset(name, KINECT_V1_20, seqs, np.zeros(n), ("a",), np.zeros(n), views,
                           tuple(names))  # fmt: skip


def test_performance_ids_group_the_cameras_of_one_performance():
    ids = performance_ids(nucla_like())
    assert ids[0] == ids[1] == ids[2] and ids[3] == ids[4]
    assert len({ids[0], ids[3], ids[5]}) == 3
    ntu = nucla_like(("S001C001P001R001A001", "S001C002P001R001A001", "S001C001P001R002A001"),
                     name="ntu60")  # fmt: skip
    ntu.views = np.array([1, 2, 1])
    assert list(performance_ids(ntu)) == [0, 0, 1]


@pytest.mark.parametrize(
    "names,name,match",
    [(NAMES, "synthetic", "synthetic: no recordings"),
     (("a01_s01_e00_v01", "walk_01"), "nw-ucla", "'walk_01' does not match")],
)  # fmt: skip
def test_datasets_without_camera_partners_are_named(names, name, match):
    with pytest.raises(ValueError, match=match):
        performance_ids(nucla_like(names, name))


def test_partners_are_the_other_views_of_the_same_performance():
    partners = CameraPartners(nucla_like())
    assert list(partners.counts) == [2, 2, 2, 1, 1, 0]
    assert sorted(partners.table[0, :2]) == [1, 2] and sorted(partners.table[2, :2]) == [0, 1]
    assert partners.table[3, 0] == 4 and partners.table[4, 0] == 3


def test_draw_keeps_the_sample_at_p0_and_takes_a_partner_at_p1():
    partners, samples = CameraPartners(nucla_like()), np.array([0, 1, 2, 3, 4, 5, 0, 3])
    gen = torch.Generator().manual_seed(0)
    assert list(partners.draw(samples, 0.0, gen)) == list(samples)
    ids, views = performance_ids(nucla_like()), nucla_like().views
    for _ in range(20):
        keys = partners.draw(samples, 1.0, gen)
        assert keys[5] == 5  # no partner: the sample itself
        has = samples != 5
        assert (ids[keys] == ids[samples]).all() and (views[keys[has]] != views[samples[has]]).all()
    # both partners of sample 0 are drawn over many draws
    drawn = {int(partners.draw(np.array([0]), 1.0, gen)[0]) for _ in range(50)}
    assert drawn == {1, 2}


def test_key_view_is_rendered_from_the_partner_row():
    gen = lambda: torch.Generator().manual_seed(3)  # noqa: E731
    x = torch.randn(4, 1, 12, 20, 3, generator=torch.Generator().manual_seed(0))  # 2 + 2 rows
    lengths = torch.tensor([12, 9, 11, 7])
    config = AugmentConfig(out_frames=8)
    augment = TwoViewAugment(config)
    query, key = augment(x, lengths, gen(), key_rows=torch.tensor([3, 2]))
    u = draw_view_uniforms(4, 20, gen())  # the same numbers: one row per view, 2 samples
    torch.testing.assert_close(query, render_views(x, lengths, torch.tensor([0, 1]), u[:2], config))
    torch.testing.assert_close(key, render_views(x, lengths, torch.tensor([3, 2]), u[2:], config))
    # key_rows pointing at the samples themselves is the paper's pair, number for number
    same = augment(x[:2], lengths[:2], gen(), key_rows=torch.tensor([0, 1]))
    plain = augment(x[:2], lengths[:2], gen())
    for a, b in zip(same, plain):
        torch.testing.assert_close(a, b)


def test_the_option_is_a_probability():
    with pytest.raises(ConfigError, match="cross_view_positives: must lie in"):
        resolve_config("ci", cross_view_positives=1.5)
    # its hash (only away from 0, so that older runs keep their keys): test_run_config.py


def _pretrain(tmp_path, dataset, p):
    names = tuple(f"a{c:02d}_s{s:02d}_e00_v{v:02d}" for c in (1, 2) for s in range(1, 9)
                  for v in (1, 2))  # fmt: skip
    data = nucla_like(names, dataset, frames=[8 + i % 5 for i in range(len(names))])
    data.labels = np.array([int(n[1:3]) - 1 for n in names])
    data.class_names = ("a", "b")
    run_data = RunData(data.subset(range(24)), data.subset(range(24, 32)), "cv", fingerprint(data))
    config = resolve_config(
        "ci", representations="seq", preset="tiny", embed_dim=8, queue_size=8, batch_size=8,
        epochs=2, frames=8, min_steps_per_epoch=0, cross_view_positives=p, device="cpu",
    )  # fmt: skip
    return run("pretrain", config, data=run_data, output_dir=tmp_path, progress=False,
               say=lambda *_: None)  # fmt: skip


def test_pretraining_with_cross_view_positives_trains_and_differs(tmp_path):
    paper = _pretrain(tmp_path / "a", "nw-ucla", 0.0)
    partnered = _pretrain(tmp_path / "b", "nw-ucla", 1.0)
    assert len(partnered.history["steps"]["loss"]) == 2 * 3
    assert np.isfinite(partnered.history["steps"]["loss"]).all()
    assert partnered.history["steps"]["loss"] != paper.history["steps"]["loss"]
    assert partnered.folder.root != paper.folder.root


def test_cross_view_positives_on_a_dataset_without_partners_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cross_view_positives: synthetic"):
        _pretrain(tmp_path, "synthetic", 0.5)
