"""What a meeting's slides say in words: the meeting's title and stamp, a continued slide's title, a target's
caption and the speaker notes of the targets slide."""

from __future__ import annotations

from datetime import date

from socialwork.data.reporting.records import Assembly
from socialwork.data.storage import identity
from socialwork.figures import hierarchy
from socialwork.figures.metrics import Kpi
from socialwork.figures.reporting_status import assembly_short_text
from socialwork.present.words.formatting import as_of_stamp, format_value, projection_text
from socialwork.present.words.targets import (
    difference_unit,
    gap_text,
    goal_text,
    status_text,
    value_text,
    yoy_text,
)

UNMET = ("behind", "missed")  # statuses a meeting is told about


def meeting_title(county: identity.County) -> str:
    """e.g. 云溪县社会工作人才支持专项工作推进情况"""
    return f"{county.title}推进情况"


def stamp_text(
    as_of: date, scope: str, reporting: hierarchy.Reporting | None = None, assembly: Assembly | None = None
) -> str:
    """数据截至 … · 范围：测试市, and 缺 1 个县数据 when a county of the scope has not reported the month, and
    各单位上报：已报 15 / 16 · 沿用上月 1 when a reporting round assembled it."""
    short = reporting.short_note if reporting is not None else ""
    how = assembly_short_text(assembly) if assembly is not None else ""
    return " · ".join(part for part in (as_of_stamp(as_of), f"范围：{scope}", short, how) if part)


def part_title(title: str, part: int, parts: int) -> str:
    """年度目标完成情况（续 2/3） for the second of three slides of one table."""
    return title if parts == 1 else f"{title}（{part}/{parts}）"


def caption_for(kpi: Kpi) -> str:
    """One sentence from the figures, e.g. 持证社工年度净增 36人，距目标 41人 尚差 5人."""
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
    gap = format_value(threshold - kpi.value, kpi.decimals, difference_unit(kpi.unit))
    return f"{kpi.label} {value}，距目标 {goal} 尚差 {gap}"


def unmet_text(kpis: list[Kpi]) -> str:
    """Every target of a group behind or missed, by name, value and goal; or that none is."""
    unmet = [k for k in kpis if k.status in UNMET]
    if not unmet:
        counted = [k for k in kpis if k.goal is not None]
        return f"本组 {len(counted)} 项目标均已达标或进度正常" if counted else ""
    named = "；".join(f"{k.label} {value_text(k)}（目标 {goal_text(k)}，{gap_text(k)}）" for k in unmet)
    return f"{KPI_WORD[unmet[0].status] if len({k.status for k in unmet}) == 1 else '滞后或未达标'}：{named}"


KPI_WORD = {"behind": "滞后", "missed": "未达标"}


def kpi_notes(kpis: list[Kpi]) -> str:
    """Speaker notes: each target with value, goal, status, change and year-end projection."""
    lines = []
    for k in kpis:
        line = f"{k.label}：{value_text(k)}；目标 {goal_text(k)}；{gap_text(k)}；{status_text(k)}"
        projection = projection_text(k)
        line += f"；{projection}" if projection else ""
        line += f"；同比 {yoy_text(k)}" if k.value is not None else ""
        lines.append(line + (f"；责任单位 {k.responsible_unit}" if k.responsible_unit else ""))
    return "\n".join(lines)
