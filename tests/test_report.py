"""skelviz.report: the verdict rule on hand-made numbers, and the report's tables, figures and
HTML page from a tiny ci sweep's results (synthetic data, Table 9, two seeds)."""

from __future__ import annotations

import json

import pytest

from skelviz import report, sweep
from skelviz.report import Stat, claim_verdict, ordering, verdict

FAST = {"epochs": 2, "linear.epochs": 2, "linear.milestones": [1]}


# --- the verdict rule -------------------------------------------------------------------------
def test_ordering_compares_the_difference_of_means_with_the_larger_std():
    a = Stat((0.80, 0.82, 0.84))  # 82.0 ± 2.0
    assert ordering(a, Stat((0.70, 0.71, 0.72))) == 1  # d = 11 > 2
    assert ordering(Stat((0.70, 0.71, 0.72)), a) == -1
    assert ordering(a, Stat((0.80, 0.81, 0.82))) == 0  # d = 1 < 2
    assert ordering(a, Stat((0.790, 0.795, 0.800))) == 1  # d = 2.5 > max(2, 0.5)
    assert ordering(a, Stat((0.75, 0.80, 0.85))) == 0  # d = 2 < 5 (the other's std)
    assert ordering(a, Stat((0.10,))) == 0  # one seed: no spread, no verdict
    assert ordering(Stat(()), a) == 0


def test_verdict_is_relative_to_the_paper_s_ordering():
    high, low = Stat((0.80, 0.82, 0.84)), Stat((0.70, 0.71, 0.72))
    assert verdict(85.2, 82.5, high, low) == "agrees"
    assert verdict(82.5, 85.2, high, low) == "disagrees"  # the paper has B above A
    assert verdict(85.2, 82.5, low, high) == "disagrees"
    assert verdict(85.2, 82.5, high, Stat((0.81, 0.83, 0.85))) == "cannot tell apart"
    assert verdict(80.0, 80.0, high, low) == "cannot tell apart"  # the paper ties


def test_claim_verdict_needs_a_majority_and_half():
    assert claim_verdict(["agrees", "agrees", "cannot tell apart"]) == "agrees"
    assert claim_verdict(["agrees", "cannot tell apart", "cannot tell apart"]) == (
        "cannot tell apart"
    )
    assert claim_verdict(["agrees", "disagrees"]) == "cannot tell apart"
    assert claim_verdict(["disagrees", "disagrees", "agrees"]) == "disagrees"


def test_stat_text():
    assert Stat((0.5,)).text() == "50.0" and Stat(()).text() == ""
    assert Stat((0.5, 0.6)).text() == "55.0 ± 7.1"


# --- a tiny sweep's report --------------------------------------------------------------------
@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    plan = sweep.plan_sweep("ci", seeds=(0, 1), tables=("9",), output_dir=out, extra=FAST)
    sweep.run_sweep(plan, say=lambda *_: None)
    return out


def test_report_tables_and_claims_from_a_ci_sweep(swept):
    built = report.build_report(swept)
    assert [t.title.split(":")[0] for t in built.tables] == ["Table 9"]
    rows = built.tables[0].rows
    assert [r["l_min"] for r in rows] == ["0.1", "0.3", "0.5"]
    assert [r["paper"] for r in rows] == ["62.5", "62.0", "60.8"]
    assert all(" ± " in r["ours"] and " ± " in r["ours 1-NN"] for r in rows)  # two seeds
    [claim] = built.claims
    assert claim.key == "small_l_min" and len(claim.comparisons) == 1
    assert claim.comparisons[0].ours_a.n == 2
    summary = built.summary.rows[0]
    assert summary["verdict"] in ("agrees", "disagrees", "cannot tell apart")
    assert summary["paper Δ (NTU-60)"] in ("+0.5", "+1.7")  # vs our best of 0.3 / 0.5
    assert report.summary_markdown(built).startswith("**Claims of the paper")


def test_report_command_writes_one_offline_html_page(swept, capsys):
    page = swept / "report.html"
    report.main(["--output-dir", str(swept), "--html", str(page)])
    text = page.read_text()
    assert "Table 9" in text and text.count("data:image/png;base64,") == 2
    assert "<script" not in text and "http" not in text  # nothing to fetch: opens offline
    assert "| A small l_min" in capsys.readouterr().out


def test_schedule_table_ranks_each_table_under_both_schedules():
    def cells(**means):  # row -> one seed's linear accuracy
        return {("9", f"l_min={r}", "img"): {"linear": Stat(v)} for r, v in means.items()}

    short = cells(**{"0.1": (0.62, 0.63), "0.3": (0.60, 0.61), "0.5": (0.58, 0.57)})
    long = cells(**{"0.1": (0.70,), "0.3": (0.72,), "0.5": (0.65,)})
    short[("8", "|j|=10", "img")] = {"linear": Stat((0.5, 0.6))}  # ran under one schedule only
    table = report.schedule_table(short, long)
    rows = {r["setting"]: (r["rank (ablation)"], r["rank (profile)"], r["same rank"])
            for r in table.rows}  # fmt: skip
    assert rows == {
        "l_min=0.1 (IMG)": ("1", "2", "no"),
        "l_min=0.3 (IMG)": ("2", "1", "no"),
        "l_min=0.5 (IMG)": ("3", "3", "yes"),
    }
    assert "1 seed(s)" in table.notes[0]
    assert report.schedule_table(short, {}) is None


def test_report_compares_schedules_when_the_profile_schedule_ran(swept):
    """`ci`'s ablation schedule is the profile itself, so the profile sweep finds every run done
    and both schedules rank the cells alike."""
    plan = sweep.plan_sweep("ci", seeds=(0, 1), tables=("9",), output_dir=swept, extra=FAST,
                            schedule="profile")  # fmt: skip
    sweep.run_sweep(plan, say=lambda *_: None)
    built = report.build_report(swept)
    assert built.schedule_check is not None and len(built.schedule_check.rows) == 3
    assert {r["same rank"] for r in built.schedule_check.rows} == {"yes"}
    assert report.build_report(swept, "profile").schedule_check is None


def test_stored_results_rebuild_the_same_report(swept, tmp_path, capsys):
    built = report.build_report(swept)
    stored = report.export_results(built, tmp_path / "results.json")
    again = report.load_results(stored)
    assert report.summary_markdown(again) == report.summary_markdown(built)
    assert [t.rows for t in again.tables] == [t.rows for t in built.tables]
    assert again.curves == built.curves and again.manifest == built.manifest
    assert "1-NN" in built.summary_knn.title and again.summary_knn.rows == built.summary_knn.rows
    assert [r["claim"] for r in built.summary_knn.rows] == [r["claim"] for r in built.summary.rows]
    assert (again.schedule_check is None) == (built.schedule_check is None)
    page = tmp_path / "page.html"
    report.main(["--results", str(stored), "--html", str(page)])
    assert "Table 9" in page.read_text() and "| A small l_min" in capsys.readouterr().out
    (tmp_path / "bad.json").write_text('{"format": 1, "values": []}')
    with pytest.raises(ValueError, match="bad.json: not stored ablation results"):
        report.load_results(tmp_path / "bad.json")
    with pytest.raises(FileNotFoundError, match="none.json"):
        report.load_results(tmp_path / "none.json")


def test_missing_manifest_names_the_sweep_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="skelviz.sweep"):
        report.build_report(tmp_path)


def test_figure6_curves_need_table5_runs(swept):
    manifest = json.loads((swept / "sweep-ablation.json").read_text())
    assert report.figure6_curves(swept, manifest, "img") == {}  # Table 9 only
    fig = report.plot_figure6({"none": {"loss": [3.0, 2.0], "accuracy": [0.5, 0.9]}}, "seq")
    assert len(fig.axes) == 2
