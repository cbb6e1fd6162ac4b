"""What a KPI report says beside its figures in a store of many counties: which counties or townships its sums lack,
why a county's view has no change (乙县无上期数据) or no figures at all (本县缺该月数据), and that a division's own goal
cannot be judged while some of its counties have not reported (待报齐)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data.contract.enums import KPI_STATUS
from socialwork.figures import hierarchy
from socialwork.figures.metrics.kpi import Kpi
from socialwork.figures.place_filter import Places
from socialwork.figures.units import format_value

JUDGED = ("met", "on_track", "behind", "missed")  # what a part of a division cannot say of the whole one's goal
AWAITING = "pending"
SIGNS = {"gt": "> ", "ge": "≥ "}


def report_note(as_of: date, targets: pd.DataFrame, status: hierarchy.Reporting) -> str:
    """Above the figures: why a view within a county that lacks the month has none (本县缺该月数据…), or that the
    plan year sets no goal at all."""
    if status.within_county and not status.reporting:
        return status.note
    return f"{as_of.year}年在目标表中没有任何目标，仅显示数值" if targets.empty else ""


def noted(kpi: Kpi, status: hierarchy.Reporting, no_previous: str, own_goal: bool = False) -> Kpi:
    """A KPI whose scope lacks a county's (or township's) month says so on its card; one whose county lacks the
    previous month says why it has no change. A view within a county that lacks the month says that alone: its
    figures are missing for that reason, not for want of a goal or a baseline. A division's own goal (own_goal)
    while counties are missing is awaited, not judged (awaiting)."""
    missing = status.card_note
    if status.within_county and not status.reporting:
        return replace(kpi, note=missing)
    if own_goal and status.missing_names:
        kpi, missing = awaiting(kpi, status)
    if no_previous and kpi.previous_value is None and kpi.value is not None:
        kpi = replace(kpi, no_previous=no_previous)
        missing = "；".join(part for part in (missing, f"{no_previous}，无法计算较上期变化") if part)
    return replace(kpi, note=f"{kpi.note}；{missing}" if kpi.note else missing) if missing else kpi


def awaiting(kpi: Kpi, status: hierarchy.Reporting) -> tuple[Kpi, str]:
    """A city's or province's own goal against the sum of only its counties that reported: neither met nor missed
    but 待报齐, without a gap or a pace to keep; and the note that says exactly what stands beside what (the sum of
    the reporting counties, the goal of all of them)."""
    reported, counties = len(status.reporting), len(status.counties)
    sign = SIGNS.get(kpi.comparator or "", "")
    goal = "" if kpi.goal is None else f"（{sign}{format_value(kpi.goal, kpi.decimals, kpi.unit)}）"
    note = (f"{status.card_gaps}：当前值只含已报送的 {reported:,} 个县，"
            f"目标{goal}是全部 {counties:,} 个县的，待报齐后判断是否达标")  # fmt: skip
    if kpi.status not in JUDGED:
        return kpi, note
    label = KPI_STATUS.label_of(AWAITING)
    return replace(kpi, status=AWAITING, status_label=label, gap=None, expected_now=None, pace_method=""), note


def no_previous(previous: date | None, places: Places, data: Path | None) -> str:
    """乙县无上期数据 when the view lies within one county of a store of many that has no snapshot at the previous
    date (a city counts such a county with its latest earlier snapshot, levels.py, and has a change)."""
    county = places.county
    if previous is None or county is None or not hierarchy.many_counties(data):
        return ""
    status = hierarchy.counties_reporting(previous, county, data)
    late = status[~status["has_snapshot"]]
    return f"{late['county_name'].iloc[0]}无上期数据" if len(late) else ""
