"""Figures as Chinese text: values with units, goals, the as-of stamp, KPI tables."""

from __future__ import annotations

from datetime import date

import pandas as pd

from socialwork.metrics import Kpi, KpiReport

STATUS_SYMBOL = {
    "met": "✓",
    "on_track": "→",
    "behind": "!",
    "missed": "✗",
    "contribution": "·",
    "no_goal": "·",
    "no_data": "·",
}


def date_stamp(day: date) -> str:
    """2026年10月31日"""
    return f"{day.year}年{day.month}月{day.day}日"


def as_of_stamp(day: date) -> str:
    return f"数据截至 {date_stamp(day)}"


def format_value(value: float | None, decimals: int, unit: str) -> str:
    """A figure with its unit: 46人, 68.1%, 2.40人/社区; a dash when there is no value."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}{unit}"


def goal_text(kpi: Kpi) -> str:
    if kpi.goal is None:
        return "—"
    sign = {"gt": ">", "ge": "≥", "gt_baseline": ">"}[kpi.comparator or "ge"]
    return f"{sign} {format_value(kpi.goal, kpi.decimals, kpi.unit)}"


def status_text(kpi: Kpi) -> str:
    return f"{STATUS_SYMBOL[kpi.status]} {kpi.status_label}"


def change_text(kpi: Kpi) -> str:
    if kpi.value is None or kpi.previous_value is None:
        return "—"
    delta = kpi.value - kpi.previous_value
    return f"{delta:+,.{kpi.decimals}f}{kpi.unit}"


def scope_text(township_names: tuple[str, ...] | list[str] | None) -> str:
    return "、".join(township_names) if township_names else "全县"


def kpi_frame(report: KpiReport) -> pd.DataFrame:
    """One row per target, every cell already worded for display."""
    return pd.DataFrame(
        [
            {
                "指标": k.label,
                "方案目标": k.target_label or "—",
                "当前值": format_value(k.value, k.decimals, k.unit),
                "目标": goal_text(k),
                "状态": status_text(k),
                "较上期": change_text(k),
            }
            for k in report.kpis
        ]
    )


def kpi_table_text(report: KpiReport, township_names: list[str] | None = None) -> str:
    """The KPI report as tab-separated lines for a terminal."""
    lines = [
        f"{as_of_stamp(report.as_of)}（{report.plan_year}年度目标）",
        f"范围：{scope_text(township_names)}",
        f"基线快照：{report.baseline_date.isoformat() if report.baseline_date else '无'}",
    ]
    if report.note:
        lines.append(report.note)
    lines.append("")
    for k in report.kpis:
        lines.append(
            "\t".join([k.label, format_value(k.value, k.decimals, k.unit), f"目标 {goal_text(k)}", status_text(k)])
        )
    return "\n".join(lines)
