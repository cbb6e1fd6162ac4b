"""The XLSX workbook of every table the app shows, for staff to sum, sort and filter: numbers are numbers with
their units in the headers, dates are dates, each sheet has its title, stamp and frozen header row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.enums import METRIC_GROUP
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.storage import identity
from socialwork.figures import changes, hierarchy, measures, metrics, posts, reporting_status, staffing
from socialwork.figures.metrics import KpiReport, levels
from socialwork.figures.parallel import together
from socialwork.figures.place_filter import Places
from socialwork.present.tables import changes as change_tables
from socialwork.present.tables import followups
from socialwork.present.tables.files import xlsx_bytes
from socialwork.present.tables.places import (
    BREAKDOWNS,
    SHORT_NOUN,
    division_staffing_table,
    division_table,
    reporting_text,
    scorecard_export_frame,
)
from socialwork.present.tables.topics import (
    activity_kind_table,
    community_table,
    funding_table,
    incentives_table,
    milestone_counts_frame,
    milestone_frame,
    organisations_table,
    purchase_tables,
    purchase_township_table,
    sector_group_table,
    sector_table,
    shortfall_table,
    stations_table,
    township_activity_table,
    township_staffing_table,
    uncovered_table,
)
from socialwork.present.words.targets import (
    forecast_text,
    gap_text,
    goal_text,
    year_end,
)

COMPARATORS = {"gt": ">", "ge": "≥", "gt_baseline": "> 上年末"}


def _number_format(decimals: int) -> str:
    return "#,##0" if decimals == 0 else f"#,##0.{'0' * decimals}"


def targets_sheet(report: KpiReport) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Every target as numbers (value, goal, change, pace, projections) with its unit, status as in the app; and
    each number column's format row by row (a share has one decimal, a count none)."""
    kpis = report.kpis
    projections = [k.projection for k in kpis]
    change = [None if k.value is None or k.previous_value is None else k.value - k.previous_value for k in kpis]
    frame = pd.DataFrame(
        {
            "类别": [METRIC_GROUP.label_of(METRIC.groups[k.metric_key]) for k in kpis],
            "指标": [k.label for k in kpis],
            "方案目标": [k.target_label for k in kpis],
            "单位": [k.unit for k in kpis],
            "当前值": [k.value for k in kpis],
            "比较": [COMPARATORS.get(k.comparator or "") for k in kpis],
            "目标值": [k.goal for k in kpis],
            "状态": [k.status_label for k in kpis],
            "较上期变化": change,
            "按时间进度应达": [k.expected_now for k in kpis],
            "年末预测（线性外推）": [p.linear if p else None for p in projections],
            "年末预测（往年同期规律）": [p.seasonal if p else None for p in projections],
            "目标（文字）": [goal_text(k) for k in kpis],
            "距目标差距": [k.gap for k in kpis],
            "差距（文字）": [gap_text(k) for k in kpis],
            "年末预测（判断所用）": [year_end(k) for k in kpis],
            "年末预测（文字）": [forecast_text(k) for k in kpis],
            "去年同期值": [k.last_year_value for k in kpis],
            "同比变化": [None if k.value is None or k.last_year_value is None else k.value - k.last_year_value
                     for k in kpis],
            "去年同期日期": [k.last_year_date for k in kpis],
            "责任单位": [k.responsible_unit for k in kpis],
        }
    ).astype({c: "float64" for c in ("当前值", "目标值", "较上期变化", "按时间进度应达", "距目标差距", "去年同期值",
                                     "同比变化", "年末预测（判断所用）")})  # fmt: skip
    formats = [_number_format(k.decimals) for k in kpis]
    numbers = ["当前值", "目标值", "较上期变化", "按时间进度应达", "年末预测（线性外推）", "年末预测（往年同期规律）",
               "距目标差距", "年末预测（判断所用）", "去年同期值", "同比变化"]  # fmt: skip
    return frame, dict.fromkeys(numbers, formats)


def tables_workbook_bytes(as_of: date, places: Places, scope: str, data: Path | None = None) -> bytes:
    """Every table behind the pages, one sheet each, with the as-of date and filter above each table; a city's
    sheets by county (a province's by city, a nation's by province) where a county's are by township, and which
    counties lack the month above every table."""
    a, t, d = as_of, places, data
    spans = hierarchy.spans_counties(t, d)  # each county's plan has its own steps: counted over the counties
    (report, card, steps, communities, shortfalls, unserved, groups, sectors, funding, stations, orgs, incentives,
     kinds, by_year, by_department, reporting) = together(
        lambda: metrics.kpi_report(a, t, d), lambda: metrics.place_scorecard(a, t, d),
        lambda: (metrics.milestone_counts if spans else metrics.milestones)(a, d, t),
        lambda: staffing.community_staffing(a, t, d),
        lambda: staffing.shortfall_list(a, t, d), lambda: staffing.uncovered_list(a, t, d),
        lambda: posts.posts_by_sector_group(a, t, d), lambda: posts.posts_by_sector(a, t, d),
        lambda: posts.posts_by_funding(a, t, d), lambda: measures.stations_by_township(a, t, d),
        lambda: measures.organisations(a, t, d), lambda: measures.incentives_by_year(a, t, d),
        lambda: measures.activities_by_kind_and_mode(a, t, d), lambda: measures.purchase_budget_by_year(a, t, d),
        lambda: measures.purchases_by_department(a, t, d), lambda: hierarchy.reporting(a, t, d),
    )  # fmt: skip
    counties = card.level == "county"
    targets, target_formats = targets_sheet(report)
    years, departments, _ = purchase_tables(by_year, by_department, None)
    by_place = _division_sheets(as_of, places, data) if counties else _township_sheets(as_of, places, data)
    sheets = {
        "年度目标": targets,
        "各县目标排名" if counties else "乡镇可比目标": scorecard_export_frame(card),
        "实施步骤": milestone_counts_frame(steps) if spans else milestone_frame(steps),
        **by_place["staffing"],
        "村社区社工配备": community_table(communities, counties),
        "城市社区缺口": shortfall_table(shortfalls, counties),
        "无社工村社区": uncovered_table(unserved, counties),
        "岗位按类别": sector_group_table(groups),
        "岗位按领域": sector_table(sectors),
        "岗位按经费": funding_table(funding),
        **by_place["posts"],
        **by_place["stations"],
        "社工站": stations_table(stations, counties),
        "社工机构": organisations_table(orgs, counties),
        "激励": incentives_table(incentives),
        "活动类型": activity_kind_table(kinds),
        **by_place["training"],
        "购买服务各年度": years,
        "购买服务各部门": departments,
        **by_place["purchases"],
        "会议督办事项": followups.export_table(followups.load(as_of, places, data)),
        **_since_sheets(as_of, places, data),
    }
    sheets, year_formats = _years_as_numbers(sheets)
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    assembly = reporting_status.assembly_at(data, as_of)  # how a reporting round assembled it, beside who is late
    note = "；".join(part for part in (reporting_text(reporting), assembly.text() if assembly else "") if part)
    return xlsx_bytes(sheets, as_of, scope, f"{county.title}数据", formats={"年度目标": target_formats, **year_formats},
                      note=note)  # fmt: skip


def _since_sheets(as_of: date, places: Places, data: Path | None) -> dict[str, pd.DataFrame]:
    """变化对比 since the last meeting (or the previous snapshot): each target then and now, and the places whose
    service or standard changed; none before the first snapshot."""
    start = changes.since(as_of, data)
    if start.from_date is None or start.from_date >= as_of:
        return {}
    compared = changes.compare(start.from_date, as_of, places, data)
    targets = compared.targets
    then, now = change_tables.period_headers(compared)
    numbers = pd.DataFrame({  # numbers stay numbers: the page's table words them
        "指标": targets["label"], "单位": targets["unit"], then: targets["value_then"].astype("float64"),
        now: targets["value_now"].astype("float64"), "变化": targets["change"].astype("float64"),
        "状态": [change_tables.status_change_text(a, b, d) for a, b, d in
               zip(targets["status_then_label"], targets["status_now_label"], targets["direction"], strict=True)],
    })  # fmt: skip
    return {
        "变化对比·目标": numbers,
        "变化对比·城市社区": change_tables.communities_table(compared),
        "变化对比·村社区服务": change_tables.served_table(compared),
    }


YEAR = "年度"


def _years_as_numbers(sheets: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str]]]:
    """A 年度 column is text on screen (never "2,024"); in Excel a number without separators, to sort and sum by."""
    out, formats = {}, {}
    for name, frame in sheets.items():
        if YEAR in frame.columns and not pd.api.types.is_numeric_dtype(frame[YEAR]):
            frame = frame.assign(**{YEAR: pd.to_numeric(frame[YEAR], errors="coerce").astype("Int64")})
            formats[name] = {YEAR: "0"}
        out[name] = frame
    return out, formats


def _township_sheets(as_of: date, places: Places, data: Path | None) -> dict[str, dict]:
    """A county's (or its townships') sheets by township."""
    by_township, activity, purchase_townships = together(
        lambda: staffing.staffing_by_township(as_of, places, data),
        lambda: measures.supervision_training_by_township(as_of, places, data),
        lambda: measures.purchases_by_township(as_of, places, data),
    )
    return {
        "staffing": {"各乡镇城市社区配备": township_staffing_table(by_township)}, "posts": {}, "stations": {},
        "training": {"各乡镇督导培训": township_activity_table(activity)},
        "purchases": {"购买服务各乡镇": purchase_township_table(purchase_townships)},
    }  # fmt: skip


def _division_sheets(as_of: date, places: Places, data: Path | None) -> dict[str, dict]:
    """A city's sheets by county, a province's by city, a nation's by province (the level below,
    hierarchy.level_below), one row per division of the scope: one lacking some counties says so beside its partial
    sum, one lacking all has no figures (the pages' tables, places.BREAKDOWNS)."""
    level = hierarchy.level_below(places, data)
    figures = levels.division_figures(as_of, places.division, level, data)
    short = SHORT_NOUN[level]
    return {
        "staffing": {f"各{short}城市社区配备": division_staffing_table(figures, level)},
        "posts": {f"各{short}岗位": division_table(figures, BREAKDOWNS["posts"], level)},
        "stations": {f"各{short}社工站": division_table(figures, BREAKDOWNS["stations"], level)},
        "training": {f"各{short}督导培训": division_table(figures, BREAKDOWNS["training"], level)},
        "purchases": {f"购买服务各{short}": division_table(figures, BREAKDOWNS["purchases"], level)},
    }
