"""Plan figures and target statuses on the hand-built fixture county (see tests/fixture_county.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from socialwork.data.contract.plan_figures import ADDITIVE_FIGURES, METRIC
from socialwork.figures import metrics
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.words.formatting import net_and_gross_lines
from tests.fixture_county import COUNTY_FIGURES_NOV_2024, NOV_2024, SNAPSHOTS, T1


def kpis(store, as_of, places=EVERYWHERE):
    report = metrics.kpi_report(as_of, places, store)
    return report, {k.metric_key: k for k in report.kpis}


def figures(store, as_of, places=EVERYWHERE):
    return metrics.figures_by_snapshot(as_of, as_of, places, store).loc[as_of]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2023, 12, 31), None),  # no snapshot on or before 2022-12-31
        (date(2024, 6, 30), date(2023, 12, 31)),
        (NOV_2024, date(2023, 12, 31)),
        (date(2025, 3, 31), NOV_2024),  # December 2024 is missing: the latest before it stands in
    ],
)
def test_baseline_is_latest_snapshot_on_or_before_previous_year_end(as_of, expected):
    assert metrics.baseline_date(as_of, SNAPSHOTS) == expected


@pytest.mark.parametrize(
    ("as_of", "net", "gross"),
    [
        # 2024-06-30: p1 p2 p3 p4 p9 certified (5) against p1 p2 p4 p6 at the baseline (4); gross p3 only,
        # since p9 transferred in with an old certificate.
        (date(2024, 6, 30), 1, 1),
        # 2024-11-30: + p5, p10 -> 7; gross p3 p5 p10.
        (NOV_2024, 3, 3),
        # 2025-03-31 against 2024-11-30 (no December snapshot): + p8 -> 8; gross p8.
        (date(2025, 3, 31), 1, 1),
    ],
)
def test_net_and_gross_certified_increase(fixture_store, as_of, net, gross):
    _, by_key = kpis(fixture_store, as_of)
    assert by_key["certified_net_increase"].value == net
    assert figures(fixture_store, as_of)["certified_gained_this_year"] == gross


def test_net_and_gross_are_explained_without_asserting_a_cause():
    def kpi(value, gross, baseline):
        return metrics.Kpi("certified_net_increase", "持证社工年度净增", None, "人", 0, value, None, None, None,
                           "no_goal", "无目标", None, None, baseline, "", gross_value=gross)  # fmt: skip

    # A November baseline: a December certificate counts in the net increase, not in this year's first certificates.
    assert net_and_gross_lines(kpi(5.0, 3.0, NOV_2024)) == [
        "净增 5人（持证人数较上年末的变化）；本年首次取证 3人（本年内首次取得证书的人数）",
        "两者相差 2人，可能来自持证人员进出名册（调入、调出、离职等），或2024年11月30日之后至上年末取得的"
        "证书；名册不记录具体原因",
    ]
    assert net_and_gross_lines(kpi(1.0, 3.0, date(2024, 12, 31)))[1] == (
        "两者相差 2人，可能来自持证人员进出名册（调入、调出、离职等）；名册不记录具体原因"
    )
    assert net_and_gross_lines(kpi(3.0, 3.0, date(2024, 12, 31))) == [
        "净增 3人（持证人数较上年末的变化）；本年首次取证 3人（本年内首次取得证书的人数）"
    ]


def test_a_metric_without_a_goal_this_year_still_shows_as_no_goal(fixture_store):
    report, by_key = kpis(fixture_store, NOV_2024)
    assert [k.metric_key for k in report.kpis] == list(METRIC.codes)  # every metric, in the contract's order
    assert sum(k.target_label is not None for k in report.kpis) == 6  # the fixture's 2024 targets
    stations = by_key["stations_operating"]
    assert (stations.value, stations.goal, stations.status, stations.status_label) == (2.0, None, "no_goal", "无目标")
    assert stations.note == "2024年目标表中没有该指标的目标" and report.note == ""
    assert by_key["talent_cards_this_year"].label == "本年发放“测试英才卡”"  # the fixture store's card name


def test_net_increase_without_baseline_has_no_value(fixture_store):
    report, by_key = kpis(fixture_store, date(2023, 12, 31))
    assert by_key["certified_net_increase"].value is None
    assert report.baseline_date is None


def test_year_without_targets_shows_values_and_says_why(fixture_store):
    report, by_key = kpis(fixture_store, date(2023, 12, 31))
    assert "2023年在目标表中没有任何目标" in report.note
    assert {k.status for k in report.kpis} <= {"no_goal", "no_data"}
    assert by_key["active_organisations"].value == 1  # O1 only: O2 registers in 2024, O3 is deregistered
    assert all(k.goal is None for k in report.kpis)


def test_county_figures_at_november_2024(fixture_store):
    row = figures(fixture_store, NOV_2024)
    assert set(COUNTY_FIGURES_NOV_2024) == {f.key for f in ADDITIVE_FIGURES}, "every additive figure, worked by hand"
    assert {k: row[k] for k in COUNTY_FIGURES_NOV_2024} == COUNTY_FIGURES_NOV_2024


def test_township_figures_at_november_2024(fixture_store):
    row = figures(fixture_store, NOV_2024, Places.townships([T1]))
    expected = {
        "certified_workers": 4, "townships": 1, "townships_served": 1, "communities": 2, "communities_served": 2,
        "urban_communities": 2, "certified_in_urban_communities": 4, "urban_communities_2plus": 2,
        "posts": 1, "active_organisations": 1, "supervision_sessions": 1, "exam_tutoring_sessions": 0,
        "purchase_projects": 1, "purchase_budget_wan": 8.0,
    }  # fmt: skip
    assert {k: row[k] for k in expected} == expected


def test_scale_free_values_and_statuses_for_the_county(fixture_store):
    _, by_key = kpis(fixture_store, NOV_2024)
    assert by_key["certified_per_urban_community"].value == pytest.approx(5 / 3)
    assert by_key["urban_communities_2plus_share"].value == pytest.approx(200 / 3)
    assert by_key["communities_served_share"].value == pytest.approx(500 / 6)
    share = by_key["community_worker_certified_share"]
    assert share.value == pytest.approx(600 / 7)
    assert share.goal == pytest.approx(60.0)  # the baseline's 3 of 5 community workers
    assert share.status == "met"
    assert by_key["active_organisations"].status == "met"


def test_pace_and_status_of_an_annual_target(fixture_store):
    _, by_key = kpis(fixture_store, NOV_2024)
    net = by_key["certified_net_increase"]
    fraction = 335 / 366  # 2024 is a leap year
    assert metrics.year_fraction(NOV_2024) == pytest.approx(fraction)
    assert net.expected_now == pytest.approx(41 * fraction)  # "> 40" people means 41
    assert net.status == "behind"
    assert net.previous_value == 1  # the net increase at 2024-06-30


def test_pace_of_a_level_target_starts_from_the_baseline(fixture_store):
    _, by_key = kpis(fixture_store, NOV_2024)
    average = by_key["certified_per_urban_community"]
    # Baseline 2023-12-31: C11 has 2, C12 0, C21 1 -> 1.0 on average; goal 2.
    assert average.expected_now == pytest.approx(1 + (2 - 1) * 335 / 366)
    assert average.status == "behind"


def test_township_filter_turns_county_targets_into_contributions(fixture_store):
    _, by_key = kpis(fixture_store, NOV_2024, Places.townships([T1]))
    net = by_key["certified_net_increase"]
    assert (net.value, net.status, net.goal) == (2, "contribution", None)
    assert "乡镇筛选下显示所选乡镇的贡献" in net.note
    assert by_key["certified_per_urban_community"].value == 2.0
    assert by_key["certified_per_urban_community"].status == "met"
    assert by_key["urban_communities_2plus_share"].status == "met"
    share = by_key["community_worker_certified_share"]
    assert share.goal == pytest.approx(200 / 3)  # T1's baseline: p1 p2 certified of p1 p2 p3
    assert share.value == 100.0


@pytest.mark.parametrize(
    ("value", "goal", "comparator", "expected", "as_of", "status"),
    [
        (41, 40, "gt", None, date(2024, 5, 31), "met"),
        (40, 40, "gt", None, date(2024, 12, 31), "missed"),
        (40, 40, "ge", None, date(2024, 12, 31), "met"),
        (20, 40, "gt", 16.0, date(2024, 5, 31), "on_track"),
        (10, 40, "gt", 16.0, date(2024, 5, 31), "behind"),
        (60, 60, "gt_baseline", 60.0, date(2024, 5, 31), "behind"),
        (None, 40, "gt", None, date(2024, 5, 31), "no_data"),
        (5, None, "ge", None, date(2024, 5, 31), "no_goal"),
    ],
)
def test_status_rules(value, goal, comparator, expected, as_of, status):
    assert metrics.status_of(value, goal, comparator, expected, as_of) == status


def test_township_scorecard_values_statuses_and_worst_first(fixture_store):
    card = metrics.township_scorecard(NOV_2024, EVERYWHERE, fixture_store)
    frame = card.frame.set_index("township_name")
    assert list(card.frame["township_name"]) == ["乙镇", "丙乡", "甲街道"]  # 2 unmet, 1 unmet, 0 unmet
    assert frame.loc["甲街道", "certified_per_urban_community"] == 2.0
    assert frame.loc["乙镇", "certified_per_urban_community"] == 1.0
    assert pd.isna(frame.loc["丙乡", "certified_per_urban_community"])  # no urban community
    assert frame.loc["丙乡", "certified_per_urban_community__status"] == "no_data"
    assert frame.loc["丙乡", "communities_served_share"] == 50.0  # C31 served (p8), C32 not
    # 乙镇's community workers: p4 p5 both certified now; at the baseline p4 of p4 p5 -> 50 %.
    assert frame.loc["乙镇", "community_worker_certified_share"] == 100.0
    assert frame.loc["乙镇", "community_worker_certified_share__status"] == "met"
    assert frame.loc["乙镇", "unmet_targets"] == 2
    assert frame.loc["甲街道", "unmet_targets"] == 0


def test_township_scorecard_respects_the_filter(fixture_store):
    card = metrics.township_scorecard(NOV_2024, Places.townships([T1]), fixture_store)
    assert list(card.frame["township_code"]) == [T1]


def test_milestone_overdue_when_due_before_the_as_of_date_and_not_done(fixture_store):
    frame = metrics.milestones(NOV_2024, fixture_store).set_index("milestone_id")
    assert frame.loc["M1", "timeline_status"] == "done"  # done 2023-08-09, due 2023-08-10
    assert frame.loc["M2", "timeline_status"] == "overdue"  # due 2024-06-30, not done
    assert frame.loc["M2", "days_overdue"] == 153
    early = metrics.milestones(date(2023, 12, 31), fixture_store).set_index("milestone_id")
    assert early.loc["M2", "timeline_status"] == "not_started"  # starts 2024-01-01
    mid = metrics.milestones(date(2024, 6, 30), fixture_store).set_index("milestone_id")
    assert mid.loc["M2", "timeline_status"] == "on_time"  # due that very day


def test_projection_of_an_annual_target(fixture_store):
    _, by_key = kpis(fixture_store, date(2024, 6, 30))
    projection = by_key["certified_net_increase"].projection
    assert projection.linear == pytest.approx(1 / (182 / 366))
    assert projection.seasonal is None  # the fixture has no earlier complete year
    assert projection.remaining == 40  # "> 40" means 41 people; 1 so far
    assert by_key["certified_net_increase"].gross_value == 1


def test_a_county_total_named_in_a_township_note_is_worded_as_on_its_card():
    """One formatter: a province's budget goal reads 126.30亿元 in the note as on the card, not 1,263,047.0万元."""
    from socialwork.figures.metrics.report import evaluate

    figures = pd.DataFrame({"purchase_budget_wan": [10.0]}, index=[NOV_2024])
    target = pd.Series({"comparator": "ge", "scope": "county", "goal_value": 1_263_047.0, "target_label": "预算"})
    kpi = evaluate(metrics.SPECS["purchase_budget_wan"], target, figures, NOV_2024, None, filtered=True)
    assert kpi.note.startswith("全县总量目标（126.30亿元）")


def test_chosen_townships_without_a_row_at_a_date_count_zero_there(fixture_store):
    """Every snapshot keeps its row under a township filter: none of anything, not a missing date."""
    frame = metrics.figures_by_snapshot(SNAPSHOTS[0], SNAPSHOTS[-1], Places.townships(["999999999"]), fixture_store)
    assert list(frame.index) == SNAPSHOTS
    assert (frame == 0).all().all()
