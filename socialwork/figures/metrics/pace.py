"""Pace and projection: whether a value meets its goal, what is still to gain, what should be reached by now
given the seasons of earlier years, the year-end projection and the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

from socialwork.figures.metrics.dates import year_fraction
from socialwork.figures.metrics.registry import MetricSpec, metric_value


@dataclass(frozen=True)
class Projection:
    """Where an annual figure may end the year, by two methods, and what is still to gain."""

    linear: float | None  # the value so far scaled to the whole year
    seasonal: float | None  # the value so far plus what earlier years gained after the same month
    seasonal_years: tuple[int, ...]  # the earlier years the seasonal method averaged
    remaining: float | None  # still to gain to meet the goal; None when met or without a goal


def is_met(value: float, goal: float, comparator: str) -> bool:
    return value > goal if comparator in ("gt", "gt_baseline") else value >= goal


def still_to_gain(spec: MetricSpec, value: float | None, goal: float | None, comparator: str | None) -> float | None:
    """What must still be gained to meet the goal: "> 40" people means 41, so 41 - value."""
    if value is None or goal is None or comparator is None or is_met(value, goal, comparator):
        return None
    step = 1.0 if comparator in ("gt", "gt_baseline") and spec.decimals == 0 else 0.0
    return goal + step - value


def expected_by_now(
    spec: MetricSpec, goal: float, start_value: float | None, as_of: date, comparator: str = "ge"
) -> float | None:
    """Linear pace from the start of the year (0 for annual figures, else the baseline) to the goal.

    For a count that must exceed its goal ("> 40 people") the pace heads for the next whole number (41).
    """
    start = 0.0 if spec.annual else start_value
    if start is None:
        return None
    target = goal + (1.0 if comparator == "gt" and spec.decimals == 0 else 0.0)
    return start + (target - start) * year_fraction(as_of)


def seasonal_gains(
    spec: MetricSpec, figures: pd.DataFrame, as_of: date, values: Mapping[date, float | None] | None = None
) -> dict[int, float]:
    """For each earlier complete year: how much the figure grew after as_of's month to the year's end.

    Certificates arrive in waves after the national exam, so what earlier years gained after the
    same month is a better guide to the rest of this year than a straight line. `values`: the metric by date when
    already worked out (report.values_by_date, equal to metric_value date for date; a nation's ranking asks 50,000
    times, and picking a row out of a frame is what costs).
    """
    dates = tuple(figures.index.tolist())
    if values is None:
        values = {on: metric_value(spec, figures, on) for on in dates}
    gains = {}
    for year, same_month, year_end in earlier_seasons(as_of, dates):
        at_month, at_end = values.get(same_month), values.get(year_end)
        if at_month is not None and at_end is not None:
            gains[year] = at_end - at_month
    return gains


@lru_cache(maxsize=1024)
def earlier_seasons(as_of: date, dates: tuple[date, ...]) -> tuple[tuple[int, date, date], ...]:
    """Each earlier year with a snapshot in as_of's month and one in December: (year, the month's last, December's
    last). Kept per list of dates: a nation's county ranking asks 20,000 times, of a few lists."""
    seasons = []
    for year in sorted({d.year for d in dates if d.year < as_of.year}):
        same_month = [d for d in dates if (d.year, d.month) == (year, as_of.month)]
        year_end = [d for d in dates if d.year == year and d.month == 12]
        if same_month and year_end:
            seasons.append((year, same_month[-1], year_end[-1]))
    return tuple(seasons)


def project(
    spec: MetricSpec, figures: pd.DataFrame, as_of: date, value: float | None, remaining: float | None,
    values: Mapping[date, float | None] | None = None,
):  # fmt: skip
    """Year-end projection of an annual figure: linear, and seasonal when earlier years allow."""
    if not spec.annual or value is None:
        return None
    gains = seasonal_gains(spec, figures, as_of, values)
    return Projection(
        linear=value / year_fraction(as_of),
        seasonal=value + sum(gains.values()) / len(gains) if gains else None,
        seasonal_years=tuple(gains),
        remaining=remaining,
    )


def status_of(value: float | None, goal: float | None, comparator: str, expected: float | None, as_of: date) -> str:
    """Met, missed (at year end), else on track or behind against the expected value by now."""
    if value is None:
        return "no_data"
    if goal is None:
        return "no_goal"
    if is_met(value, goal, comparator):
        return "met"
    if (as_of.month, as_of.day) == (12, 31):
        return "missed"
    if comparator != "gt_baseline" and expected is not None and value >= expected:
        return "on_track"
    return "behind"
