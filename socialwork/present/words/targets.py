"""A target's standing in a leader's words, the same on every surface (card, table, slide, deck, PDF, DOCX, XLSX):
how far from the goal (差 36人，完成 10%), where the year may end (年末预测 … with its method), against the same
month last year (同比), who answers for it (责任单位), and changes worded as Chinese reports word them (个百分点 for a
difference of percentages, 持平 for none, never two equal numbers beside a change).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from socialwork.figures.metrics import Kpi
from socialwork.figures.units import format_value

PERCENT = "%"
POINTS = "个百分点"
MAX_EXTRA_DECIMALS = 2  # 59.5% and 59.5% become 59.48% and 59.46%; beyond two more the numbers are equal enough
# Units whose goal reads naturally as a share done ("完成 45%"): counts and sums, not rates or averages.
COUNT_UNITS = {"人", "家", "个", "场", "张", "万元"}
STATUS_SYMBOL = {
    "met": "✓",
    "on_track": "→",
    "at_risk": "△",
    "behind": "!",
    "missed": "✗",
    "pending": "…",
    "contribution": "·",
    "no_goal": "·",
    "no_data": "·",
}


def status_text(kpi: Kpi) -> str:
    return f"{STATUS_SYMBOL[kpi.status]} {kpi.status_label}"


def difference_unit(unit: str) -> str:
    """A difference of percentages is in percentage points (个百分点), any other in the figure's unit."""
    return POINTS if unit == PERCENT else unit


def distinct_decimals(values: Sequence[float | None], decimals: int) -> int:
    """The fewest decimals (from the figure's own, at most MAX_EXTRA_DECIMALS more) at which values that differ
    also read differently: "59.5% → 59.5%，变化 −0.1个百分点" never shows."""
    known = [v for v in values if v is not None]
    for extra in range(MAX_EXTRA_DECIMALS + 1):
        places = decimals + extra
        if len({round(v, places) for v in known}) == len({round(v, 10) for v in known}):
            return places
    return decimals + MAX_EXTRA_DECIMALS


def change_decimals(now: float, before: float, decimals: int) -> int:
    """Decimals at which two values and their difference all read as different when they are (59.46 and 59.44 show
    as 59.46 → 59.44, +0.02, not 59.5 → 59.4 with a change of 持平)."""
    for places in range(decimals, decimals + MAX_EXTRA_DECIMALS + 1):
        if round(now, places) != round(before, places) and round(now - before, places) != 0:
            return places
    return decimals if round(now - before, decimals + MAX_EXTRA_DECIMALS) == 0 else decimals + MAX_EXTRA_DECIMALS


def signed_difference(delta: float | None, decimals: int, unit: str) -> str:
    """+2人, −0.3个百分点, 持平 for a difference that rounds to zero; a dash without one."""
    if delta is None:
        return "—"
    if round(delta, decimals) == 0:
        return "持平"
    return f"{delta:+,.{decimals}f}".replace("-", "−") + difference_unit(unit)


def is_unchanged(kpi: Kpi) -> bool:
    """No change since the previous snapshot, as shown (a change that rounds to nothing is no change: no red 0)."""
    if kpi.value is None or kpi.previous_value is None:
        return False
    places = change_decimals(kpi.value, kpi.previous_value, kpi.decimals)
    return round(kpi.value - kpi.previous_value, places) == 0


def change_text(kpi: Kpi) -> str:
    """Since the previous snapshot: +2人, −0.3个百分点, 持平; why there is none (乙县无上期数据) or a dash."""
    if kpi.value is None or kpi.previous_value is None:
        return kpi.no_previous or "—"
    places = change_decimals(kpi.value, kpi.previous_value, kpi.decimals)
    return signed_difference(kpi.value - kpi.previous_value, places, kpi.unit)


def value_goal_decimals(kpi: Kpi) -> int:
    """Decimals at which the value and the goal read as different when the status says they are (68.0% beside a
    goal of > 68.0% marked 滞后 shows as 67.96% against > 68.01%)."""
    if kpi.value is None or kpi.goal is None or kpi.value == kpi.goal:
        return kpi.decimals
    return distinct_decimals((kpi.value, kpi.goal), kpi.decimals)


def value_text(kpi: Kpi) -> str:
    """The value at as many decimals as tell it from its goal."""
    return format_value(kpi.value, value_goal_decimals(kpi), kpi.unit)


def goal_text(kpi: Kpi) -> str:
    """≥ 7家, > 40人, > 68.01% (at the value's decimals); a dash without a goal."""
    if kpi.goal is None:
        return "—"
    sign = {"gt": ">", "ge": "≥", "gt_baseline": ">"}[kpi.comparator or "ge"]
    return f"{sign} {format_value(kpi.goal, value_goal_decimals(kpi), kpi.unit)}"


def share_of_goal(kpi: Kpi) -> float | None:
    """How much of a count's goal is done (0.45 for 18 of 40), where that reads naturally; else None."""
    if kpi.unit not in COUNT_UNITS or kpi.goal is None or kpi.goal <= 0 or kpi.value is None:
        return None
    if kpi.comparator not in ("ge", "gt"):
        return None
    return max(kpi.value, 0.0) / kpi.goal


def gap_text(kpi: Kpi) -> str:
    """How far from the goal now: 差 36人（已完成 10%）, 差 4.2个百分点, 已达标; a dash without a goal."""
    if kpi.status == "met":
        return "已达标"
    if kpi.status == "pending":  # a whole division's goal beside a part of it: no gap to state
        return "待报齐"
    if kpi.goal is None or kpi.value is None:
        return "—"
    if kpi.gap is None or round(kpi.gap, kpi.decimals + MAX_EXTRA_DECIMALS) <= 0:
        return "需高于目标"  # equal to a goal it must exceed
    places = value_goal_decimals(kpi)
    gap = f"差 {format_value(kpi.gap, places, difference_unit(kpi.unit))}"
    share = share_of_goal(kpi)
    return gap + (f"（已完成 {100 * share:.0f}%）" if share is not None else "")


def year_end(kpi: Kpi) -> float | None:
    """The year-end forecast a status is judged by: the seasonal one where earlier years allow, else the linear."""
    if kpi.projection is None:
        return None
    return kpi.projection.seasonal if kpi.projection.seasonal is not None else kpi.projection.linear


def forecast_method(kpi: Kpi) -> str:
    """The forecast's method in words: 按往年同期规律（参照2024、2025年） or 按当前进度线性外推."""
    projection = kpi.projection
    if projection is None:
        return ""
    if projection.seasonal is not None:
        return f"按往年同期规律（参照{'、'.join(str(y) for y in projection.seasonal_years)}年）"
    return "按当前进度线性外推"


def forecast_text(kpi: Kpi, brief: bool = False) -> str:
    """38人（按往年同期规律（参照2024、2025年），预计难以达标）; brief, for a table whose note names the method:
    38人（难达标）; 年末值 at 31 December; a level figure (not annual): a dash, its value now is what counts."""
    forecast = year_end(kpi)
    if forecast is None:
        return "—"
    if kpi.trend and (kpi.trend[-1][0].month, kpi.trend[-1][0].day) == (12, 31):  # the year is over
        return f"年末值 {format_value(kpi.value, kpi.decimals, kpi.unit)}"
    value = format_value(forecast, kpi.decimals, kpi.unit)
    if kpi.goal is None or kpi.comparator is None or kpi.status == "pending":  # no verdict on a part's forecast
        return value if brief else f"{value}（{forecast_method(kpi)}）"
    verdict = "难达标" if forecast_misses(kpi) else "可达标"
    return f"{value}（{verdict}）" if brief else f"{value}（{forecast_method(kpi)}，预计{verdict}）"


FORECAST_NOTE = (
    "年末预测：有往年数据时按往年同期规律（当前值加上往年同月末至年末的平均增量），否则按当前进度线性外推；"
    "同比：与去年同月末数据相比。"
)


def forecast_misses(kpi: Kpi) -> bool:
    """An annual target whose year-end forecast falls short of its goal."""
    forecast = year_end(kpi)
    if forecast is None or kpi.goal is None or kpi.comparator is None or kpi.status == "pending":
        return False
    return not (forecast > kpi.goal if kpi.comparator in ("gt", "gt_baseline") else forecast >= kpi.goal)


def yoy_text(kpi: Kpi, brief: bool = False) -> str:
    """同比: +5人（去年同期 41人）, brief +5人; 去年同期无数据 where the store has no snapshot in that month."""
    if kpi.value is None:
        return "—"
    if kpi.last_year_value is None:
        return "去年同期无数据"
    places = change_decimals(kpi.value, kpi.last_year_value, kpi.decimals)
    change = signed_difference(kpi.value - kpi.last_year_value, places, kpi.unit)
    return change if brief else f"{change}（去年同期 {format_value(kpi.last_year_value, places, kpi.unit)}）"


def responsible_text(kpi: Kpi) -> str:
    return kpi.responsible_unit or "—"


def target_lines(kpi: Kpi) -> list[str]:
    """Under a card's figure, on every card: the gap, the year-end forecast (annual targets), 同比 and 责任单位."""
    lines = []
    if kpi.goal is not None and kpi.status != "met":
        lines.append(f"距目标：{gap_text(kpi)}")
    if kpi.projection is not None:
        lines.append(f"年末预测：{forecast_text(kpi)}")
    if kpi.value is not None:
        lines.append(f"同比：{yoy_text(kpi)}")
    if kpi.responsible_unit:
        lines.append(f"责任单位：{kpi.responsible_unit}")
    return lines


# Every column a surface may show, in the order a leader reads them; a surface picks those it has room for.
TARGET_COLUMNS = ("指标", "当前值", "目标", "差距", "状态", "年末预测", "同比", "较上期", "责任单位")


def target_table(kpis: Sequence[Kpi], columns: Sequence[str] = TARGET_COLUMNS) -> pd.DataFrame:
    """One row per target, every cell worded (forecast and 同比 brief: FORECAST_NOTE goes below the table); the status
    column as words (a surface draws its pill from k.status)."""
    cells = {
        "指标": lambda k: k.label,
        "当前值": value_text,
        "目标": goal_text,
        "差距": gap_text,
        "状态": status_text,
        "年末预测": lambda k: forecast_text(k, brief=True),
        "同比": lambda k: yoy_text(k, brief=True),
        "较上期": change_text,
        "责任单位": responsible_text,
    }
    return pd.DataFrame({column: [cells[column](k) for k in kpis] for column in columns})
