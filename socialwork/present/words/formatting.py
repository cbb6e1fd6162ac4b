"""Figures as Chinese text: values with their units, dates and the as-of stamp, lists of names, a target's pace and
year-end projections, the KPI report for a terminal, and the headline figures above a page's tables (the tables
themselves are built in tables/topics.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from socialwork.data.contract.standards import STATION_MIN_RESIDENT_WORKERS as MIN_RESIDENTS
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED as MIN_CERTIFIED
from socialwork.figures.metrics import Kpi, KpiReport
from socialwork.figures.units import format_value  # the one formatter, shared with the figures' own notes
from socialwork.present.words.targets import (
    forecast_text,
    gap_text,
    goal_text,
    responsible_text,
    status_text,
    value_text,
    yoy_text,
)


def date_stamp(day: date) -> str:
    """2026年10月31日"""
    return f"{day.year}年{day.month}月{day.day}日"


def as_of_stamp(day: date) -> str:
    return f"数据截至 {date_stamp(day)}"


MAX_NAMES = 30  # names listed in a sentence; a province can have hundreds to list
MAX_SCOPE_NAMES = 10  # townships named in a page header or a document's stamp


def names_text(names: Sequence[str], limit: int = MAX_NAMES, noun: str = "") -> str:
    """甲、乙、丙; beyond `limit` names only the first ones and the count: 甲、乙…等1,234个乡镇（街道）."""
    names = list(names)
    if len(names) <= limit:
        return "、".join(names)
    return f"{'、'.join(names[:limit])}等{len(names):,}个{noun}"


def scope_text(township_names: tuple[str, ...] | list[str] | None) -> str:
    return names_text(township_names, MAX_SCOPE_NAMES, "乡镇（街道）") if township_names else "全县"


def place_text(county_name: str, township_names: tuple[str, ...] | list[str] | None) -> str:
    """The county, or its chosen townships under its name (云溪县城关街道、马坪乡), for files that leave the app."""
    return county_name + (scope_text(township_names) if township_names else "")


def capped_list_note(shown: int, total: int, noun: str, which: str, order: str = "") -> str | None:
    """Below a table holding only part of a long list, e.g. 共30,000个村（社区），表中列出最需关注的 1,000 个（…）."""
    if shown >= total:
        return None
    return (
        f"共 {total:,} 个{noun}，表中列出{which} {shown:,} 个{f'（{order}）' if order else ''}。"
        "完整清单请下载，或在侧栏选择乡镇（街道）缩小范围后查看。"
    )


def kpi_table_text(report: KpiReport, township_names: list[str] | None = None, title: str = "") -> str:
    """The KPI report as tab-separated lines for a terminal, under a title (the county's plan)."""
    lines = [
        *([title] if title else []),
        f"{as_of_stamp(report.as_of)}（{report.plan_year}年度目标）",
        f"范围：{scope_text(township_names)}",
        f"上年末数据：{report.baseline_date.isoformat() if report.baseline_date else '无'}",
    ]
    if report.note:
        lines.append(report.note)
    lines.append("")
    for k in report.kpis:
        cells = [k.label, value_text(k), f"目标 {goal_text(k)}", gap_text(k), status_text(k)]
        lines.append("\t".join([*cells, f"年末预测 {forecast_text(k)}", f"同比 {yoy_text(k)}", responsible_text(k)]))
    return "\n".join(lines)


def pace_lines(kpi: Kpi) -> list[str]:
    """The pace of an annual target in words on a detailed card: net and gross, what should be reached by now (the
    gap, forecast and 同比 stand on every card: target_lines)."""
    lines = []
    if kpi.gross_value is not None and kpi.value is not None:
        lines += net_and_gross_lines(kpi)
    if kpi.expected_now is not None and kpi.status not in ("met", "missed"):
        lines.append(f"按时间进度此时应达 {format_value(kpi.expected_now, kpi.decimals, kpi.unit)}")
    return lines


def projection_text(kpi: Kpi) -> str:
    """年末预测：线性外推 …；按往年同期规律 …（参照 … 年） for an annual target (both methods, for the speaker's
    notes), else empty."""
    projection = kpi.projection
    if projection is None:
        return ""
    forecast = f"年末预测：线性外推 {format_value(projection.linear, kpi.decimals, kpi.unit)}"
    if projection.seasonal is not None:
        years = "、".join(str(y) for y in projection.seasonal_years)
        forecast += f"；按往年同期规律 {format_value(projection.seasonal, kpi.decimals, kpi.unit)}（参照 {years} 年）"
    return forecast


def net_and_gross_lines(kpi: Kpi) -> list[str]:
    """Net increase against first certificates this year, and what their difference may come from.

    The register does not record why a certified person is there: a transfer in, a return, or (with a
    November baseline) a certificate obtained in December all look alike, so no cause is asserted.
    """
    net, gross = format_value(kpi.value, kpi.decimals, kpi.unit), format_value(kpi.gross_value, 0, kpi.unit)
    lines = [f"净增 {net}（持证人数较上年末的变化）；本年首次取证 {gross}（本年内首次取得证书的人数）"]
    difference = kpi.value - kpi.gross_value
    if difference:
        sources = "持证人员进出名册（调入、调出、离职等）"
        base = kpi.baseline_date
        if base is not None and (base.month, base.day) != (12, 31):
            sources += f"，或{date_stamp(base)}之后至上年末取得的证书"
        lines.append(
            f"两者相差 {format_value(abs(difference), kpi.decimals, kpi.unit)}，可能来自{sources}；名册不记录具体原因"
        )
    return lines


PROJECTION_METHOD_NOTE = (
    "线性外推 = 当前值 ÷ 本年已过时间比例。往年同期规律 = 当前值 + 往年同月末至年末的平均增量"
    "（持证人数在考试成绩公布后集中增加，直线外推会低估年末值）。"
    "“进度正常/滞后”有往年数据时按往年同期规律判断，否则按时间进度判断。"
)


def card_count(count: int, unit: str, help_text: str | None = None) -> tuple[str, str | None]:
    """A count for a metric card: from 10,000 on in 万 with one decimal and no unit (a fifth of the page holds
    about five characters: "155,641个" and even "15.6万个" are cut), the exact count then added to the help."""
    if count < 10_000:
        return f"{count:,}{unit}", help_text
    exact = f"共 {count:,}{unit}"
    return f"{count / 10_000:.1f}万", exact if help_text is None else f"{help_text}；{exact}"


def staffing_summary_items(summary: pd.Series, average_goal: float | None = None) -> list[tuple[str, str, str | None]]:
    """The staffing page's headline figures as (label, value, help), short enough for five columns; the average's
    goal from the year's targets, the standard per community from the contract."""
    average, urban = summary["average_certified_per_urban_community"], int(summary["urban_communities"])
    meeting = int(summary["urban_communities_meeting_minimum"])
    meeting_help = f"持证社工 ≥ {MIN_CERTIFIED} 名的城市社区 / 城市社区总数"
    if urban >= 1_000:  # "6,438/7,502" no longer fits a fifth of the page: the share, with the counts in the help
        meeting_text, meeting_help = f"{100 * meeting / urban:.1f}%", f"{meeting_help}：{meeting:,} / {urban:,}"
    else:
        meeting_text = f"{meeting}/{urban}" if urban else "—"
    shortfall_help = f"各城市社区（{MIN_CERTIFIED} − 持证人数）之和，只计不足 {MIN_CERTIFIED} 名的社区"
    shortfall = card_count(int(summary["total_shortfall"]), "人", shortfall_help)
    unserved = card_count(int(summary["communities_without_social_worker"]), "个", "无社会工作者服务的村（社区）")
    average_help = "每个城市社区平均持证社工" + ("" if average_goal is None else f"；目标 ≥ {average_goal:g}")
    return [
        ("城市社区", *card_count(urban, "个")),
        ("平均持证", "—" if pd.isna(average) else f"{average:.2f}人", average_help),
        (f"达到{MIN_CERTIFIED}名", meeting_text, meeting_help),
        ("持证缺口", *shortfall),
        ("无社工村社", *unserved),
    ]


def post_summary_items(summary: pd.Series) -> list[tuple[str, str, str | None]]:
    share = summary["institution_main_professional_share"]
    return [
        ("岗位总数", f"{int(summary['posts']):,}个", None),
        ("在岗", f"{int(summary['filled_posts']):,}个", None),
        ("空缺", f"{int(summary['vacant_posts']):,}个", None),
        ("本年新设", f"{int(summary['new_this_year']):,}个", "设岗日期在本年 1 月 1 日至数据日期之间"),
        ("较上期新设", f"{int(summary['new_since_previous']):,}个", "设岗日期晚于上一期快照日期"),
        ("机构主体岗位占比", "—" if pd.isna(share) else f"{share:.1f}%",
         "养老、儿童福利、社会救助、救助管理等机构的社工岗位中，确定为主体专业技术岗位的比例"),
    ]  # fmt: skip


def as_date(value: object) -> date | None:
    """A date or timestamp as a date (a spreadsheet cell keeps it as a date); None when missing."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def stars_text(stars: int | None) -> str:
    """★★★, 未评星, or a dash where the snapshot has no rating (written before the contract had one)."""
    if stars is None or pd.isna(stars):
        return "—"
    return "未评星" if stars == 0 else "★" * int(stars)


def incentive_series(talent_card: str) -> dict[str, str]:
    """The incentives chart's series: cards issued under the county's own card name, and awards."""
    return {"talent_cards_issued": f"发放{talent_card}（张）", "awards": "一次性奖励（人）"}


def station_summary_items(summary: pd.Series) -> list[tuple[str, str, str | None]]:
    per_station = summary["resident_workers_per_station"]
    return [
        ("运营社工站", f"{int(summary['stations_operating'])}/{int(summary['townships'])}", "运营中的社工站 / 乡镇数"),
        ("驻站社工", f"{int(summary['resident_workers'])}人", None),
        ("站均驻站社工", "—" if pd.isna(per_station) else f"{per_station:.1f}人", f"一般每站 {MIN_RESIDENTS} 名"),
        (f"驻站不足{MIN_RESIDENTS}人", f"{int(summary['stations_below_resident_minimum']):,}个", None),
    ]  # fmt: skip
