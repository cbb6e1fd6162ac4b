"""The county ranking's cells, many counties at once: each target's value, goal and status, judged as report.evaluate
judges one county's (tests/test_hierarchy_levels.py holds every cell to the county's own report, at every month).

A nation's 2,800 counties × 18 targets judged one by one took 1.3 s. The counties whose snapshots are the same dates
(nearly all of them) are judged together, a metric at a time, as arrays; a county with other dates, and a cell whose
figures are missing or divide by zero anywhere the judgement reads them, is judged by evaluate itself.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np

from socialwork.figures.metrics.dates import baseline_date, year_fraction
from socialwork.figures.metrics.pace import earlier_seasons
from socialwork.figures.metrics.registry import MetricSpec

Cell = tuple[float | None, str, float | None]  # value, status, goal


def common_dates(dates_by_county: dict[str, tuple[date, ...]], as_of: date) -> tuple[date, ...] | None:
    """The list of dates most counties with the as-of snapshot share (None when none has it)."""
    counts = Counter(dates for dates in dates_by_county.values() if as_of in dates)
    return counts.most_common(1)[0][0] if counts else None


def judged_together(
    spec: MetricSpec, grid: np.ndarray, dates: tuple[date, ...], as_of: date, targets: list[dict | None]
) -> list[Cell | None]:
    """Each county's cell for one metric: grid holds the metric computed at every date (a row per county, a column
    per date of `dates`), targets each county's target row (None without one). None where evaluate must judge."""
    column = {on: i for i, on in enumerate(dates)}

    def at(on: date) -> np.ndarray | None:
        """The metric at a date as DatedValues has it (net of the date's baseline), NaN where a figure is missing."""
        if not spec.net_of_baseline:
            return grid[:, column[on]]
        base = baseline_date(on, dates)
        return None if base is None else grid[:, column[on]] - grid[:, column[base]]

    value = at(as_of)
    if value is None:  # net of a baseline there is not: no value, the goal as set
        return [(None, "no_data", None if target is None else _set_goal(target)) for target in targets]
    baseline = baseline_date(as_of, dates)
    level = None if spec.net_of_baseline or baseline is None else grid[:, column[baseline]]
    needed = [value] + ([level] if level is not None else [])
    gains = []
    if spec.annual:
        for _, same_month, year_end in earlier_seasons(as_of, dates):
            at_month, at_end = at(same_month), at(year_end)
            if at_month is not None and at_end is not None:
                needed += [at_month, at_end]
                gains.append(at_end - at_month)
    whole = ~np.isnan(np.vstack(needed)).any(axis=0)
    seasonal = None
    if gains:
        total = gains[0]
        for gain in gains[1:]:
            total = total + gain
        seasonal = value + total / len(gains)
    return [
        _cell(spec, float(value[i]), None if level is None else float(level[i]),
              None if seasonal is None else float(seasonal[i]), target, as_of) if whole[i] else None
        for i, target in enumerate(targets)
    ]  # fmt: skip


def _cell(
    spec: MetricSpec, value: float, level: float | None, seasonal: float | None, target: dict | None, as_of: date
) -> Cell:
    """report.evaluate's judgement of one cell (filtered False), every figure it reads present."""
    if target is None:
        return value, "no_goal", None
    comparator = target["comparator"]
    goal = level if comparator == "gt_baseline" else _set_goal(target)
    if goal is None:
        return value, "no_goal", None
    goal = float(goal)
    if _met(value, goal, comparator):
        return value, "met", goal
    if (as_of.month, as_of.day) == (12, 31):
        return value, "missed", goal
    expected = None
    if comparator != "gt_baseline":
        start = 0.0 if spec.annual else level
        if start is not None:
            aim = goal + (1.0 if comparator == "gt" and spec.decimals == 0 else 0.0)
            expected = start + (aim - start) * year_fraction(as_of)
    status = "on_track" if comparator != "gt_baseline" and expected is not None and value >= expected else "behind"
    if seasonal is not None:  # a wave still to come counts: judged by the seasonal projection (report.evaluate)
        status = "on_track" if _met(seasonal, goal, comparator) else "behind"
    return value, status, goal


def _set_goal(target: dict) -> float | None:
    """The goal a target row sets (none above the baseline, whose goal is the baseline's level)."""
    goal = target["goal_value"]
    return None if target["comparator"] == "gt_baseline" or goal is None or goal != goal else float(goal)


def _met(value: float, goal: float, comparator: str) -> bool:
    return value > goal if comparator in ("gt", "gt_baseline") else value >= goal
