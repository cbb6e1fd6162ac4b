"""The meeting's slides: long tables continue on the next slide, captions speak of the chart beside them in its own
numbers, every target behind in a group is named on that group's slide, and a new kind of slide is one Section."""

from __future__ import annotations

import math

import pytest

from socialwork.data.contract.enums import METRIC_GROUP
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import metrics, staffing
from socialwork.figures.place_filter import EVERYWHERE
from socialwork.present.meeting import group_charts as slides_module
from socialwork.present.meeting import slides as meeting_module
from socialwork.present.meeting.slides import (
    ROWS_PER_SLIDE,
    WIDE_ROWS_PER_SLIDE,
    Section,
    Slide,
    meeting,
    outline,
    slide,
)
from socialwork.present.words.formatting import format_value


@pytest.fixture(scope="module")
def county():
    return meeting(LAST_SNAPSHOT, EVERYWHERE, None)


def slides_of(content, key: str) -> list[Slide]:
    return [s for s in content.slides if s.key == key]


def test_the_targets_table_continues_on_the_next_slide(county):
    report = metrics.kpi_report(LAST_SNAPSHOT)
    parts = slides_of(county, "targets")
    assert len(parts) == math.ceil(len(report.kpis) / WIDE_ROWS_PER_SLIDE) == 3  # eight columns: six rows a slide
    assert [s.title for s in parts] == [f"年度目标完成情况（{n}/3）" for n in (1, 2, 3)]
    assert all(len(s.table) <= WIDE_ROWS_PER_SLIDE for s in parts)
    assert [label for s in parts for label in s.table["指标"]] == [k.label for k in report.kpis]
    assert [code for s in parts for code in s.statuses["状态"]] == [k.status for k in report.kpis]


@pytest.mark.parametrize(("key", "lister", "count"), [("gaps", staffing.shortfall_list, 15),
                                                      ("unserved", staffing.uncovered_list, 26)])  # fmt: skip
def test_every_gap_is_on_a_slide(county, key, lister, count):
    parts = slides_of(county, key)
    assert len(parts) == math.ceil(count / ROWS_PER_SLIDE)
    shown = [name for s in parts for name in s.table.iloc[:, 1]]
    assert shown == list(lister(LAST_SNAPSHOT, None)["community_name"]) and len(shown) == count


def test_a_list_longer_than_the_slides_allow_says_where_the_rest_is(monkeypatch):
    monkeypatch.setattr(meeting_module, "ROWS_PER_SLIDE", 4)
    parts = slides_of(meeting(LAST_SNAPSHOT, EVERYWHERE, None), "unserved")
    assert len(parts) == meeting_module.MAX_TABLE_SLIDES == 3
    assert "另有 14 个村（社区）未列出" in parts[-1].caption and "另有" not in parts[0].caption


def test_every_target_behind_is_named_on_its_groups_slide(county):
    report = metrics.kpi_report(LAST_SNAPSHOT)
    for group in METRIC_GROUP.codes:
        behind = [k for k in metrics.kpis_in_groups(report, group) if k.status in ("behind", "missed")]
        [view] = slides_of(county, group)
        for kpi in behind:
            assert f"{kpi.label} {format_value(kpi.value, kpi.decimals, kpi.unit)}" in view.caption, kpi.label
        if not behind:
            assert "均已达标或进度正常" in view.caption


def test_captions_speak_of_the_chart_beside_them(county):
    [coverage] = slides_of(county, "coverage")
    communities = coverage.figure.data[0]
    assert communities.name == "有社工服务的村（社区）占比" and "2名" not in coverage.caption
    assert coverage.caption.startswith(f"有社工服务的村（社区）占比 {communities.y[-1]:.1f}%")
    [talent] = slides_of(county, "talent")
    assert talent.caption.startswith(f"持证社工 {int(talent.figure.data[0].y[-1])} 人")
    assert talent.chart.series[0][1][-1] == talent.figure.data[0].y[-1]  # the deck's chart: the same numbers
    [stations] = slides_of(county, "stations")
    drawn = dict(zip(stations.figure.data[0].x, stations.figure.data[0].y, strict=True))
    assert stations.caption.startswith(
        f"运营社工站 {sum(drawn.values())} 个，其中星级社工站 {sum(drawn.values()) - drawn['未评星']} 个"
    )


def test_every_slide_has_notes_with_its_figures(county):
    assert all(s.notes for s in county.slides)
    [talent] = slides_of(county, "talent")
    assert "持证社工年度净增：4人；目标 > 40人；差 37人（已完成 10%）；! 滞后；" in talent.notes


def test_a_new_kind_of_slide_is_one_more_section(monkeypatch):
    extra = Section("since_last", "自上次会议以来", lambda plan: 1,
                    lambda plan, part, parts: Slide("since_last", "自上次会议以来", f"{plan.stamp}"))  # fmt: skip
    monkeypatch.setattr(meeting_module, "SECTIONS", [*meeting_module.SECTIONS, extra])
    monkeypatch.setitem(meeting_module.SECTION_BY_KEY, "since_last", extra)
    plan = outline(LAST_SNAPSHOT, EVERYWHERE, None)
    assert plan.titles[-1] == "自上次会议以来" and slide(plan, len(plan.pages) - 1).key == "since_last"


def test_a_group_without_a_chart_of_its_own_shows_its_targets_as_a_table(monkeypatch):
    """A new METRIC_GROUP code needs no chart to reach the meeting (tests/test_adding_a_figure.py adds one)."""
    monkeypatch.delitem(slides_module.GROUP_CHARTS, "purchase")
    plan = outline(LAST_SNAPSHOT, EVERYWHERE, None)
    view = slide(plan, plan.keys.index("purchase"))
    kpis = metrics.kpis_in_groups(plan.report, "purchase")
    assert view.figure is None and list(view.table["指标"]) == [k.label for k in kpis] == ["本年政府购买社工服务预算"]
    assert view.title == "政府购买服务" and view.statuses == {"状态": [k.status for k in kpis]}


def test_the_list_of_slides_needs_no_kpi_report_and_the_slides_get_the_views(monkeypatch):
    """The page lists the slides without the KPI report (a township rerun of it is the quicker): the contract fixes
    how many targets and groups there are; a slide that shows targets reads the view's report."""
    from socialwork.figures import db

    db.forget_results()
    asked, real = [], metrics.kpi_report
    monkeypatch.setattr(metrics, "kpi_report", lambda *args: asked.append(args) or real(*args))
    plan = outline(LAST_SNAPSHOT, EVERYWHERE, None)
    assert asked == []
    groups = [g for g in METRIC_GROUP.codes if metrics.kpis_in_groups(real(LAST_SNAPSHOT), g)]
    assert [key for key in plan.keys if key in METRIC_GROUP.codes] == groups
    assert plan.keys.count("targets") == math.ceil(len(real(LAST_SNAPSHOT).kpis) / WIDE_ROWS_PER_SLIDE)
    assert plan.report is real(LAST_SNAPSHOT) and len(asked) == 1
