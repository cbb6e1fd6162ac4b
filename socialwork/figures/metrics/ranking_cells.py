"""The county ranking's cells, many counties at once: each target's value, goal and status, judged as report.evaluate
judges one county's (tests/test_hierarchy_levels.py holds every cell to the county's own report, at every month).

A nation's 2,800 counties × 18 targets judged one by one took 1.3 s, and cell by cell in Python 0.2 s. The counties
whose snapshots are the same dates (nearly all of them) are judged together, a metric at a time, as arrays; a county
with other dates, and a cell whose figures are missing or divide by zero anywhere the judgement reads them, is judged
by evaluate itself.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np

from socialwork.figures.metrics.dates import baseline_date, year_fraction
from socialwork.figures.metrics.pace import earlier_seasons
from socialwork.figures.metrics.registry import MetricSpec

STRICT = ("gt", "gt_baseline")  # comparators met only above the goal (report.is_met)


class Goals(NamedTuple):
    """One metric's targets for a row of counties: whether each has a target row, its comparator ("" without one)
    and the goal the row sets (NaN without one, and for a goal above the baseline, whose goal is the baseline)."""

    present: np.ndarray  # bool
    comparators: np.ndarray  # object: str
    set_goals: np.ndarray  # float64


class Cells(NamedTuple):
    """One metric's cells for a row of counties: value, status and goal (NaN for none), and whether each was judged
    here (False: evaluate must judge it)."""

    values: np.ndarray  # float64
    statuses: np.ndarray  # object: str
    goals: np.ndarray  # float64
    judged: np.ndarray  # bool


def judged_together(spec: MetricSpec, grid: np.ndarray, dates: tuple[date, ...], as_of: date, goals: Goals) -> Cells:
    """Each county's cell for one metric: grid holds the metric computed at every date (a row per county, a column
    per date of `dates`), goals each county's target."""
    column = {on: i for i, on in enumerate(dates)}

    def at(on: date) -> np.ndarray | None:
        """The metric at a date as DatedValues has it (net of the date's baseline), NaN where a figure is missing."""
        if not spec.net_of_baseline:
            return grid[:, column[on]]
        base = baseline_date(on, dates)
        return None if base is None else grid[:, column[on]] - grid[:, column[base]]

    count = len(grid)
    value = at(as_of)
    if value is None:  # net of a baseline there is not: no value, the goal as set
        return Cells(np.full(count, np.nan), np.full(count, "no_data", dtype=object), goals.set_goals,
                     np.ones(count, dtype=bool))  # fmt: skip
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
    judged = ~np.isnan(np.vstack(needed)).any(axis=0)
    seasonal = value + sum(gains[1:], gains[0]) / len(gains) if gains else None
    statuses, goal = _statuses(spec, value, level, seasonal, goals, as_of)
    return Cells(value.astype("float64"), statuses, goal, judged)


def _statuses(
    spec: MetricSpec, value: np.ndarray, level: np.ndarray | None, seasonal: np.ndarray | None, goals: Goals,
    as_of: date,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """report.evaluate's status and goal of each cell (filtered False), every figure it reads present."""
    comparators = goals.comparators
    above_baseline = comparators == "gt_baseline"
    baseline_level = np.full(len(value), np.nan) if level is None else level
    goal = np.where(above_baseline, baseline_level, goals.set_goals)
    no_goal = ~goals.present | np.isnan(goal)
    strict = np.isin(comparators, STRICT)
    with np.errstate(invalid="ignore"):
        met = np.where(strict, value > goal, value >= goal)
        if (as_of.month, as_of.day) == (12, 31):
            unmet = np.full(len(value), "missed", dtype=object)
        else:
            if seasonal is not None:  # a wave still to come counts: judged by the seasonal projection
                on_track = np.where(strict, seasonal > goal, seasonal >= goal)
            else:  # the linear pace from the year's start (the baseline's level, or nil for an annual figure)
                start = np.zeros(len(value)) if spec.annual else baseline_level
                aim = goal + np.where((comparators == "gt") & (spec.decimals == 0), 1.0, 0.0)
                expected = start + (aim - start) * year_fraction(as_of)
                on_track = ~above_baseline & (value >= expected)  # NaN expected: never on track
            unmet = np.where(on_track, "on_track", "behind").astype(object)
    statuses = np.where(no_goal, "no_goal", np.where(met, "met", unmet)).astype(object)
    return statuses, np.where(no_goal, np.nan, goal)
