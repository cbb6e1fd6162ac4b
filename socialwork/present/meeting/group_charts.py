"""What each metric group's slide draws: one frame read once, drawn twice — a plotly figure for the screen and the
report, and the same numbers as ChartData for a native PowerPoint chart — with a sentence saying what the chart
shows, in its own numbers, so that caption and chart always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from socialwork.data.storage import identity
from socialwork.figures import choices, measures, metrics, posts
from socialwork.figures.metrics import KpiReport
from socialwork.figures.place_filter import Places
from socialwork.present.screen import charts, damage_marks
from socialwork.present.theme import PRIMARY, SERIES_COLOURS, VACANT_COLOUR
from socialwork.present.words.formatting import format_value


@dataclass(frozen=True)
class ChartData:
    """A chart as data, for PowerPoint's own (editable) charts: categories and series of numbers."""

    kind: str  # "line", "column", "stacked_column" or "stacked_bar"
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    value_title: str
    number_format: str = "0"
    colours: tuple[str, ...] = ()  # one per series
    goal: float | None = None


@dataclass(frozen=True)
class GroupChart:
    figure: go.Figure
    chart: ChartData
    sentence: str  # what the chart shows, e.g. 持证社工 275 人，较上年末净增 4 人


def _series(frame: pd.DataFrame, columns: dict[str, str]) -> tuple[tuple[str, tuple[float | None, ...]], ...]:
    return tuple(
        (label, tuple(None if pd.isna(v) else float(v) for v in frame[column])) for column, label in columns.items()
    )


def _months(dates: pd.Series) -> tuple[str, ...]:
    return tuple(pd.to_datetime(dates).dt.strftime("%Y年%m月"))


def _gapped(trend: pd.DataFrame, damaged: list[date]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A trend with an empty row at each damaged month inside it, and its months as categories, a damaged one marked
    （数据损坏）: PowerPoint's own line breaks there and names it, as the screen's chart does."""
    gaps = damage_marks.within(trend["snapshot_date"], damaged)
    frame = damage_marks.with_gaps(trend, "snapshot_date", gaps)
    marks = ["（数据损坏）" if on in gaps else "" for on in frame["snapshot_date"]]
    return frame, tuple(month + mark for month, mark in zip(_months(frame["snapshot_date"]), marks, strict=True))


def _kpi(report: KpiReport, key: str) -> metrics.Kpi:
    return next(k for k in report.kpis if k.metric_key == key)


def talent(report: KpiReport, as_of: date, places: Places, data: Path | None) -> GroupChart:
    """Certified social workers at every month-end, with this year's net increase."""
    trend = metrics.figures_by_snapshot(metrics.first_date(data), as_of, places, data).reset_index()
    net = _kpi(report, "certified_net_increase")
    now = int(trend["certified_workers"].iloc[-1])
    sentence = f"持证社工 {now:,} 人"
    if net.value is not None and net.baseline_value is not None and net.baseline_date is not None:
        sentence += f"，较上年末（{now - int(net.value):,} 人）净增 {int(net.value):,} 人"
    damaged = choices.damaged_dates(data)
    gapped, months = _gapped(trend, damaged)
    chart = ChartData("line", months, _series(gapped, {"certified_workers": "持证社工"}), "人", colours=(PRIMARY,))
    figure = charts.certified_trend(trend.set_index("snapshot_date"), "持证社会工作者人数", damaged)
    return GroupChart(figure, chart, sentence)


def coverage(report: KpiReport, as_of: date, places: Places, data: Path | None) -> GroupChart:
    """The share of villages/communities and of townships a social worker serves, over time, against 100 %."""
    trend = metrics.figures_by_snapshot(metrics.first_date(data), as_of, places, data).reset_index()
    trend["communities_share"] = (
        100 * trend["communities_served"] / trend["communities"].where(trend["communities"] > 0)
    )
    trend["townships_share"] = 100 * trend["townships_served"] / trend["townships"].where(trend["townships"] > 0)
    series = {"communities_share": "有社工服务的村（社区）占比", "townships_share": "有社工服务的乡镇（街道）占比"}
    communities, towns = _kpi(report, "communities_served_share"), _kpi(report, "townships_served_share")
    sentence = (
        f"有社工服务的村（社区）占比 {format_value(communities.value, 1, '%')}，"
        f"乡镇（街道）占比 {format_value(towns.value, 1, '%')}"
    )
    damaged = choices.damaged_dates(data)
    figure = charts.line_chart(trend, "snapshot_date", series, "社工服务覆盖率", "%", goal=100, goal_text="目标 100%",
                               damaged=damaged)  # fmt: skip
    figure.update_yaxes(range=[0, 105])
    gapped, months = _gapped(trend, damaged)
    chart = ChartData("line", months, _series(gapped, series), "%", "0.0", colours=tuple(SERIES_COLOURS[:2]), goal=100)
    return GroupChart(figure, chart, sentence)


def stations(report: KpiReport, as_of: date, places: Places, data: Path | None) -> GroupChart:
    """Operating stations by star rating."""
    frame = measures.stations_by_star_rating(as_of, places, data)
    frame = frame.assign(label=frame["station_stars"].map(lambda s: "未评星" if s == 0 else f"{s}星"))
    operating, rated = int(frame["stations"].sum()), int(frame.loc[frame["station_stars"] > 0, "stations"].sum())
    sentence = f"运营社工站 {operating} 个，其中星级社工站 {rated} 个"
    chart = ChartData("column", tuple(frame["label"]), _series(frame, {"stations": "社工站"}), "个", colours=(PRIMARY,))
    return GroupChart(charts.bar_chart(frame, "label", "stations", "社工站星级分布", "社工站（个）"), chart, sentence)


def post_sectors(report: KpiReport, as_of: date, places: Places, data: Path | None) -> GroupChart:
    """Posts in every sector of the plan, filled and vacant; sectors without a post named."""
    frame = posts.posts_by_sector(as_of, places, data)
    empty = posts.sectors_without_posts(frame)
    sentence = f"社工岗位 {int(frame['posts'].sum()):,} 个（在岗 {int(frame['filled_posts'].sum()):,} 个）"
    if empty:
        sentence += f"，{'、'.join(empty)} {len(empty)} 个领域尚无岗位"
    categories = tuple(frame["sector_group_label"] + "｜" + frame["sector_label"])
    chart = ChartData("stacked_bar", categories, _series(frame, {"filled_posts": "在岗", "vacant_posts": "空缺"}), "个",
                      colours=(PRIMARY, VACANT_COLOUR))  # fmt: skip
    return GroupChart(charts.sector_posts_bars(frame, "各领域社会工作岗位"), chart, sentence)


def training(report: KpiReport, as_of: date, places: Places, data: Path | None) -> GroupChart:
    """Sessions per month of the year by kind of activity, stacked."""
    frame = measures.activities_by_month(as_of, places, data)
    wide = frame.pivot(index="month", columns="activity_kind_label", values="sessions").reset_index()
    wide["month"] = wide["month"].astype(str) + "月"
    kinds = list(frame["activity_kind_label"].unique())
    totals = frame.groupby("activity_kind_label", sort=False)["sessions"].sum()
    sentence = f"{as_of.year}年已开展" + "、".join(f"{kind} {int(totals[kind])} 场" for kind in kinds if totals[kind])
    series = {kind: kind for kind in kinds}
    chart = ChartData("stacked_column", tuple(wide["month"]), _series(wide, series), "场次",
                      colours=tuple(SERIES_COLOURS[: len(kinds)]))  # fmt: skip
    return GroupChart(charts.grouped_bars(wide, "month", series, "每月活动场次", "场次", stacked=True), chart, sentence)


def incentives(
    report: KpiReport, as_of: date, places: Places, data: Path | None, county: identity.County
) -> GroupChart:
    """Talent cards and awards per year."""
    frame = measures.incentives_by_year(as_of, places, data).astype({"year": str})
    series = {"talent_cards_issued": f"发放{county.talent_card}（张）", "awards": "一次性奖励（人）"}
    this_year = frame.iloc[-1]
    sentence = (
        f"{as_of.year}年发放{county.talent_card} {int(this_year['talent_cards_issued'])} 张，"
        f"一次性奖励 {int(this_year['awards'])} 人"
    )
    chart = ChartData("column", tuple(frame["year"]), _series(frame, series), "张 / 人",
                      colours=tuple(SERIES_COLOURS[:2]))  # fmt: skip
    figure = charts.grouped_bars(frame, "year", series, incentives_chart_title(county), "张 / 人")
    return GroupChart(figure, chart, sentence)


def incentives_chart_title(county: identity.County) -> str:
    """e.g. “云溪英才卡”与人才奖励"""
    return f"“{county.talent_card}”与人才奖励"


def purchase(report: KpiReport, as_of: date, places: Places, data: Path | None) -> GroupChart:
    """The budget of government purchase of social-work services per year."""
    frame = measures.purchase_budget_by_year(as_of, places, data).astype({"plan_year": str})
    mine = frame[frame["plan_year"] == str(as_of.year)]
    budget = float(mine["budget_wan"].iloc[0]) if len(mine) else 0.0
    sentence = f"{as_of.year}年购买服务预算 {format_value(budget, 1, '万元')}（{int(mine['projects'].sum())} 个项目）"
    series = _series(frame, {"budget_wan": "预算（万元）"})
    chart = ChartData("column", tuple(frame["plan_year"]), series, "万元", "0.0", colours=(PRIMARY,))
    figure = charts.bar_chart(frame, "plan_year", "budget_wan", "各年度购买服务预算", "万元", text_format="{:,.1f}")
    return GroupChart(figure, chart, sentence)


# The metric groups (codes of contract.METRIC_GROUP) with a chart of their own; "incentives" takes the county too.
GROUP_CHARTS = {"talent": talent, "coverage": coverage, "stations": stations, "posts": post_sectors,
                "training": training, "purchase": purchase}  # fmt: skip


def group_chart(
    group: str, report: KpiReport, as_of: date, places: Places, data: Path | None,
    county: identity.County,
) -> GroupChart | None:  # fmt: skip
    """The chart of one metric group (a code of contract.METRIC_GROUP); None for a group without a chart of its own,
    whose slide shows its targets as a table (meeting._group)."""
    if group == "incentives":
        return incentives(report, as_of, places, data, county)
    builder = GROUP_CHARTS.get(group)
    return builder(report, as_of, places, data) if builder else None
