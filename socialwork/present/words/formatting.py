"""Figures as Chinese text: values with units, goals, the as-of stamp, KPI tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from socialwork.data.contract.enums import MILESTONE_TIMELINE
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
    target_table,
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


def kpi_frame(report: KpiReport) -> pd.DataFrame:
    """One row per target, every cell already worded for display: where it stands, how far from the goal, where the
    year may end, against last year and who answers for it (target_words.TARGET_COLUMNS)."""
    return target_table(report.kpis)


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


def headed(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The named columns of a query result, in order, under their Chinese headers."""
    return frame[list(headers)].rename(columns=headers)


COUNTY_COLUMN = "县（市、区）"


def with_county(table: pd.DataFrame, rows: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    """A list of places with its county first when its rows span more than one county, or always when the view is
    above the county (counties: a city's lists, even while one county alone reports): township names repeat."""
    if "county_name" not in rows or not (counties or rows["county_name"].nunique() > 1):
        return table
    return table.assign(**{COUNTY_COLUMN: rows["county_name"].to_numpy()})[[COUNTY_COLUMN, *table.columns]]


def shortfall_table(shortfall: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    headers = {"township_name": "乡镇（街道）", "community_name": "城市社区", "certified_workers": "持证社工（人）",
               "shortfall": "缺口（人）"}  # fmt: skip
    return with_county(headed(shortfall, headers), shortfall, counties)


def uncovered_table(uncovered: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    headers = {"township_name": "乡镇（街道）", "community_name": "村（社区）", "community_kind_label": "类型"}
    return with_county(headed(uncovered, headers), uncovered, counties)


def township_staffing_table(by_township: pd.DataFrame) -> pd.DataFrame:
    """Urban-community staffing of every township, furthest below the goal first, worded for display and export."""
    ordered = by_township.sort_values(
        ["average_certified_per_urban_community", "total_shortfall", "township_code"], ascending=[True, False, True],
        kind="stable", na_position="last",
    )  # fmt: skip
    headers = {"township_name": "乡镇（街道）", "urban_communities": "城市社区（个）",
               "average_certified_per_urban_community": "平均持证（人）",
               "urban_communities_meeting_minimum": f"达到{MIN_CERTIFIED}名的城市社区（个）",
               "total_shortfall": "持证缺口（人）", "communities": "村（社区）（个）",
               "communities_served": "有社工服务的村（社区）（个）"}  # fmt: skip
    return headed(ordered, headers).round({"平均持证（人）": 2})


def community_table(staffing: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    """Every village/community with its staffing, worded for display and export."""
    meets = staffing["meets_minimum"].map({True: "是", False: "否"})
    table = pd.DataFrame(
        {
            "乡镇（街道）": staffing["township_name"],
            "村（社区）": staffing["community_name"],
            "类型": staffing["community_kind_label"],
            "城乡分类": staffing["urban_rural_code"] + " " + staffing["urban_rural_label"],
            "持证社工（人）": staffing["certified_workers"],
            "社工总数（人）": staffing["social_workers"],
            f"达到{MIN_CERTIFIED}名（城市社区）": meets,
            "持证较上期变化（人）": certified_change(staffing),
        }
    )
    return with_county(table, staffing, counties)


def certified_change(staffing: pd.DataFrame) -> pd.Series:
    """The change since the previous snapshot; where the community's county has no previous snapshot (a county late
    with that month), why there is no number: 乙县无上期数据."""
    missing = staffing["county_has_previous"].eq(False)
    if not missing.any():
        return staffing["certified_change"]
    reason = staffing["county_name"].astype(str) + "无上期数据"
    return staffing["certified_change"].astype(object).where(~missing, reason)


def milestone_frame(steps: pd.DataFrame) -> pd.DataFrame:
    """The plan's steps and measures worded for display and export: dates stay dates."""
    return pd.DataFrame(
        {
            "事项": steps["title"],
            "类型": steps["kind_label"],
            "牵头部门": steps["lead_department"],
            "截止日期": steps["due_date"],
            "完成日期": steps["done_date"],
            "进度": steps["timeline_label"],
            "逾期天数（天）": steps["days_overdue"],
        }
    )


def milestone_counts_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Each step over the counties of a view above the county, worded for display: counties by where they stand."""
    labels = MILESTONE_TIMELINE.labels
    return pd.DataFrame(
        {
            "事项": counts["title"],
            "类型": counts["kind_label"],
            "最早截止日期": counts["due_date"],
            "县数": counts["counties"].astype(int),
            **{f"{labels[code]}（县）": counts[code].astype(int) for code in MILESTONE_TIMELINE.codes},
        }
    )


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


POST_COUNTS = {"posts": "岗位（个）", "filled_posts": "在岗（个）", "vacant_posts": "空缺（个）"}


def sector_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"sector_group_label": "类别", "sector_label": "领域", **POST_COUNTS,
               "new_this_year": "本年新设（个）", "new_since_previous": "较上期新设（个）",
               "main_professional_posts": "主体专业技术岗位（个）"}  # fmt: skip
    return headed(frame, headers)


def funding_table(frame: pd.DataFrame) -> pd.DataFrame:
    return headed(frame, {"funding_label": "经费来源", **POST_COUNTS})


def as_date(value: object) -> date | None:
    """A date or timestamp as a date (a spreadsheet cell keeps it as a date); None when missing."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def stars_text(stars: int | None) -> str:
    """★★★, 未评星, or a dash where the snapshot has no rating (written before the contract had one)."""
    if stars is None or pd.isna(stars):
        return "—"
    return "未评星" if stars == 0 else "★" * int(stars)


def stations_table(frame: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "乡镇（街道）": frame["township_name"],
            "类型": frame["township_kind_label"],
            "社工站": frame["has_station"].map({True: "已建", False: "未建"}),
            "启用日期": frame["station_opened_date"].map(as_date),
            "星级": [stars_text(s) if has else "—" for s, has in zip(frame["station_stars"], frame["has_station"],
                                                                      strict=True)],
            "驻站社工（人）": frame["station_resident_workers"],
            "一站一亮点": frame["brand_project"].fillna("—"),
            "本年督导（场）": frame["supervision_sessions_this_year"],
        }
    )  # fmt: skip
    return with_county(table, frame, counties)


def star_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Operating stations per star rating, labelled 未评星, 1星 … 5星 (the stations page and the meeting)."""
    labels = frame["station_stars"].map(lambda s: "未评星" if s == 0 else f"{s}星")
    return pd.DataFrame({"星级": labels, "社工站": frame["stations"]})


def sessions_by_month(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """This year's activity sessions per month, a column per kind, and the series to stack (page and meeting)."""
    wide = frame.pivot(index="month", columns="activity_kind_label", values="sessions").reset_index()
    wide["month"] = wide["month"].astype(str) + "月"
    return wide, {kind: kind for kind in frame["activity_kind_label"].unique()}


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


def organisations_table(frame: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "机构": frame["organisation_name"],
            "注册地": frame["township_name"].fillna("县级"),
            "登记日期": frame["registered_date"].map(as_date),
            "状态": frame["status_label"],
            "从业人员（人）": frame["staff"],
            "持证（人）": frame["certified_staff"],
            "社工专业学历（人）": frame["sw_educated_staff"],
            "持证或社工学历（人）": frame["professional_staff"],
            "专业人员占比（%）": frame["professional_share"].round(1),
            "评估等级": frame["evaluation_grade_label"],
        }
    )
    return with_county(table, frame, counties)


def incentives_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"year": "年度", "talent_cards_issued": "发放英才卡（张）", "awards": "奖励人数（人）",
               "award_sum_wan": "奖励金额（万元）"}  # fmt: skip
    return headed(frame.astype({"year": str}), headers)


def activity_kind_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"activity_kind_label": "活动类型", "mode_label": "形式", "sessions": "场次（场）",
               "attendees": "参加人次（人次）", "hours": "时长（小时）"}  # fmt: skip
    return headed(frame, headers)


def township_activity_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"township_name": "乡镇（街道）", "supervision_sessions": "督导（场）", "training_sessions": "培训（场）",
               "attendees": "参加人次（人次）", "hours": "时长（小时）"}  # fmt: skip
    return headed(frame, headers)


def purchase_tables(by_year: pd.DataFrame, by_department: pd.DataFrame, by_township: pd.DataFrame | None):
    """(by year, by department, by township) worded for display and export (no township table above the county)."""
    years = headed(by_year.astype({"plan_year": str}), {"plan_year": "年度", "projects": "项目数（个）",
                   "budget_wan": "预算（万元）", "county_wide_budget_wan": "其中县级统筹（万元）"})  # fmt: skip
    departments = headed(by_department, {"department": "购买部门", **PURCHASE_MONEY})
    return years, departments, None if by_township is None else purchase_township_table(by_township)


PURCHASE_MONEY = {"projects": "项目数（个）", "budget_wan": "预算（万元）"}


def purchase_township_table(by_township: pd.DataFrame) -> pd.DataFrame:
    return headed(by_township, {"township_name": "乡镇（街道）", **PURCHASE_MONEY})


def sector_group_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"sector_group_label": "类别", **POST_COUNTS, "main_professional_posts": "主体专业技术岗位（个）",
               "main_professional_share": "主体岗位占比（%）"}  # fmt: skip
    return headed(frame, headers).round({"主体岗位占比（%）": 1})
