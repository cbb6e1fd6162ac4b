"""KPI figures as plain text (CLI) and as short Chinese phrases (cards, captions)."""

from __future__ import annotations

from socialwork.metrics import Kpi, KpiReport


def format_value(value: float | None, decimals: int, unit: str) -> str:
    """A figure with its unit: 46人, 68.1%, 2.40人/社区; a dash when there is no value."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}{unit}"


def goal_text(kpi: Kpi) -> str:
    if kpi.goal is None:
        return "—"
    sign = {"gt": ">", "ge": "≥", "gt_baseline": ">"}[kpi.comparator or "ge"]
    return f"{sign}{format_value(kpi.goal, kpi.decimals, kpi.unit)}"


def kpi_table_text(report: KpiReport) -> str:
    lines = [
        f"数据截至 {report.as_of.isoformat()}（{report.plan_year}年度目标）",
        f"范围：{'、'.join(report.township_codes) if report.township_codes else '全县'}",
        f"基线快照：{report.baseline_date.isoformat() if report.baseline_date else '无'}",
    ]
    if report.note:
        lines.append(report.note)
    lines.append("")
    for k in report.kpis:
        lines.append(
            f"{k.label}\t{format_value(k.value, k.decimals, k.unit)}\t目标 {goal_text(k)}\t{k.status_label}"
        )
    return "\n".join(lines)
