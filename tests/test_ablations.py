"""skelviz.ablations: the sweep's cells against the paper's tables, typed here from the paper
(Section 4.4, Tables 5 and 6; Appendix A.3, Tables 8 and 9; Appendix A.4, Table 10)."""

from __future__ import annotations

from collections import Counter

import pytest

from skelviz import ablations
from skelviz.runs.config import resolve_config

# Table 5 of the paper: (temporal, pose, jitter) -> (IMG, STG, SEQ)
TABLE5 = {
    (0, 0, 0): (51.0, 51.4, 50.0),
    (1, 0, 0): (62.5, 53.5, 64.1),
    (0, 1, 0): (69.8, 63.8, 71.7),
    (0, 0, 1): (74.6, 66.1, 75.2),
    (1, 1, 0): (73.2, 69.3, 73.8),
    (1, 0, 1): (77.0, 68.3, 80.0),
    (1, 1, 1): (79.6, 72.5, 82.5),
}
TABLE6_INTER = {"img+stg": {"img": 80.0, "stg": 78.0}, "img+seq": {"img": 81.7, "seq": 83.0},
                "seq+stg": {"stg": 78.9, "seq": 85.2},
                "img+seq+stg": {"img": 81.2, "stg": 81.6, "seq": 85.4}}  # fmt: skip


def by_table(num_joints=25):
    cells = ablations.cells(num_joints=num_joints)
    return {t: [c for c in cells if c.table == t] for t in ablations.TABLES}


def test_cell_counts_match_the_paper():
    counts = Counter(c.table for c in ablations.cells(num_joints=20))
    assert counts == {"5": 21, "6": 12, "8": 5, "9": 3, "10": 12}


def test_table5_rows_switch_exactly_the_named_augmentations():
    for cell in by_table()["5"]:
        augs = tuple(cell.row.split("+")) if cell.row != "none" else ()
        flags = tuple(int(a in augs) for a in ("temporal", "pose", "jitter"))
        assert cell.paper == TABLE5[flags][("img", "stg", "seq").index(cell.probe)]
        config = resolve_config("ci", **cell.overrides(0))
        aug = config.augment
        assert (aug.l_min < 1.0) == bool(flags[0])  # temporal off: the whole sequence
        expected = {(0, 0): "none", (1, 0): "shear", (0, 1): "jitter", (1, 1): "random"}
        assert aug.spatial == expected[flags[1:]]
        assert config.encoder.representations == (cell.probe,)
        assert config.linear.representation == cell.probe == config.knn.representation


def test_table6_intra_and_inter_rows():
    cells = by_table()["6"]
    intra = [c for c in cells if c.row.startswith("intra")]
    assert sorted(c.probe for c in intra) == ["img", "seq", "stg"]
    assert all(c.paper == TABLE5[(1, 1, 1)][("img", "stg", "seq").index(c.probe)] for c in intra)
    inter = {}
    for c in cells:
        if c.row.startswith("inter"):
            inter.setdefault(c.row.split(" ")[1], {})[c.probe] = c.paper
            assert "+".join(c.representations) == c.row.split(" ")[1]
            assert c.pretrain["spatial"] == "random" and "l_min" not in c.pretrain
    assert inter == TABLE6_INTER


def test_table8_scales_jittered_joints_to_the_layout():
    assert ablations.jitter_joint_counts(25) == {2: 2, 5: 5, 10: 10, 15: 15, 20: 20}
    assert ablations.jitter_joint_counts(20) == {2: 2, 5: 4, 10: 8, 15: 12, 20: 16}
    cells = by_table(num_joints=20)["8"]
    assert [c.paper for c in cells] == [65.6, 67.5, 69.4, 74.6, 70.6]
    counts = [resolve_config("ci", **c.overrides(0)).augment.jitter_joints for c in cells]
    assert counts == [2, 4, 8, None, 16]  # 12 of 20 is the default: shares Table 5's run
    for c in cells:
        assert c.probe == "img" and c.pretrain["spatial"] == "jitter"
        assert c.pretrain["l_min"] == 1.0  # only the relevant augmentation
    with pytest.raises(ValueError, match="num_joints"):
        ablations.jitter_joint_counts(1)


def test_table9_l_min_with_temporal_crop_only():
    cells = by_table()["9"]
    assert [(c.pretrain["l_min"], c.paper) for c in cells] == [(0.1, 62.5), (0.3, 62.0),
                                                               (0.5, 60.8)]  # fmt: skip
    assert all(c.pretrain["spatial"] == "none" and c.probe == "img" for c in cells)


def test_table10_single_and_combined_rows():
    cells = by_table()["10"]
    rows = {(c.row, c.probe): c for c in cells}
    assert len(rows) == 12
    assert rows[("intra separately", "seq+stg")].separately
    assert rows[("intra separately", "seq+stg")].paper == 84.5
    assert rows[("inter", "seq+stg")].paper == 86.0
    assert rows[("inter", "img")].representations == ("img", "seq")  # the paper's 81.7
    assert rows[("inter", "stg")].representations == ("seq", "stg")
    config = resolve_config("ci", **rows[("intra separately", "img+stg")].overrides(1))
    assert config.linear.separately and config.linear.representation == "img+stg"
    assert config.run.seed == 1


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown table"):
        ablations.cells(["7"])
    with pytest.raises(ValueError, match="seed"):
        ablations.cells(["9"])[0].overrides(-1)
    with pytest.raises(ValueError, match="unknown augmentation"):
        ablations.augment_overrides(("rotate",))
    with pytest.raises(ValueError, match="unknown profile"):
        ablations.schedule_overrides("huge")


def test_the_default_nucla_sweep_is_modelled_under_three_hours():
    """The schedule's budget: 3 seeds of every table on N-UCLA (20 joints), two workers."""
    schedule = ablations.schedule_overrides("default")
    pretrain, linear, knn = set(), set(), set()
    for seed in (0, 1, 2):
        for c in ablations.cells(num_joints=20):
            reps = c.probe.split("+") if c.separately else c.representations
            for r in reps if c.separately else [None]:
                over = c.pretrain_overrides(seed) | ({"representations": r} if r else {})
                pretrain.add(tuple(sorted((k, str(v)) for k, v in over.items())))
            linear.add((c.probe, tuple(sorted((k, str(v)) for k, v in c.overrides(seed).items()))))
            if "knn" in c.tasks:
                knn.add(tuple(sorted((k, str(v)) for k, v in c.overrides(seed).items())))
    reps = [dict(p)["representations"].split("+") for p in pretrain]
    seconds = ablations.estimate_seconds(
        reps, [p for p, _ in linear], len(knn), schedule["epochs"], schedule["linear.epochs"],
        workers=2,
    )  # fmt: skip
    assert seconds < 3 * 3600
