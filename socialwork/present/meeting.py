"""What a review meeting sees: the same slides for presentation mode, the PPTX deck and the PDF report.

Each slide is a title, a one-line caption written from the figures, and a chart or a table, so the
presentation view, the deck and the report always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from socialwork.data import identity, settings
from socialwork.data.contract import METRIC_GROUP, URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.figures import changes, measures, metrics, posts, staffing
from socialwork.figures.metrics import Kpi, KpiReport
from socialwork.figures.parallel import together
from socialwork.present import change_tables, charts, followup_tables
from socialwork.present.formatting import (
    as_of_stamp,
    format_value,
    goal_text,
    incentive_series,
    scope_text,
    sessions_by_month,
    shortfall_table,
    star_frame,
)

MAX_TABLE_ROWS = 14
TARGETS_SLIDE, GAPS_SLIDE = "targets", "gaps"
SINCE_SLIDE, FOLLOWUPS_SLIDE = "since", "followups"  # from meeting to meeting (see meeting_slide_keys)
SLIDE_TITLES = {
    TARGETS_SLIDE: "年度目标完成情况",
    GAPS_SLIDE: "城市社区持证社工缺口清单",
    SINCE_SLIDE: "自上次会议以来",
    FOLLOWUPS_SLIDE: "上次会议督办事项落实情况",
} | METRIC_GROUP.labels


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    caption: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None


def meeting_title(county: identity.County) -> str:
    """e.g. 云溪县社会工作人才支持专项工作推进情况"""
    return f"{county.title}推进情况"


def stamp_text(as_of: date, scope: str) -> str:
    return f"{as_of_stamp(as_of)} · 范围：{scope}"


@dataclass(frozen=True)
class Outline:
    """The meeting without its slides' charts and tables: what the page lists, from the KPI report alone.
    Presentation mode builds only the slide on screen (slide())."""

    county: identity.County
    as_of: date
    scope: str
    report: KpiReport
    keys: tuple[str, ...]  # the targets slide, each metric group, the gaps slide, then since the last meeting

    @property
    def title(self) -> str:
        return meeting_title(self.county)

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(SLIDE_TITLES[key] for key in self.keys)

    @property
    def stamp(self) -> str:
        return stamp_text(self.as_of, self.scope)


@dataclass(frozen=True)
class Meeting:
    county: identity.County
    as_of: date
    scope: str
    slides: tuple[Slide, ...]

    @property
    def title(self) -> str:
        return meeting_title(self.county)

    @property
    def stamp(self) -> str:
        return stamp_text(self.as_of, self.scope)


def caption_for(kpi: Kpi) -> str:
    """One sentence from the figures, e.g. 持证社工年度净增 36人，距目标 41人尚差 5人."""
    value = format_value(kpi.value, kpi.decimals, kpi.unit)
    if kpi.value is None:
        return f"{kpi.label}暂无数据"
    if kpi.status == "contribution":
        return f"{kpi.label} {value}（全县总量目标，此为所选乡镇的贡献）"
    if kpi.goal is None:
        return f"{kpi.label} {value}"
    threshold = kpi.goal + (1 if kpi.comparator == "gt" and kpi.decimals == 0 else 0)
    goal = format_value(threshold, kpi.decimals, kpi.unit)
    if kpi.status == "met":
        return f"{kpi.label} {value}，已达到目标 {goal}"
    if threshold - kpi.value <= 0:  # equal to a goal it must exceed (e.g. above last year-end)
        return f"{kpi.label} {value}，需高于 {goal}"
    gap = format_value(threshold - kpi.value, kpi.decimals, kpi.unit)
    return f"{kpi.label} {value}，距目标 {goal} 尚差 {gap}"


def _group_caption(kpis: list[Kpi]) -> str:
    with_goal = [k for k in kpis if k.goal is not None or k.status == "contribution"] or kpis
    return "；".join(caption_for(k) for k in with_goal[:2])


def _summary_slide(report: KpiReport) -> Slide:
    counts = metrics.status_counts(report)
    caption = f"{report.plan_year}年度 {len(report.kpis)} 项目标：" + "，".join(
        f"{label} {n} 项" for label, n in counts.values()
    )
    table = pd.DataFrame(
        {
            "指标": [k.label for k in report.kpis],
            "当前值": [format_value(k.value, k.decimals, k.unit) for k in report.kpis],
            "目标": [goal_text(k) for k in report.kpis],
            "状态": [k.status_label for k in report.kpis],
        }
    )
    return Slide(TARGETS_SLIDE, SLIDE_TITLES[TARGETS_SLIDE], caption, table=table)


def _group_figure(
    group: str, as_of: date, townships: list[str] | None, data: Path | None, county: identity.County
) -> go.Figure:
    if group == "talent":
        trend = metrics.figures_by_snapshot(metrics.first_date(data), as_of, townships, data)
        return charts.certified_trend(trend, "持证社会工作者人数")
    if group == "coverage":
        trend = staffing.share_meeting_minimum_trend(as_of, townships, data)
        return charts.share_trend(trend, 100, f"持证社工≥{URBAN_COMMUNITY_MIN_CERTIFIED}名的城市社区占比")
    if group == "stations":
        stars = star_frame(measures.stations_by_star_rating(as_of, townships, data))
        return charts.bar_chart(stars, "星级", "社工站", "社工站星级分布", "社工站（个）")
    if group == "posts":
        return charts.sector_posts_bars(posts.posts_by_sector(as_of, townships, data), "各领域社会工作岗位")
    if group == "training":
        wide, series = sessions_by_month(measures.activities_by_month(as_of, townships, data))
        return charts.grouped_bars(wide, "month", series, "每月活动场次", "场次", stacked=True)
    if group == "incentives":
        frame = measures.incentives_by_year(as_of, townships, data).astype({"year": str})
        series = incentive_series(county.talent_card)
        return charts.grouped_bars(frame, "year", series, incentives_chart_title(county), "张 / 人")
    frame = measures.purchase_budget_by_year(as_of, townships, data).astype({"plan_year": str})
    return charts.bar_chart(frame, "plan_year", "budget_wan", "各年度购买服务预算", "万元", text_format="{:,.1f}")


def incentives_chart_title(county: identity.County) -> str:
    """e.g. “云溪英才卡”与人才奖励"""
    return f"“{county.talent_card}”与人才奖励"


def _gap_slide(as_of: date, townships: list[str] | None, data: Path | None) -> Slide:
    gaps = shortfall_table(staffing.shortfall_list(as_of, townships, data, max_rows=MAX_TABLE_ROWS))
    summary = staffing.staffing_summary(as_of, townships, data)
    below = int(summary["urban_communities_below_minimum"])
    caption = (
        f"持证社工不足{URBAN_COMMUNITY_MIN_CERTIFIED}名的城市社区 {below} 个，"
        f"合计缺口 {int(summary['total_shortfall'])} 人；无社工服务的村（社区）"
        f"{int(summary['communities_without_social_worker'])} 个"
    )
    if below > MAX_TABLE_ROWS:
        caption += f"（表中列出缺口最大的 {MAX_TABLE_ROWS} 个）"
    return Slide(GAPS_SLIDE, SLIDE_TITLES[GAPS_SLIDE], caption, table=gaps)


def meeting_slide_keys(as_of: date, data: Path | None) -> tuple[str, ...]:
    """The slides that look back to the last meeting: what changed since (when there is an earlier snapshot) and
    how its follow-up items stand (when a meeting was recorded before this snapshot's)."""
    start = changes.since(as_of, data)
    return (SINCE_SLIDE,) * (start.from_date is not None) + (FOLLOWUPS_SLIDE,) * (start.meeting is not None)


def _since_slide(as_of: date, townships: list[str] | None, data: Path | None) -> Slide:
    """自上次会议以来: the changes from the snapshot the last meeting reviewed (or the previous one) to this one."""
    start = changes.since(as_of, data)
    compared = changes.compare(start.from_date, as_of, townships, data)
    caption = change_tables.slide_caption(compared, start.meeting)
    table = change_tables.slide_table(compared)
    return Slide(SINCE_SLIDE, SLIDE_TITLES[SINCE_SLIDE], caption, table=table if len(table) else None)


def _followups_slide(as_of: date, townships: list[str] | None, data: Path | None) -> Slide:
    """上次会议督办事项落实情况: the last meeting's items in the filter, overdue and open ones first."""
    view = followup_tables.load(as_of, townships, data)
    caption, table = followup_tables.slide_parts(view) or ("尚未记录会议。", None)
    table = table if table is not None and len(table) else None
    return Slide(FOLLOWUPS_SLIDE, SLIDE_TITLES[FOLLOWUPS_SLIDE], caption, table=table)


def outline(
    as_of: date, townships: list[str] | None, township_names: list[str] | None, data: Path | None = None
) -> Outline:
    """The meeting's slides by key and title, for the snapshot and filter."""
    report = metrics.kpi_report(as_of, townships, data)
    groups = tuple(group for group in METRIC_GROUP.codes if metrics.kpis_in_groups(report, group))
    keys = (TARGETS_SLIDE, *groups, GAPS_SLIDE, *meeting_slide_keys(as_of, data))
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    return Outline(county, as_of, scope_text(township_names), report, keys)


def slide(plan: Outline, index: int, townships: list[str] | None, data: Path | None = None) -> Slide:
    """One slide of the outline, with its chart or table."""
    key = plan.keys[index]
    if key == TARGETS_SLIDE:
        return _summary_slide(plan.report)
    if key == GAPS_SLIDE:
        return _gap_slide(plan.as_of, townships, data)
    if key == SINCE_SLIDE:
        return _since_slide(plan.as_of, townships, data)
    if key == FOLLOWUPS_SLIDE:
        return _followups_slide(plan.as_of, townships, data)
    caption = _group_caption(metrics.kpis_in_groups(plan.report, key))
    figure = _group_figure(key, plan.as_of, townships, data, plan.county)
    return Slide(key, SLIDE_TITLES[key], caption, figure=figure)


def meeting(
    as_of: date, townships: list[str] | None, township_names: list[str] | None, data: Path | None = None
) -> Meeting:
    """Every slide of the meeting for the snapshot and filter (the exports), built side by side."""
    plan = outline(as_of, townships, township_names, data)
    slides = together(*(lambda i=i: slide(plan, i, townships, data) for i in range(len(plan.keys))))
    return Meeting(plan.county, as_of, plan.scope, tuple(slides))
